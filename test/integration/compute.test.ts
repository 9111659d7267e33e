import test from 'ava';
import { cellReason } from '../../harness/results/verdicts.ts';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';
import { shareHostWithDockerFiles } from './host-share.ts';

// Nova and neutron from Debian packages, for real: a server boots on the fake driver with a port
// neutron bound. The green cell and a deliberately broken one run side by side in one run.

const COMPUTE_CHECKS = [
  'api.network.lifecycle', 'api.network.unauthenticated', 'api.compute.services', 'api.compute.hypervisors', 'api.compute.flavor-crud',
  'api.compute.server-boot', 'api.compute.server-actions', 'api.compute.server-delete', 'api.compute.unauthenticated',
];
const NOVA = ['nova-api', 'nova-conductor', 'nova-scheduler', 'nova-compute', 'neutron-server'];

// This file's deployments share the machine with one other Docker test file (host-share.ts).
shareHostWithDockerFiles(test);

test.serial('integration: compute on zed boots a server to ACTIVE; without the service role neutron refuses nova and the boot fails, naming neutron', async (t) => {
  const out = await tempOut('compute');
  const run = await gategrid(['run', '--scenario', 'compute', '--scenario', 'fixtures/scenarios/compute-without-service-role.yaml',
    '--release', 'zed', '--tempest', 'none', '--concurrency', '2', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /PASSED|FAILED|ERROR|deploy passed|images passed|failed api/.test(l)).join('\n'));
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const results = await readResults(out);

  const green = results.cells.find((c) => c.id === 'compute/zed/docker')!;
  t.is(green.status, 'passed', JSON.stringify(green.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped')));
  const status = Object.fromEntries(green.checks.map((c) => [c.id, c.status]));
  for (const id of [...COMPUTE_CHECKS, ...NOVA.map((s) => `smoke.service.${s}`), ...NOVA.map((s) => `logs.${s}`), 'smoke.job.nova-discover-hosts']) t.is(status[id], 'passed', id);
  const boot = green.checks.find((c) => c.id === 'api.compute.server-boot')!;
  t.regex(boot.message ?? '', /^server ACTIVE in [\d.]+ s on gategrid-compute, port bound \(ovs\) with 10\.\d+\.\d+\.\d+$/);

  const broken = results.cells.find((c) => c.id === 'compute-no-service-role/zed/docker')!;
  t.is(broken.status, 'failed');
  const bs = Object.fromEntries(broken.checks.map((c) => [c.id, c]));
  t.is(bs['api.network.lifecycle']?.status, 'passed', 'neutron itself works');
  t.is(bs['api.compute.services']?.status, 'passed', 'nova itself is up');
  t.is(bs['api.compute.server-boot']?.status, 'failed');
  // nova-api asks neutron about the port with nova's service token, which neutron refuses (401):
  // nova answers 500 naming it (NeutronAdminCredentialConfigurationInvalid).
  t.regex(bs['api.compute.server-boot']?.message ?? '', /answered 500: .*Neutron/);
  t.regex(cellReason(broken), /^api\.compute\.server-boot: /);
  t.deepEqual(await leftovers(results.run.id), []);
});
