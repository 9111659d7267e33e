import test from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gategrid, leftovers, loginWithOpenrc, readResults, tempOut } from './helpers.ts';

// Issue 25's debugging loop, for real: identity on zed deployed and stopped after its deploy, as
// grenade stops after a named phase: its verdict so far recorded, the cell kept with a working
// openrc, nothing merged into the shared history, and gategrid down removes it.
test.serial('integration: --stop-after deploy stops there and keeps the cell (its openrc logs in), merges nothing, and gategrid down removes it', async (t) => {
  const out = await tempOut('stop-after');
  const run = await gategrid(['run', '--cell', 'identity/zed/docker', '--stop-after', 'deploy', '--out', out]);
  const results = await readResults(out);
  try {
    t.is(run.exitCode, 0, run.all.slice(-3000));
    const cell = results.cells[0]!;
    t.is(cell.status, 'passed');
    t.is(cell.stoppedAfter, 'deploy');
    t.true(cell.kept);
    t.deepEqual(cell.phases.filter((p) => !p.name.includes('/')).map((p) => p.name), ['images', 'environment', 'deploy', 'teardown']);
    t.deepEqual(cell.checks, [], 'no check ran after the deploy');
    t.regex(run.all, /--stop-after deploy: checks, tempest, health, logs will not run; the cell is kept/);
    t.false(existsSync(path.join(out, 'stability-matrix.xlsx')), 'a debugging run stays out of the shared history');
    const session = await loginWithOpenrc(path.join(out, cell.artifacts.kept!, 'openrc'));
    t.truthy(session.token, 'the kept keystone answers');
  } finally {
    const down = await gategrid(['down', results.run.id]);
    t.is(down.exitCode, 0, down.all);
  }
  t.deepEqual(await leftovers(results.run.id), []);
});

// --repeat: the same cell three times, one run after another, each a run of its own merged into one
// stability matrix, then each check's red rate over them; that real workbook then gives the
// release's go (green in each of its last 3 runs, the default criterion), and its badge.
test.serial('integration: --repeat 3 runs identity three times, each its own run in one matrix, reports no check red, and release-status says go from that workbook', async (t) => {
  const out = await tempOut('repeat');
  const run = await gategrid(['run', '--cell', 'identity/zed/docker', '--tempest', 'none', '--repeat', '3', '--out', out]);
  t.is(run.exitCode, 0, run.all.slice(-3000));
  t.regex(run.all, /--repeat 3: run 1 of 3/);
  t.regex(run.all, /--repeat 3: 3 of 3 run\(s\) green for the gate; 0 of \d+ check\(s\) went red at least once/);
  const runs = await Promise.all([1, 2, 3].map((i) => readResults(path.join(out, `run-${i}`))));
  t.is(new Set(runs.map((r) => r.run.id)).size, 3);
  t.is(runs[2]!.cells[0]!.status, 'passed');
  const matrix = path.join(out, 'stability-matrix.xlsx');
  t.true(existsSync(matrix));
  const status = await gategrid(['release-status', '--release', 'zed', '--matrix', matrix, '--badges', path.join(out, 'badges')]);
  t.is(status.exitCode, 0, status.all);
  t.regex(status.all, /^zed\/docker: GO \(1 cell\(s\), 3 run\(s\)\)$/m);
  t.true(existsSync(path.join(out, 'badges', 'zed-docker.svg')));
  for (const r of runs) t.deepEqual(await leftovers(r.run.id), []);
});
