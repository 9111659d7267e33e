import test from 'ava';
import path from 'node:path';
import { loadCatalogues, loadScenario } from '../../harness/config/load-scenario.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan } from '../../harness/deploy/plan.ts';
import { placeholders } from '../../harness/config/template.ts';

async function computePlan(scenario: string) {
  const loaded = await loadScenario(scenario, await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:test`]));
  const hostPorts = Object.fromEntries(loaded.services.map((s, i) => [s.spec.name, Object.fromEntries(s.spec.ports.map((p) => [String(p), 42000 + i]))]));
  const plan = buildPlan({ scenario: loaded, releaseName: 'zed', release: loaded.releases.get('zed')!, images, secrets: new SecretStore(), hostPorts, runId: 'r1', cellId: `compute/zed/docker`, backend: 'docker' });
  return { loaded, plan };
}

test('compute: nova services wait for nova-api\'s database job and the registrations they log in with', async (t) => {
  const { plan } = await computePlan('compute');
  const deps = Object.fromEntries(plan.steps.map((s) => [s.name, [...s.deps].sort()]));
  t.true(deps['nova-conductor']!.includes('nova-db-sync'), 'a service may wait for another service\'s job');
  t.true(deps['nova-conductor']!.includes('nova-register'), 'the conductor logs in to placement as nova at start');
  t.true(deps['nova-compute']!.includes('neutron-register'));
  t.deepEqual(deps['nova-discover-hosts'], ['nova-compute', 'nova-scheduler']);
  t.false(deps['nova-api']!.includes('nova-register'), 'registration stays detached from nova-api itself');
});

test('compute: the shared nova.conf is rendered for each nova service, nova-compute gets its own without database access', async (t) => {
  const { plan } = await computePlan('compute');
  const conf = (name: string, target: string) => {
    const step = plan.steps.find((s) => s.name === name);
    return step?.kind === 'service' ? step.spec.files.find((f) => f.target === target)?.content : undefined;
  };
  for (const name of ['nova-api', 'nova-conductor', 'nova-scheduler']) {
    const text = conf(name, '/etc/nova/nova.conf');
    t.truthy(text, name);
    t.deepEqual(placeholders(text!), [], name);
    t.regex(text!, /\[api_database\]\nconnection = mysql\+pymysql:\/\/nova:[^@]+@mariadb\/nova_api/, name);
  }
  const compute = conf('nova-compute', '/etc/nova/nova-compute.conf')!;
  t.regex(compute, /compute_driver = gategrid_fake\.StableFakeDriver/);
  t.notRegex(compute, /\[(api_)?database\]/, 'nova-compute must not get database credentials');
});

test('compute: service users get admin and service by default; the fixture takes service away from nova only', async (t) => {
  const roles = (plan: Awaited<ReturnType<typeof computePlan>>['plan']) => Object.fromEntries(plan.catalog.map((c) => [c.service.name, c.user?.roles]));
  const good = roles((await computePlan('compute')).plan);
  t.deepEqual(good['nova'], ['admin', 'service']);
  t.deepEqual(good['neutron'], ['admin', 'service']);
  const broken = roles((await computePlan(path.resolve('fixtures/scenarios/compute-without-service-role.yaml'))).plan);
  t.deepEqual(broken['nova'], ['admin', 'member']);
  t.deepEqual(broken['neutron'], ['admin', 'service']);
});

test('compute-upgrade: nova moves in Kolla\'s order, compute last of nova, and nova\'s databases move with the conductor', async (t) => {
  const { loaded, plan } = await computePlan('compute-upgrade');
  const order = loaded.spec.upgrade!.services;
  t.true(order.indexOf('nova-conductor') < order.indexOf('nova-api'));
  t.true(order.indexOf('nova-api') < order.indexOf('nova-compute'));
  t.deepEqual(plan.upgrades.get('nova-conductor')!.jobs.map((j) => j.name), ['nova-db-upgrade']);
  t.deepEqual(loaded.spec.upgrade!.resources, ['identity', 'image', 'placement', 'network', 'compute']);
});

test('compute: mariadb never closes idle transactions (neutron\'s port-event dispatch holds them)', async (t) => {
  const { plan } = await computePlan('compute');
  const mariadb = plan.steps.find((s) => s.name === 'mariadb');
  t.regex(mariadb?.kind === 'service' ? mariadb.spec.files[0]!.content : '', /^idle_transaction_timeout = 0$/m);
});
