import test from 'ava';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../harness/config/paths.ts';
import { tempDir } from '../temp-dir.ts';
import { leftovers } from './helpers.ts';
import type { RunResult } from '../../harness/results/model.ts';

// Issue 24: gategrid as a tool a project installs. Packed as it would be published (`npm pack`:
// prepack compiles it to dist/), installed into a new project outside the checkout (npm's cache
// answers the dependencies), then used there as that project's README says: init, list, run. The
// project's own two services (nginx and Redis from Debian's packages) are built and deployed on
// both its releases, and a broken recipe of its own gets the usual file:line: field error.

const inProject = (dir: string, args: string[], timeout = 20 * 60_000) =>
  execa('npx', ['--no-install', 'gategrid', ...args], { cwd: dir, reject: false, all: true, timeout, env: { PATH: `${path.join(dir, 'node_modules', '.bin')}:${process.env.PATH}` } });

test('integration: installed from its packed tarball into a new project, `gategrid init` then `gategrid run` deploy the project\'s own scenario green; its broken recipe gets file:line: field', async (t) => {
  const packs = await tempDir('gategrid-pack-');
  const packed = await execa('npm', ['pack', '--pack-destination', packs], { cwd: repoRoot, reject: false, all: true, timeout: 5 * 60_000 });
  t.is(packed.exitCode, 0, packed.all?.slice(-2000));
  const tarball = path.join(packs, (await readdir(packs)).find((f) => f.endsWith('.tgz'))!);
  const project = await tempDir('gategrid-project-');
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'my-deployment', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const installed = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, reject: false, all: true, timeout: 10 * 60_000 });
  t.is(installed.exitCode, 0, installed.all?.slice(-2000));
  // What was installed is the package, not a link into this checkout, and it runs its compiled copy.
  const manifest = JSON.parse(await readFile(path.join(project, 'node_modules', 'gategrid', 'package.json'), 'utf8')) as { name: string };
  t.is(manifest.name, 'gategrid');
  t.false((await readdir(path.join(project, 'node_modules', 'gategrid'))).includes('test'), 'the tests are not shipped');

  const init = await inProject(project, ['init']);
  t.is(init.exitCode, 0, init.all);
  t.regex(init.all ?? '', /wrote gategrid\.config\.yaml and catalogue\//);
  const list = await inProject(project, ['list']);
  t.is(list.exitCode, 0, list.all);
  t.deepEqual((list.stdout ?? '').trim().split('\n'), [
    'hello/bookworm/docker', 'hello/trixie/docker', 'hello-upgrade/bookworm/docker',
    'hello-upgrade/trixie/docker  (skipped: no upgrade path from trixie (upgrade.paths in catalogue/hello-upgrade.yaml))',
  ], 'the project\'s matrix alone');

  const run = await inProject(project, ['run']);
  t.log((run.all ?? '').split('\n').filter((l) => /PASSED|FAILED|image (web|cache) built|gategrid run/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all?.slice(-3000));
  const report = /report: (\S+)\/report\.html/.exec(run.stdout ?? '')?.[1];
  t.truthy(report, 'the run names its report');
  t.true(report!.startsWith(path.join(project, 'gategrid-out')), `results under the project: ${report}`);
  const results = JSON.parse(await readFile(path.join(report!, 'results.json'), 'utf8')) as RunResult;
  t.deepEqual(results.cells.map((c) => `${c.id} ${c.status}`), ['hello/bookworm/docker passed', 'hello/trixie/docker passed', 'hello-upgrade/bookworm/docker passed', 'hello-upgrade/trixie/docker skipped']);
  // Its checks as data ran on each release: the scenario's HTTP and TCP probes, the cache recipe's exec probes.
  for (const cell of results.cells.filter((c) => c.id.startsWith('hello/'))) {
    const probes = cell.checks.filter((c) => c.kind === 'probe').map((c) => `${c.id} ${c.status}`);
    t.deepEqual(probes, ['probe.page-names-its-release passed', 'probe.cache-port passed', 'probe.cache.answers-ping passed', 'probe.cache.keeps-a-key passed'], cell.id);
    t.true(cell.checks.some((c) => c.id === 'smoke.endpoint.page' && c.status === 'passed'));
    // Its own test suite's TAP, read into checks: two passed, one skipped with its reason.
    const runner = cell.checks.filter((c) => c.kind === 'runner').map((c) => `${c.id} ${c.status}`);
    t.deepEqual(runner, ['runner.cache-suite.1 cache answers by its name passed', 'runner.cache-suite.2 a key set is read back passed', 'runner.cache-suite.3 the page over HTTP skipped'], cell.id);
  }
  t.regex(results.cells[1]!.checks.find((c) => c.id === 'probe.page-names-its-release')!.message ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/: 200, body matches/);
  // The upgrade (bookworm → trixie, in place): the key written before it is read back while nginx
  // is down and after the whole upgrade, then deleted; the page's outage measured.
  const upgrade = results.cells.find((c) => c.id === 'hello-upgrade/bookworm/docker')!;
  const byId = new Map(upgrade.checks.map((c) => [c.id, c]));
  for (const id of ['upgrade.service.cache', 'upgrade.service.web', 'upgrade.data.create.write-a-key', 'upgrade.while-down.web.data', 'upgrade.data.verify.read-it-back', 'upgrade.data.cleanup.delete-it', 'upgrade.downtime.page']) {
    t.is(byId.get(id)?.status, 'passed', `${id}: ${byId.get(id)?.message ?? 'absent'}`);
  }
  t.false(byId.has('upgrade.while-down.cache.data'), 'not verified while the cache that holds it was down');
  t.regex(byId.get('upgrade.data.verify.read-it-back')!.message ?? '', /cache: redis-cli get kept-over-the-upgrade: exit 0, output matches \/\^written on bookworm\$\//);
  t.deepEqual(await leftovers(results.run.id), []);

  // A broken recipe of the project's own: the error names its file, line and field, before anything starts.
  const recipe = path.join(project, 'catalogue', 'services', 'web', 'service.yaml');
  await writeFile(recipe, (await readFile(recipe, 'utf8')).replace('memoryMiB: 40', 'memoryMiB: forty'));
  const broken = await inProject(project, ['run']);
  t.is(broken.exitCode, 2, broken.all);
  t.regex(broken.stderr ?? '', new RegExp(`${recipe.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: memoryMiB: `));
});
