import test from 'ava';
import { leftovers, readResults, runFixtureCatalogue } from './helpers.ts';

// Issue 22, scope 8: a service the kernel OOM-kills during Tempest (a fixture catalogue: beside
// keystone, a recipe with a hard memory limit whose leak starts when Tempest makes its first
// project) is red at its health check saying so, and the cell's reason names it, not the symptoms.
test('integration: a service OOM-killed by the kernel during Tempest is red at its health check saying so, and the cell\'s reason names it', async (t) => {
  const { run, out } = await runFixtureCatalogue('hog', 'hog');
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
