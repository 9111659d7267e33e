import test from 'ava';
import type { Environment, ExecResult, ServiceSpec } from '../../harness/backends/backend.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan } from '../../harness/deploy/plan.ts';
import { DeploymentError } from '../../harness/errors.ts';
import { runUpgrade } from '../../harness/upgrade/run-upgrade.ts';

// The rolling procedure's order and its failure path, on an in-memory environment that records
// what the runner asks (the real thing: test/integration/upgrade.test.ts). haproxy's answers are
// recorded text: `show stat` with the slot UP and drained.

const STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status
keystone,keystone,0,0,0,4,,96,0,0,,0,,0,0,0,0,DRAIN
keystone,keystone-next,0,0,0,2,,24,0,0,,0,,0,0,0,0,UP
glance-api,glance-api,0,0,0,4,,96,0,0,,0,,0,0,0,0,DRAIN
glance-api,glance-api-next,0,0,0,2,,24,0,0,,0,,0,0,0,0,UP
placement-api,placement-api,0,0,0,4,,96,0,0,,0,,0,0,0,0,DRAIN
placement-api,placement-api-next,0,0,0,2,,24,0,0,,0,,0,0,0,0,UP
`;

function recordingEnv(failStart?: string) {
  const calls: string[] = [];
  const env = {
    backend: 'memory',
    async startService(spec: ServiceSpec) {
      calls.push(`start ${spec.name}`);
      if (spec.name === failStart) throw new DeploymentError(`${spec.name} did not become ready within 120 s`);
    },
    async stopService(name: string) { calls.push(`stop ${name}`); },
    async runJob(spec: { name: string }): Promise<ExecResult> { calls.push(`job ${spec.name}`); return { exitCode: 0, output: '' }; },
    async exec(name: string, command: readonly string[]): Promise<ExecResult> {
      const line = command.at(-1)!;
      if (line !== 'show stat') calls.push(`${name}: ${line}`);
      return { exitCode: 0, output: line === 'show stat' ? STAT : '' };
    },
    async state() { return { status: 'running' as const, restarts: 0 }; },
    containers: () => [],
  };
  return { env: env as unknown as Environment, calls };
}

async function plans() {
  const loaded = await loadScenario('core-upgrade-rolling', await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:test`]));
  const hostPorts = { keystone: { '5000': 41000 }, 'glance-api': { '9292': 41001 }, 'placement-api': { '8778': 41002 }, mariadb: {}, memcached: {}, rabbitmq: {}, haproxy: {} };
  const secrets = new SecretStore();
  const plan = (release: string) => buildPlan({ scenario: loaded, releaseName: release, release: loaded.releases.get(release)!, images, secrets, hostPorts, runId: 'r', cellId: 'c', backend: 'docker' });
  return { from: plan('zed'), to: plan('2025.1') };
}

const input = (env: Environment, p: Awaited<ReturnType<typeof plans>>) => ({
  env, from: p.from, to: p.to, fromRelease: 'zed', toRelease: '2025.1', services: ['keystone', 'glance-api', 'placement-api'],
  probe: [], resources: [], strategy: 'rolling' as const, cloud: undefined, actions: { catalog: async () => undefined }, log: () => undefined,
});

test('rolling: expand, start beside, enable, drain, take out, stop, contract, in that order', async (t) => {
  const { env, calls } = recordingEnv();
  const checks = await runUpgrade(input(env, await plans()));
  t.deepEqual(calls.slice(0, 8), [
    'job keystone-db-expand',
    'start keystone-next',
    'haproxy: set server keystone/keystone-next state ready',
    'haproxy: set server keystone/keystone state drain',
    'haproxy: set server keystone/keystone state maint',
    'stop keystone',
    'job keystone-db-contract',
    'job glance-db-expand',
  ]);
  t.true(calls.includes('stop placement-api'));
  t.deepEqual(checks.filter((c) => c.id.startsWith('upgrade.service.')).map((c) => [c.id, c.status, (c.details as { strategy: string }).strategy]), [
    ['upgrade.service.keystone', 'passed', 'rolling'], ['upgrade.service.glance-api', 'passed', 'rolling'], ['upgrade.service.placement-api', 'passed', 'rolling'],
  ]);
});

test('rolling: a new release that never answers is red at its service, and the old one is never drained or stopped', async (t) => {
  const { env, calls } = recordingEnv('keystone-next');
  const checks = await runUpgrade(input(env, await plans()));
  const keystone = checks.find((c) => c.id === 'upgrade.service.keystone')!;
  t.is(keystone.status, 'failed');
  t.regex(keystone.message ?? '', /keystone-next did not become ready/);
  t.deepEqual(calls, ['job keystone-db-expand', 'start keystone-next'], 'the old keystone keeps serving: no drain, no stop');
  t.is(checks.find((c) => c.id === 'upgrade.service.glance-api')?.status, 'skipped');
});
