import test from 'ava';
import path from 'node:path';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ConfigError } from '../../harness/config/../errors.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { parseYamlText, validateYaml } from '../../harness/config/yaml-file.ts';
import { scenarioSchema, serviceSchema } from '../../harness/config/schemas.ts';
import { tempDir } from '../temp-dir.ts';

const fixture = (name: string) => path.join(repoRoot, 'fixtures', 'scenarios', name);

test('the shipped core scenario loads with its six recipes and a revision hash', async (t) => {
  const scenario = await loadScenario('core', await loadCatalogues());
  t.deepEqual(scenario.services.map((s) => s.spec.name), ['mariadb', 'memcached', 'rabbitmq', 'keystone', 'glance-api', 'placement-api']);
  t.regex(scenario.revision, /^[0-9a-f]{12}$/);
  t.is(scenario.releases.get('zed')?.suite, 'bookworm');
});

test('every shipped scenario loads', async (t) => {
  const catalogues = await loadCatalogues();
  for (const name of ['core', 'identity', 'identity-upgrade', 'core-upgrade', 'core-upgrade-rolling', 'compute', 'compute-upgrade', 'cloud']) await t.notThrowsAsync(loadScenario(name, catalogues));
});

test('an unknown field names the file, line, field path and the fix', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-unknown-field.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.file, fixture('bad-unknown-field.yaml'));
  t.is(error.field, 'checks');
  t.is(error.line, 6);
  t.regex(error.message, /unknown field\(s\) "logz"/);
});

test('a service without a recipe is named with its index and line', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-missing-service.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'services[1]');
  t.is(error.line, 4);
  t.regex(error.message, /no service recipe "keystone-typo"/);
});

test('a recipe depending on a service missing from the scenario is refused before anything starts', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-dependency.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.regex(error.file, /services\/keystone\/service\.yaml$/);
  t.is(error.field, 'after[0]');
  t.regex(error.message, /"mariadb" is not part of scenario "lonely-keystone"/);
});

test('a wrong type says what was expected', (t) => {
  const yaml = parseYamlText('x.yaml', 'name: core\nservices: mariadb\n');
  const error = t.throws(() => validateYaml(yaml, scenarioSchema), { instanceOf: ConfigError });
  t.is(error.field, 'services');
  t.is(error.line, 2);
  t.regex(error.message, /expected array/);
});

test('invalid YAML is reported with its line', (t) => {
  const error = t.throws(() => parseYamlText('y.yaml', 'name: core\nservices: [a,\n  b: c\n'), { instanceOf: ConfigError });
  t.regex(error.message, /^y\.yaml:\d+: \(file\): is not valid YAML/);
});

test('a misspelt recipe field in a job is an error, not ignored', (t) => {
  const yaml = parseYamlText('s.yaml', 'name: x\nservices: [a]\noverrides:\n  a:\n    varz: {}\n');
  const error = t.throws(() => validateYaml(yaml, scenarioSchema), { instanceOf: ConfigError });
  t.is(error.field, 'overrides.a');
  t.is(error.line, 5);
  t.regex(error.message, /"varz"/);
});

test('an upgrade path to an unknown release names the file, field, line and the known releases', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-upgrade-path.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'upgrade.paths.zed');
  t.is(error.line, 5);
  t.regex(error.message, /unknown release "2026\.1": known are victoria, zed, 2025\.1/);
});

test('an upgrade probe must name an endpoint of the scenario', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-upgrade-probe.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'upgrade.probe[1]');
  t.regex(error.message, /no service of the scenario has an endpoint "image" \(known: identity\)/);
});

test('a data-plane budget must name a service the upgrade moves, naming the file, field, line and the fix', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-upgrade-data-plane.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'upgrade.dataPlane.memcached');
  t.is(error.line, 9, 'where the entry\'s fields start');
  t.regex(error.message, /"memcached" is not in upgrade\.services: .*add it there or remove the entry/);
});

test('a recipe template path that leaves the service catalogue is refused, naming the field and the fix', async (t) => {
  const { cp, readFile, writeFile } = await import('node:fs/promises');
  const dir = await tempDir('gg-scenarios-');
  await cp(path.join(repoRoot, 'scenarios'), dir, { recursive: true });
  const recipe = path.join(dir, 'services', 'keystone', 'service.yaml');
  await writeFile(recipe, (await readFile(recipe, 'utf8')).replace('template: keystone.conf', 'template: ../../releases.yaml'));
  const error = await t.throwsAsync(loadScenario('identity', await loadCatalogues(dir)), { instanceOf: ConfigError });
  t.is(error.file, recipe);
  t.is(error.field, 'configs[0].template');
  t.regex(error.message, /template path \.\.\/\.\.\/releases\.yaml leaves the service catalogue/);
});

test('a service whose recipe says it stays (no supported upgrade path) is refused in upgrade.services, with the recipe\'s reason', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-upgrade-rabbitmq.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'upgrade.services[1]');
  t.is(error.line, 5);
  t.regex(error.message, /rabbitmq cannot be upgraded between these releases .*RabbitMQ 4\.0 upgrades only from 3\.13.*remove it from upgrade\.services/s);
});

test('a scenario\'s log allow-list names services of the scenario, and its patterns must be regular expressions', async (t) => {
  const unknown = await t.throwsAsync(loadScenario(fixture('bad-log-allow.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(unknown.field, 'logs.allow[0].services[1]');
  t.regex(unknown.message, /service "glance-api" is not in services/);
  const regex = await t.throwsAsync(loadScenario(fixture('bad-log-regex.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(regex.field, 'logs.allow[0].pattern');
  t.regex(regex.message, /not a valid regular expression/);
  // Issue 22: a pattern the engine without backtracking cannot run is refused when read, naming the fix.
  const slow = await t.throwsAsync(loadScenario(fixture('bad-log-regex-backtracking.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(slow.field, 'logs.allow[0].pattern');
  t.regex(slow.message, /cannot run in linear time .*drop lookahead/);
});

test('a recipe\'s privileges are named one by one with a reason: ALL, an unknown capability and a device outside /dev are refused', (t) => {
  const base = { name: 'libvirt', image: 'libvirt', memoryMiB: 100, ready: { exec: ['true'] } };
  const ok = serviceSchema.safeParse({ ...base, privileges: { capabilities: ['NET_ADMIN', 'SYS_ADMIN'], devices: ['/dev/net/tun'], seccomp: 'unconfined', reason: 'qemu makes taps and mounts its namespaces' } });
  t.true(ok.success);
  for (const privileges of [{ capabilities: ['ALL'], reason: 'everything please' }, { capabilities: ['NET_ADMIN'] }, { devices: ['/etc/passwd'], reason: 'no device at all' }, { privileged: true, reason: 'the easy way' }]) {
    t.false(serviceSchema.safeParse({ ...base, privileges }).success, JSON.stringify(privileges));
  }
});

test('a scenario\'s override adds to what a service waits for and replaces its privileges; an unknown name is refused in the scenario file', async (t) => {
  const catalogues = await loadCatalogues();
  const loaded = await loadScenario(fixture('compute-ovn.yaml'), catalogues);
  const compute = loaded.services.find((s) => s.spec.name === 'nova-compute')!.spec;
  t.true(compute.after.includes('libvirt') && compute.after.includes('rabbitmq'), 'added to the recipe\'s own');
  t.deepEqual(compute.privileges?.capabilities, ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'NET_ADMIN', 'SYS_ADMIN']);
  const plain = await loadScenario('compute', catalogues);
  t.is(plain.services.find((s) => s.spec.name === 'nova-compute')!.spec.privileges, undefined, 'the fake driver\'s compute gets none');
  const bad = scenarioSchema.parse({ name: 'x', services: ['memcached'], overrides: { memcached: { after: ['nowhere'] } } });
  t.deepEqual(bad.overrides['memcached']?.after, ['nowhere']);
  const error = await t.throwsAsync(loadScenario(fixture('bad-override-after.yaml'), catalogues), { instanceOf: ConfigError });
  t.is(error.field, 'overrides.memcached.after[0]');
  t.regex(error.message, /"nowhere" is neither a service nor a job/);
});

test('a workload names its probe among the scenario\'s services, with the line', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-workload-probe.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'workload.probe');
  t.is(error.line, 6);
  t.regex(error.message, /service "prober" is not in services/);
});

test('an unknown guest image is refused with the field, the line and the images there are, worded as a recipe\'s unknown image', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-workload-image.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'workload.guestImage');
  t.is(error.line, 5);
  t.regex(error.message, /unknown image "cirros": name an image of images\/images\.yaml in a catalogue \(.*known: .*\bguest\b/);
});

test('the workload checks without a workload section are refused with the fix', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('bad-workload-missing.yaml'), await loadCatalogues()), { instanceOf: ConfigError });
  t.is(error.field, 'checks.api[1]');
  t.regex(error.message, /add a workload section \(guestImage, probe\)/);
});

test('the cloud scenario needs its guest image besides its services\' images', async (t) => {
  const { cellImages } = await import('../../harness/matrix/cell.ts');
  const scenario = await loadScenario('cloud', await loadCatalogues());
  const images = cellImages({ id: 'x', scenario, releaseName: 'zed', release: scenario.releases.get('zed')!, backend: 'docker', tempest: { kind: 'none' } } as never);
  t.true(images.includes('guest'));
  t.true(images.includes('probe'));
  t.deepEqual(scenario.spec.workload?.external, { physicalNetwork: 'physnet1', cidr: '172.24.4.0/24', gateway: '172.24.4.1' });
});
