import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Issue 22, scope 8: a service the kernel OOM-kills during Tempest (a fixture catalogue: beside
// keystone, a recipe with a hard memory limit whose leak starts when Tempest makes its first
// project) is red at its health check saying so, and the cell's reason names it, not the symptoms.
test('integration: a service OOM-killed by the kernel during Tempest is red at its health check saying so, and the cell\'s reason names it', async (t) => {
  const dir = await tempOut('oom');
  const config = path.join(dir, 'gategrid.config.yaml');
  await writeFile(config, [
    `catalogues: [${path.join(repoRoot, 'fixtures/catalogues/hog')}, openstack]`,
    'matrix: { scenarios: [hog], releases: [zed], backends: [docker] }', '',
  ].join('\n'));
  const out = path.join(dir, 'out');
  const run = await gategrid(['run', '--config', config, '--out', out]);
  t.is(run.exitCode, 1, run.all?.slice(-3000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.is(cell.status, 'failed');
  const health = cell.checks.find((c) => c.id === 'health.hog');
  t.log(`health.hog: ${health?.message}\nreason: ${cell.reason}`);
  t.is(health?.status, 'failed', health?.message);
  t.regex(health?.message ?? '', /OOM-killed/);
  t.is(cell.checks.find((c) => c.id === 'health.keystone')?.status, 'passed');
  t.regex(cell.reason ?? '', /health\.hog.*OOM-killed/);
  // It died while Tempest ran, which still judged keystone green.
  const tempest = cell.phases.find((p) => p.name === 'tempest')!;
  t.is(tempest.status, 'passed', tempest.message);
  const died = /at (\d{2}:\d{2}:\d{2}) UTC/.exec(health?.message ?? '')?.[1];
  t.truthy(died, 'the health check says when');
  const from = new Date(tempest.startedAt).toISOString().slice(11, 19);
  const to = new Date(Date.parse(tempest.startedAt) + tempest.durationMs).toISOString().slice(11, 19);
  t.true(died! >= from && died! <= to, `died at ${died}, Tempest ran ${from}-${to}`);
  t.deepEqual(await leftovers(results.run.id), []);
});
