import test from 'ava';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan, planAddresses } from '../../harness/deploy/plan.ts';
import { placeholders } from '../../harness/config/template.ts';

async function corePlan(scenario = 'core') {
  const loaded = await loadScenario(scenario, await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:test`]));
  const hostPorts = { keystone: { '5000': 41000 }, 'glance-api': { '9292': 41001 }, 'placement-api': { '8778': 41002 }, mariadb: {}, memcached: {}, rabbitmq: {} };
  const secrets = new SecretStore();
  const plan = buildPlan({ scenario: loaded, releaseName: 'zed', release: loaded.releases.get('zed')!, images, secrets, hostPorts, runId: 'r1', cellId: `${scenario}/zed/docker`, backend: 'docker' });
  return { plan, secrets };
}

test('core: services wait for their dependencies and their own before-start jobs only', async (t) => {
  const { plan } = await corePlan();
  const deps = Object.fromEntries(plan.steps.map((s) => [s.name, [...s.deps].sort()]));
  // keystone starts while it is bootstrapped (the bootstrap is detached); what logs in waits for both.
  t.deepEqual(deps['keystone'], ['keystone-db', 'mariadb', 'memcached']);
  t.deepEqual(deps['keystone-bootstrap'], ['keystone-db']);
  t.deepEqual(deps['keystone-db'], ['mariadb']);
  t.deepEqual(deps['glance-api'], ['glance-db', 'glance-db-sync', 'keystone', 'mariadb', 'memcached', 'rabbitmq']);
  t.deepEqual(deps['glance-register'], ['keystone', 'keystone-bootstrap'], 'catalog registration is detached: glance does not wait for it');
  t.false(deps['glance-api']!.includes('glance-register'));
});

test('core: everything is rendered, public URLs use the published loopback ports', async (t) => {
  const { plan } = await corePlan();
  const texts = plan.steps.flatMap((s) => s.kind === 'service' || s.kind === 'run'
    ? [...s.spec.files.map((f) => f.content), ...(s.spec.command ?? []), ...Object.values(s.spec.env)]
    : s.kind === 'exec' ? [...s.command] : [JSON.stringify(s.catalog)]);
  for (const text of texts) t.deepEqual(placeholders(text), [], text.slice(0, 80));
  t.is(plan.cloud?.authUrl, 'http://127.0.0.1:41000/v3');
  t.deepEqual(plan.endpoints.map((e) => e.url), ['http://127.0.0.1:41000/v3', 'http://127.0.0.1:41001/', 'http://127.0.0.1:41002/']);
  const keystone = plan.steps.find((s) => s.name === 'keystone');
  t.true(keystone?.kind === 'service' && keystone.spec.ports[0]?.host === 41000);
});

test('a var override reaches the config but not the database creation (fault injection)', async (t) => {
  const { plan, secrets } = await corePlan('../fixtures/scenarios/core-broken-glance-db.yaml'.replace('../', `${process.cwd()}/`));
  const sync = plan.steps.find((s) => s.name === 'glance-db-sync');
  const db = plan.steps.find((s) => s.name === 'glance-db');
  t.true(sync?.kind === 'run' && sync.spec.files[0]!.content.includes('glance:not-the-password@mariadb/glance'));
  t.true(db?.kind === 'exec' && db.env['DB_PASSWORD'] === secrets.get('glance_db'));
});

test('no secret of a cell is in any command the plan runs: they travel in environments and config files', async (t) => {
  for (const scenario of ['core', 'compute', 'compute-upgrade', 'core-upgrade-rolling']) {
    const loaded = await loadScenario(scenario, await loadCatalogues());
    const hostPorts = Object.fromEntries(loaded.services.map((s, i) => [s.spec.name, Object.fromEntries(s.spec.ports.map((p) => [String(p), 42000 + i]))]));
    const secrets = new SecretStore();
    const plan = buildPlan({ scenario: loaded, releaseName: 'zed', release: loaded.releases.get('zed')!, images: new Map(loaded.services.map((s) => [s.spec.image, 'img'])), secrets, hostPorts, runId: 'r1', cellId: `${scenario}/zed/docker`, backend: 'docker' });
    const values = Object.values(secrets.toJSON());
    t.true(values.length >= 4, scenario);
    const steps = [...plan.steps, ...[...plan.upgrades.values()].flatMap((u) => [...u.jobs, ...u.expand, ...u.contract, ...u.after])];
    const commands = steps.flatMap((s) => (s.kind === 'exec' ? [...s.command] : s.kind === 'service' || s.kind === 'run' ? [...(s.spec.command ?? [])] : []));
    const probes = steps.flatMap((s) => (s.kind === 'service' && s.spec.ready?.kind === 'exec' ? [...s.spec.ready.command] : []));
    for (const text of [...commands, ...probes]) for (const v of values) t.false(text.includes(v), `${scenario}: a secret in ${text.slice(0, 60)}`);
  }
});

test('the memory estimate adds up the recipes', async (t) => {
  const { plan } = await corePlan();
  t.is(plan.memoryMiB, 120 + 20 + 130 + 550 + 260 + 180);
});

test('upgrade jobs are rendered from the plan\'s own images and keep the service\'s configs and volumes', async (t) => {
  const loaded = await loadScenario('identity-upgrade', await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:trixie-test`]));
  const plan = buildPlan({ scenario: loaded, releaseName: '2025.1', release: loaded.releases.get('2025.1')!, images, secrets: new SecretStore(), hostPorts: { keystone: { '5000': 41000 }, mariadb: {}, memcached: {} }, runId: 'r1', cellId: 'identity-upgrade/zed/docker', backend: 'docker' });
  const jobs = plan.upgrades.get('keystone')!.jobs;
  t.deepEqual(jobs.map((j) => j.name), ['keystone-db-upgrade']);
  const job = jobs[0]!;
  if (job.kind !== 'run') return t.fail('expected a run job');
  t.is(job.spec.image, 'gategrid/keystone:trixie-test');
  t.regex(job.spec.command!.join(' '), /db_sync --expand[\s\S]*db_sync --contract/);
  t.deepEqual(job.spec.volumes.map((v) => v.target), ['/etc/keystone/fernet-keys', '/etc/keystone/credential-keys']);
  t.true(job.spec.files.some((f) => f.target === '/etc/keystone/keystone.conf'));
  t.deepEqual(plan.upgrades.get('mariadb')!.jobs, []);
  t.is(plan.owners.get('keystone-db-upgrade'), 'keystone');
});

test('every service that listens is an address known before anything starts; jobs and port-less services are not', async (t) => {
  const { plan } = await corePlan();
  t.deepEqual(planAddresses(plan).map((a) => `${a.name}:${a.listens.join(',')}`).sort(),
    ['glance-api:9292', 'keystone:5000', 'mariadb:3306', 'memcached:11211', 'placement-api:8778', 'rabbitmq:5672']);
});
