import test from 'ava';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// A real workload (issue 21), the narrow selection CI runs: the cloud scenario on zed, deployed
// from Debian's packages (libvirt with qemu under TCG, ML2/OVN on Open vSwitch's userspace
// datapath, OVN's metadata agent), the project's guest booted from glance, reached by ping and
// SSH with the run's key on its floating IP from the probe on the external network, a second guest
// reached on its fixed address, reboot, stop/start and resize (confirm, revert) survived, everything
// deleted; then Tempest's test_server_basic_ops and test_network_basic_ops (validation on: Tempest
// logs into the guests over their floating IPs, reads metadata with curl and pings from inside).

test.serial('integration: the cloud on zed boots the guest, which answers SSH with the run\'s key on its floating IP', async (t) => {
  const out = await tempOut('cloud');
  const run = await gategrid(['run', '--scenario', 'cloud', '--release', 'zed', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /PASSED|FAILED|ERROR|deploy passed|images passed|failed /.test(l)).join('\n'));
  const results = await readResults(out);
  const cell = results.cells.find((c) => c.id === 'cloud/zed/docker')!;
  const checks = Object.fromEntries(cell.checks.map((c) => [c.id, c]));
  for (const c of cell.checks.filter((x) => x.id.startsWith('api.workload.'))) t.log(`${c.id}: ${c.message ?? c.status}`);
  t.is(run.exitCode, 0, run.all.slice(-3000));
  t.is(cell.status, 'passed');
  for (const id of ['guest-image', 'network', 'server-boot', 'floating-ip', 'east-west', 'server-actions', 'delete']) t.is(checks[`api.workload.${id}`]?.status, 'passed', id);
  t.regex(checks['api.workload.server-boot']?.message ?? '', /lease 10\.\d+\.\d+\.\d+ at [\d.]+ s, host name and key from metadata, SSH serving/);
  t.regex(checks['api.workload.floating-ip']?.message ?? '', /floating IP 172\.24\.4\.\d+: ping after [\d.]+ s, SSH with the run's key after [\d.]+ s \(host name gategrid-guest-[0-9a-f]{8}\)/);
  t.regex(checks['api.workload.server-actions']?.message ?? '', /resize\/confirm: answering SSH again .*resize\/revert: answering SSH again/);
  const tempest = cell.checks.filter((c) => c.kind === 'tempest');
  t.deepEqual(tempest.map((c) => [c.id.replace(/\[.*$/, ''), c.status]).sort(), [
    ['tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops', 'passed'],
    ['tempest.scenario.test_server_basic_ops.TestServerBasicOps.test_server_basic_ops', 'passed'],
  ]);
  // The run's private key is a secret: nothing gategrid wrote holds it.
  t.false(JSON.stringify(results).includes('PRIVATE KEY'));
  t.deepEqual(await leftovers(results.run.id), []);
});
