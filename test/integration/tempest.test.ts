import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';
import { shareHostWithDockerFiles } from './host-share.ts';

// Real Tempest (Debian's package) against a real core deployment.

// This file's deployments share the machine with one other Docker test file (host-share.ts).
shareHostWithDockerFiles(test);

test.serial('integration: Tempest smoke against core on zed is green, every test a check, counts in the phases', async (t) => {
  const out = await tempOut('tempest-smoke');
  const run = await gategrid(['run', '--scenario', 'core', '--release', 'zed', '--tempest', 'smoke', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /tempest:|PASSED|FAILED|ERROR/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.true(cell.status === 'passed' || cell.status === 'flaky', cell.reason);
  const tempest = cell.checks.filter((c) => c.kind === 'tempest');
  t.true(tempest.length >= 30, `only ${tempest.length} Tempest tests`);
  t.true(tempest.filter((c) => c.status === 'passed').length >= 10);
  t.true(tempest.some((c) => c.status === 'skipped' && (c.message ?? '').length > 0), 'skips carry their reason');
  t.deepEqual(tempest.filter((c) => c.status === 'failed' || c.status === 'error'), []);
  const phase = cell.phases.find((p) => p.name === 'tempest')!;
  t.is((phase.details as { total: number }).total, tempest.length);
  t.true(((phase.details as { wallMs: number }).wallMs) > 0);
  const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
  t.regex(junit, /classname="core\/zed\/docker\.tempest" name="tempest\.api\.identity\./);
  const conf = await readFile(path.join(out, cell.artifacts.tempest!, 'tempest.conf'), 'utf8');
  t.regex(conf, /admin_password = <secret:admin>/, 'the saved tempest.conf is redacted');
  t.deepEqual(await leftovers(results.run.id), []);
});

test.serial('integration: a wrong keystone endpoint in the catalog turns the matching Tempest tests red, with traceback and repro', async (t) => {
  const out = await tempOut('tempest-broken');
  const run = await gategrid(['run', '--scenario', 'fixtures/scenarios/core-wrong-keystone-endpoint.yaml', '--release', 'zed', '--no-tempest-rerun', '--out', out]);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'failed');
  const api = cell.checks.filter((c) => c.kind === 'api');
  t.true(api.length > 0 && api.every((c) => c.status === 'passed'), 'the public endpoints still work');
  const red = cell.checks.filter((c) => c.kind === 'tempest' && (c.status === 'failed' || c.status === 'error'));
  t.true(red.length > 0, 'Tempest saw the broken catalog');
  t.true(red.some((c) => typeof c.details?.traceback === 'string' && /Traceback/.test(c.details.traceback as string)));
  t.regex(run.all, /reproduce: npx gategrid run --scenario fixtures\/scenarios\/core-wrong-keystone-endpoint\.yaml --release zed --backend docker/);
  t.regex(run.all, /failed (setUpClass \()?tempest\.api\.identity\./);
});
