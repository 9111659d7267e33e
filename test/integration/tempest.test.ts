import test from 'ava';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Real Tempest (Debian's package) against a real core deployment whose catalog is wrong: the
// matching Tempest tests turn red. The green Tempest path is core.test.ts's green deployment.

test.serial('integration: a wrong keystone endpoint in the catalog turns the matching Tempest tests red, with traceback and repro', async (t) => {
  const out = await tempOut('tempest-broken');
  const run = await gategrid(['run', '--scenario', 'fixtures/scenarios/core-wrong-keystone-endpoint.yaml', '--release', 'zed', '--no-tempest-rerun', '--out', out]);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.is(cell.status, 'failed');
  const api = cell.checks.filter((c) => c.kind === 'api');
  t.true(api.length > 0 && api.every((c) => c.status === 'passed'), 'the public endpoints still work');
  const red = cell.checks.filter((c) => c.kind === 'tempest' && (c.status === 'failed' || c.status === 'error'));
  t.true(red.length > 0, 'Tempest saw the broken catalog');
  t.true(red.some((c) => typeof c.details?.traceback === 'string' && /Traceback/.test(c.details.traceback as string)));
  t.regex(run.all, /reproduce: npx gategrid run --scenario fixtures\/scenarios\/core-wrong-keystone-endpoint\.yaml --release zed --backend docker/);
  t.regex(run.all, /failed (setUpClass \()?tempest\.api\.identity\./);
  t.deepEqual(await leftovers(results.run.id), []);
});
