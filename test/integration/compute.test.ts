import test from 'ava';
import { cellReason } from '../../harness/results/verdicts.ts';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Nova and neutron from Debian packages, for real, deliberately broken: nova's service user lacks
// the service role, so neutron refuses nova and the server boot fails, naming neutron. The green
// compute deployment on zed (the same services, recipes and checks) is compute-upgrade.test.ts's
// cell before its upgrade: one deployment serves both.

const NOVA = ['nova-api', 'nova-conductor', 'nova-scheduler', 'nova-compute', 'neutron-server'];

test.serial('integration: compute on zed without the service role comes up, and the server boot fails, naming neutron', async (t) => {
  const out = await tempOut('compute');
  const run = await gategrid(['run', '--scenario', 'fixtures/scenarios/compute-without-service-role.yaml', '--release', 'zed', '--tempest', 'none', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /PASSED|FAILED|ERROR|deploy passed|images passed|failed api/.test(l)).join('\n'));
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const results = await readResults(out);

  const broken = results.cells.find((c) => c.id === 'compute-no-service-role/zed/docker')!;
  t.is(broken.status, 'failed');
  const bs = Object.fromEntries(broken.checks.map((c) => [c.id, c]));
  for (const id of [...NOVA.map((s) => `smoke.service.${s}`), 'smoke.job.nova-discover-hosts']) t.is(bs[id]?.status, 'passed', id);
  t.is(bs['api.network.lifecycle']?.status, 'passed', 'neutron itself works');
  t.is(bs['api.compute.services']?.status, 'passed', 'nova itself is up');
  t.is(bs['api.compute.server-boot']?.status, 'failed');
  // nova-api asks neutron about the port with nova's service token, which neutron refuses (401):
  // nova answers 500 naming it (NeutronAdminCredentialConfigurationInvalid).
  t.regex(bs['api.compute.server-boot']?.message ?? '', /answered 500: .*Neutron/);
  t.regex(cellReason(broken), /^api\.compute\.server-boot: /);
  t.regex(run.all, /reproduce: npx gategrid run --scenario fixtures\/scenarios\/compute-without-service-role\.yaml --release zed --backend docker --revision [0-9a-f]{12}$/m);
  t.deepEqual(await leftovers(results.run.id), []);
});
