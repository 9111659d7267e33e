import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Issue 22, scope 8: a service the kernel OOM-kills while the cell is in its checks (a fixture
// catalogue: a recipe with a hard memory limit and a leak that outgrows it) is red at its health
// check saying so, and the cell's reason names it, not the symptoms.
test('integration: a service OOM-killed by the kernel mid-cell is red at its health check saying so, and the cell\'s reason names it', async (t) => {
  const dir = await tempOut('oom');
  const config = path.join(dir, 'gategrid.config.yaml');
  await writeFile(config, [
    `catalogues: [${path.join(repoRoot, 'fixtures/catalogues/hog')}, openstack]`,
    'matrix: { scenarios: [hog], releases: [zed], backends: [docker] }', '',
  ].join('\n'));
  const out = path.join(dir, 'out');
  const run = await gategrid(['run', '--config', config, '--out', out]);
  t.is(run.exitCode, 1, run.all?.slice(-3000));
  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'failed');
  const health = cell.checks.find((c) => c.id === 'health.hog');
  t.is(health?.status, 'failed', health?.message);
  t.regex(health?.message ?? '', /OOM-killed/);
  t.is(cell.checks.find((c) => c.id === 'health.bystander')?.status, 'passed');
  t.is(cell.checks.find((c) => c.id === 'probe.meanwhile')?.status, 'passed', 'the cell was in its checks when it happened');
  t.log(`health.hog: ${health?.message}\nreason: ${cell.reason}`);
  t.regex(cell.reason ?? '', /health\.hog.*OOM-killed/);
  t.deepEqual(await leftovers((await readResults(out)).run.id), []);
});
