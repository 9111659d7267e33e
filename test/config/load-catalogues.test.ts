import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues, SHIPPED_CATALOGUE } from '../../harness/config/load-catalogues.ts';
import { loadConfig } from '../../harness/config/load-config.ts';
import { scenariosDir } from '../../harness/config/paths.ts';
import { ConfigError, UsageError } from '../../harness/errors.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan } from '../../harness/deploy/plan.ts';
import { tempDir } from '../temp-dir.ts';

// Issue 24: catalogues as a search path. A project's own catalogue (a scenario, its recipes, an
// image on the shipped base) before the shipped one; a name both define is refused naming both files.

async function projectCatalogue(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await tempDir('gategrid-catalogue-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const WEB = 'name: web\nimage: web\nmemoryMiB: 64\nready: { tcp: 80 }\nports: [80]\n';
const OWN = {
  'web-app.yaml': 'name: web-app\nservices: [web, memcached]\nchecks: { smoke: true, api: [], logs: true }\n',
  'services/web/service.yaml': WEB,
  'images/images.yaml': 'images:\n  web: { from: base }\n',
  'images/web/Dockerfile': 'ARG BASE\nFROM ${BASE}\n',
};

test('a project\'s catalogue before the shipped one: its scenario finds its own recipe and image, and the shipped recipe, image and releases', async (t) => {
  const own = await projectCatalogue(OWN);
  const catalogues = await loadCatalogues([own, scenariosDir]);
  t.deepEqual(catalogues.dirs, [own, scenariosDir]);
  t.is(catalogues.scenarios.get('web-app'), path.join(own, 'web-app.yaml'));
  t.is(catalogues.scenarios.get('core'), path.join(scenariosDir, 'core.yaml'), 'the shipped scenarios are there too');
  t.like(catalogues.images.get('web'), { kind: 'built', dir: path.join(own, 'images', 'web') });
  const loaded = await loadScenario('web-app', catalogues);
  t.deepEqual(loaded.services.map((s) => s.dir), [path.join(own, 'services', 'web'), path.join(scenariosDir, 'services', 'memcached')]);
  t.true(loaded.releases.has('zed'), 'the shipped releases');
  // Without the shipped catalogue, its parent image and recipe are unknown, each error naming where.
  const orphan = await t.throwsAsync(loadCatalogues([own]), { instanceOf: ConfigError });
  t.is(orphan!.message, `${path.join(own, 'images', 'images.yaml')}: images.web.from: unknown parent image "base": use "@base" or one of web`);
  const alone = await loadCatalogues([await projectCatalogue({ ...OWN, 'images/images.yaml': 'images:\n  web: { from: "@base" }\n' })]);
  const error = await t.throwsAsync(loadScenario('web-app', alone), { instanceOf: ConfigError });
  t.regex(error!.message, /web-app\.yaml:\d+: services\[1\]: no service recipe "memcached" \(expected services\/memcached\/service\.yaml in a catalogue: /);
});

test('a name two catalogues define is an error naming both files', async (t) => {
  for (const [file, kind, field] of [
    ['services/keystone/service.yaml', 'service recipe', 'name'],
    ['identity.yaml', 'scenario', '(file)'],
  ] as const) {
    const own = await projectCatalogue({ ...OWN, [file]: file.endsWith('service.yaml') ? WEB.replace('name: web', 'name: keystone') : OWN['web-app.yaml'] });
    const error = await t.throwsAsync(loadCatalogues([own, scenariosDir]), { instanceOf: ConfigError });
    t.is(error!.message, `${path.join(scenariosDir, file)}: ${field}: ${kind} "${file.includes('keystone') ? 'keystone' : 'identity'}" is also defined by ${path.join(own, file)} (an earlier catalogue): rename one, or leave one catalogue out of gategrid.config.yaml's catalogues`);
  }
  const release = await projectCatalogue({ 'releases.yaml': 'releases:\n  zed: { suite: bookworm, version: Zed }\n' });
  const clash = await t.throwsAsync(loadCatalogues([release, scenariosDir]), { instanceOf: ConfigError });
  t.regex(clash!.message, new RegExp(`^${path.join(scenariosDir, 'releases.yaml')}: releases\\.zed: release "zed" is also defined by ${path.join(release, 'releases.yaml')}`));
  const image = await projectCatalogue({ 'images/images.yaml': 'images:\n  keystone: { from: "@base" }\n' });
  await t.throwsAsync(loadCatalogues([image, scenariosDir]), { instanceOf: ConfigError, message: /images\.keystone: image "keystone" is also defined by/ });
});

test('the config\'s catalogues: folders from the config file\'s folder and the shipped one by name; a missing folder is refused with its line', async (t) => {
  const own = await projectCatalogue(OWN);
  await writeFile(path.join(own, 'gategrid.config.yaml'), `catalogues: [".", ${SHIPPED_CATALOGUE}]\nmatrix: { scenarios: [web-app], releases: [zed] }\n`);
  const { config } = await loadConfig(path.join(own, 'gategrid.config.yaml'));
  t.deepEqual(config.catalogues, [own, scenariosDir]);
  await writeFile(path.join(own, 'bad.yaml'), `matrix: { scenarios: [web-app], releases: [zed] }\ncatalogues:\n  - ${SHIPPED_CATALOGUE}\n  - ./nowhere\n`);
  const error = await t.throwsAsync(loadConfig(path.join(own, 'bad.yaml')), { instanceOf: ConfigError });
  t.is(error!.message, `${path.join(own, 'bad.yaml')}:4: catalogues[1]: no such folder ${path.join(own, 'nowhere')}: name a catalogue folder (relative to this file) or "openstack", the one gategrid ships`);
  // The default: the shipped catalogue alone.
  await writeFile(path.join(own, 'default.yaml'), 'matrix: { scenarios: [core], releases: [zed] }\n');
  t.deepEqual((await loadConfig(path.join(own, 'default.yaml'))).config.catalogues, [scenariosDir]);
  await t.throwsAsync(loadScenario('nothing-like-it', await loadCatalogues()), { instanceOf: UsageError, message: /unknown scenario "nothing-like-it": known are cloud, cloud-upgrade, compute/ });
});

// A release is the catalogue's data: a suite, the deployment's own version name, and vars its recipes read.
test('a project\'s releases: any Debian suite, its own version name, and vars its recipes read as {{ release.vars.NAME }}', async (t) => {
  const own = await projectCatalogue({
    ...OWN, 'images/images.yaml': 'images:\n  web: { from: "@base" }\n',
    'releases.yaml': 'releases:\n  v1: { suite: bookworm, version: "1.0", vars: { greeting: hello-one } }\n  v2: { suite: trixie }\n',
    'web-app.yaml': 'name: web-app\nservices: [web]\nchecks: { smoke: true, api: [], logs: true }\n',
    'services/web/service.yaml': `${WEB}env: { GREETING: "{{ release.vars.greeting }} from {{ release.version }}" }\n`,
  });
  const catalogues = await loadCatalogues([own]);
  t.deepEqual(catalogues.releases.get('v2'), { suite: 'trixie', vars: {} });
  const loaded = await loadScenario('web-app', catalogues);
  const plan = buildPlan({ scenario: loaded, releaseName: 'v1', release: catalogues.releases.get('v1')!, images: new Map([['web', 'gategrid/web:test']]),
    secrets: new SecretStore(), hostPorts: { web: { 80: 42000 } }, runId: 'r1', cellId: 'web-app/v1/docker', backend: 'docker' });
  const web = plan.steps.find((s) => s.name === 'web')!;
  t.is(web.kind === 'service' ? web.spec.env.GREETING : undefined, 'hello-one from 1.0');
  const bad = await projectCatalogue({ 'releases.yaml': 'releases:\n  v1: { suite: Bookworm 12, openstack: Zed }\n' });
  const error = await t.throwsAsync(loadCatalogues([bad]), { instanceOf: ConfigError });
  t.regex(error!.message, /releases\.yaml:2: releases\.v1(\.suite)?: /);
});

// Checks as data are judged before anything starts: where an exec runs, names given once, a port that renders to a number.
test('probes: an exec in no service of the scenario, a scenario\'s exec naming none, a name twice and a port that is no number are refused with file and field', async (t) => {
  const own = async (probes: string, recipeProbes = '') => loadCatalogues([await projectCatalogue({
    ...OWN, 'images/images.yaml': 'images:\n  web: { from: "@base" }\n',
    'web-app.yaml': `name: web-app\nservices: [web]\nchecks:\n  probes:\n${probes}`,
    'services/web/service.yaml': `${WEB}${recipeProbes}`,
  })]);
  const cases: Array<[string, string, RegExp]> = [
    ['    - { name: ping, exec: { service: cache, command: [redis-cli, ping] } }\n', '', /web-app\.yaml:5: checks\.probes\[0\]\.exec\.service: "cache" is not a service of scenario web-app: name one of web/],
    ['    - { name: ping, exec: { command: ["true"] } }\n', '', /checks\.probes\[0\]\.exec\.service: a scenario's exec probe must name the service it runs in \(one of web\)/],
    ['    - { name: page, http: { url: "http://127.0.0.1/" } }\n    - { name: page, tcp: { port: 80 } }\n', '', /checks\.probes\[1\]\.name: "page" is used twice/],
    ['    - { name: page, http: { url: "http://127.0.0.1/" }, tcp: { port: 80 } }\n', '', /give exactly one of http, tcp or exec/],
    ['    - { name: page, http: { url: "http://127.0.0.1/", matches: "(a+)+\\\\1" } }\n', '', /cannot run in linear time|not a valid regular expression/],
    ['    []\n', 'probes:\n  - { name: self, exec: { service: db, command: ["true"] } }\n', /services\/web\/service\.yaml: probes\[0\]\.exec\.service: "db" is not a service/],
  ];
  for (const [probes, recipe, message] of cases) {
    const error = await t.throwsAsync(async () => loadScenario('web-app', await own(probes.replace('    []\n', '    - { name: up, tcp: { port: 80 } }\n'), recipe)), { instanceOf: ConfigError });
    t.regex(error!.message, message);
  }
  // A port template that renders to no number is refused by the plan's dry run (preflight), before the images.
  const catalogues = await own('    - { name: cache, tcp: { port: "{{ release.suite }}" } }\n');
  const loaded = await loadScenario('web-app', catalogues);
  const error = t.throws(() => buildPlan({ scenario: loaded, releaseName: 'zed', release: { suite: 'bookworm', vars: {} }, images: new Map([['web', 'gategrid/web:test']]),
    secrets: new SecretStore(), hostPorts: { web: { 80: 42000 } }, runId: 'r1', cellId: 'web-app/zed/docker', backend: 'docker' }), { instanceOf: ConfigError });
  t.regex(error!.message, /web-app\.yaml: checks\.probes\[0\]\.tcp\.port: is "\{\{ release\.suite \}\}", which renders to no port number/);
});

test('images by reference: a prebuilt image in images.yaml, a recipe built on it; a bad digest is refused with its field', async (t) => {
  const catalogues = await loadCatalogues([await projectCatalogue({
    'images/images.yaml': `images:\n  app: { ref: "registry.example.org/team/app:{suite}", digest: "sha256:${'a'.repeat(64)}" }\n  app-debug: { from: app }\n`,
  })]);
  t.deepEqual(catalogues.images.get('app'), { kind: 'prebuilt', name: 'app', ref: 'registry.example.org/team/app:{suite}', digest: `sha256:${'a'.repeat(64)}` });
  t.like(catalogues.images.get('app-debug'), { kind: 'built', from: 'app' });
  const bad = await projectCatalogue({ 'images/images.yaml': 'images:\n  app: { ref: "registry.example.org/team/app:1", digest: "md5:abc" }\n' });
  const error = await t.throwsAsync(loadCatalogues([bad]), { instanceOf: ConfigError });
  t.regex(error!.message, /images\.yaml:2: images\.app/);
});
