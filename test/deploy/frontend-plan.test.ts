import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan, planAddresses } from '../../harness/deploy/plan.ts';
import { ConfigError } from '../../harness/errors.ts';
import { tempDir } from '../temp-dir.ts';

async function rollingPlan(backend = 'docker') {
  const loaded = await loadScenario('core-upgrade-rolling', await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:test`]));
  const hostPorts = { keystone: { '5000': 41000 }, 'glance-api': { '9292': 41001 }, 'placement-api': { '8778': 41002 }, mariadb: {}, memcached: {}, rabbitmq: {}, haproxy: {} };
  return buildPlan({ scenario: loaded, releaseName: 'zed', release: loaded.releases.get('zed')!, images, secrets: new SecretStore(), hostPorts, runId: 'r1', cellId: `core-upgrade-rolling/zed/${backend}`, backend });
}

const service = (plan: Awaited<ReturnType<typeof rollingPlan>>, name: string) => {
  const step = plan.steps.find((s) => s.name === name);
  if (step?.kind !== 'service') throw new Error(`no service ${name}`);
  return step;
};

test('a frontend publishes the fronted services\' host ports; they are reached by name only', async (t) => {
  const plan = await rollingPlan();
  t.deepEqual(service(plan, 'haproxy').spec.ports, [{ container: 5000, host: 41000 }, { container: 9292, host: 41001 }, { container: 8778, host: 41002 }]);
  t.deepEqual(service(plan, 'keystone').spec.ports, []);
  t.true((service(plan, "keystone").spec.listens ?? []).includes(5000), 'others still reach keystone:5000 by name');
  t.is(plan.cloud?.authUrl, 'http://127.0.0.1:41000/v3', 'public URLs are unchanged: the same host port, now haproxy\'s');
  t.true(service(plan, 'keystone').deps.includes('haproxy'));
  // Internal calls go through the frontend too (Kolla's internal VIP): a rolled service keeps its address.
  t.regex(service(plan, 'glance-api').spec.files[0]!.content, /^auth_url = http:\/\/haproxy:5000$/m);
  t.is(plan.cloud?.internalAuthUrl, 'http://haproxy:5000/v3');
  t.deepEqual(plan.catalog.find((c) => c.service.type === 'image')?.endpoints.internal, 'http://haproxy:9292');
});

test('a fronted service is ready through the frontend; its second slot directly', async (t) => {
  const plan = await rollingPlan();
  const ready = service(plan, 'glance-api').spec.ready;
  t.is(ready.kind, 'exec');
  t.regex(ready.kind === 'exec' ? ready.command.join(' ') : '', /curl .*http:\/\/haproxy:9292\/\)" = 300 \]/);
  const slot = plan.frontend?.slotReady.get('glance-api');
  t.regex(slot?.kind === 'exec' ? slot.command.join(' ') : '', /http:\/\/127\.0\.0\.1:9292\/\)" = 300 \]/);
  t.deepEqual([...plan.frontend!.backends], [['keystone', 'keystone'], ['glance-api', 'glance-api'], ['placement-api', 'placement-api']]);
  t.deepEqual(plan.upgrades.get('keystone')!.expand.map((s) => s.name), ['keystone-db-expand']);
  t.deepEqual(plan.upgrades.get('keystone')!.contract.map((s) => s.name), ['keystone-db-contract']);
  t.is(plan.owners.get('keystone-next'), 'keystone', 'the second slot\'s log is scanned with keystone\'s allow-list');
  t.regex(service(plan, 'mariadb').spec.files[0]!.content, /^idle_transaction_timeout = 30$/m, 'the rolling scenario closes leaked idle transactions');
});

test('a rolling upgrade without a frontend is refused before anything starts, naming the field and the fix', async (t) => {
  const dir = await tempDir('gg-rolling-');
  const file = path.join(dir, 'no-frontend.yaml');
  await writeFile(file, `name: no-frontend
services: [mariadb, memcached, keystone]
upgrade:
  paths: { zed: "2025.1" }
  strategy: rolling
  services: [keystone]
`);
  const error = await t.throwsAsync(loadScenario(file, await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'upgrade.strategy');
  t.regex(error.message, /rolling needs a frontend/);
});

test('a fronted service\'s second slot is an address from the start: its frontend names it before it runs', async (t) => {
  const names = planAddresses(await rollingPlan()).map((a) => a.name);
  for (const s of ['keystone', 'glance-api', 'placement-api']) t.true(names.includes(`${s}-next`), s);
  t.deepEqual(planAddresses(await rollingPlan()).find((a) => a.name === 'haproxy')?.listens, [5000, 9292, 8778], 'the frontend is reached by name on the ports it fronts');
  t.false(names.includes('mariadb-next'), 'a service the frontend does not front has one slot');
});

test('the frontend finds its slots through Docker\'s DNS on docker, and by the addresses fixed at its start on kubernetes (backendVars)', async (t) => {
  const cfg = async (backend: string) => service(await rollingPlan(backend), 'haproxy').spec.files.find((f) => f.target === '/etc/haproxy/haproxy.cfg')!.content;
  t.regex(await cfg('docker'), /default-server .* resolvers docker init-addr last,libc,none\n/);
  const kube = await cfg('kubernetes');
  t.regex(kube, /default-server inter 1s fall 2 rise 2 init-addr libc,none\n/);
  t.notRegex(kube, /default-server .*resolvers/, 'no server asks a DNS server the cell lacks');
});
