import test from 'ava';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../harness/config/paths.ts';
import { tempDir } from '../temp-dir.ts';

// The patch neutron-server's image carries (scenarios/images/neutron-server/ovn_vif_datapath.py),
// run by the host's python3 on the OVN driver's bind_port as Debian ships it (recorded in fixtures/):
// Zed's gets the datapath type into a plain OVS port's vif_details, read from other_config first;
// 2025.1's, which sets it already, is left alone; a driver of another shape fails the image build.

const script = path.join(repoRoot, 'scenarios/images/neutron-server/ovn_vif_datapath.py');
const patch = async (fixture: string) => {
  const file = path.join(await tempDir('gategrid-ovn-patch-'), 'mech_driver.py');
  await copyFile(path.join(repoRoot, 'fixtures/neutron', fixture), file);
  const run = await execa('python3', [script, file], { reject: false, all: true });
  return { run, text: await readFile(file, 'utf8') };
};

test('Zed\'s driver: the chassis\'s datapath type, from other_config first, in a plain OVS port\'s vif_details', async (t) => {
  const before = await readFile(path.join(repoRoot, 'fixtures/neutron/mech-driver-zed.py.txt'), 'utf8');
  const { run, text } = await patch('mech-driver-zed.py.txt');
  t.is(run.exitCode, 0, run.all);
  t.regex(run.all ?? '', /vif_details carry the chassis's datapath type/);
  t.regex(text, /datapath_type = \(chassis\.other_config\.get\('datapath-type'\) or\n\s+chassis\.external_ids\.get\('datapath-type', ''\)\)/);
  t.regex(text, /vif_details = dict\(self\.vif_details\[vif_type\]\)\n.*\n\s+if datapath_type:\n\s+vif_details\[portbindings\.OVS_DATAPATH_TYPE\] = \(\n\s+datapath_type\)/);
  t.not(text, before);
});

test('2025.1\'s driver, which sets the datapath type itself, is left as it is; an unknown shape fails the build', async (t) => {
  const before = await readFile(path.join(repoRoot, 'fixtures/neutron/mech-driver-2025.1.py.txt'), 'utf8');
  const { run, text } = await patch('mech-driver-2025.1.py.txt');
  t.is(run.exitCode, 0, run.all);
  t.regex(run.all ?? '', /already sets the datapath type; nothing to do/);
  t.is(text, before);
  const dir = await tempDir('gategrid-ovn-patch-');
  await writeFile(path.join(dir, 'mech_driver.py'), 'class Driver:\n    pass\n');
  const unknown = await execa('python3', [script, path.join(dir, 'mech_driver.py')], { reject: false, all: true });
  t.is(unknown.exitCode, 1);
  t.regex(unknown.all ?? '', /has neither the old bind_port shape nor OVS_DATAPATH_TYPE; look at this package's driver/);
});
