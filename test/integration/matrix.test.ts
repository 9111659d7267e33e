import test from 'ava';
import path from 'node:path';
import { execa } from 'execa';
import { gategrid, leftovers, loginWithOpenrc, readResults, tempOut } from './helpers.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import os from 'node:os';
import { docker } from '../../harness/docker-cli.ts';
import { LABEL_HOST, LABEL_OWNER, LABEL_PID, LABEL_RUN } from '../../harness/labels.ts';

// The matrix runner for real: identity (mariadb, memcached, keystone) on two releases at once,
// retries, kept cells, and what a killed run leaves (prune).

test.serial('integration: a cell that fails once and then passes is flaky, and green for the gate', async (t) => {
  const out = await tempOut('flaky');
  const run = await gategrid(['run', '--tempest', 'none', '--cell', 'identity/zed/docker', '--retries', '1', '--retry-failed',
    '--inject-fault', 'identity/zed/docker:kill=keystone,attempt=1', '--out', out]);
  t.is(run.exitCode, 0, run.all.slice(-3000));
  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'flaky');
  t.deepEqual(cell.attempts!.map((a) => a.status), ['failed', 'passed']);
  t.regex(run.all, /identity\/zed\/docker\s+flaky/);
});

// One run of two cells serves the matrix's isolation and --keep failed: the cells run at once, one
// is broken (its memcached killed once deployed), only that one turns red and only it is kept.
// (A cell red on every attempt stays red: test/runner/retries.test.ts, with an in-memory backend.)
test.serial('integration: identity on two releases at once; one cell broken turns only it red; --keep failed keeps only it up with a working openrc; gategrid down removes it', async (t) => {
  const out = await tempOut('two-releases-keep');
  const run = await gategrid(['run', '--tempest', 'none', '--scenario', 'identity', '--release', 'zed', '--release', '2025.1', '--concurrency', '2',
    '--keep', 'failed', '--inject-fault', 'identity/zed/docker:kill=memcached', '--out', out]);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const results = await readResults(out);
  const byId = Object.fromEntries(results.cells.map((c) => [c.id, c]));
  t.is(byId['identity/2025.1/docker']!.status, 'passed');
  const red = byId['identity/zed/docker']!;
  t.is(red.status, 'failed');
  t.is(red.checks.find((c) => c.id === 'smoke.service.memcached')?.status, 'failed', 'the dead memcached shows in the checks');
  t.regex(red.reason ?? '', /memcached/, 'the reason names what broke');
  // The two cells overlapped in time.
  const [a, b] = results.cells.map((c) => [Date.parse(c.startedAt!), Date.parse(c.startedAt!) + c.durationMs!]);
  t.true(a![0]! < b![1]! && b![0]! < a![1]!, 'the cells ran at the same time');

  t.true(red.kept);
  t.falsy(byId['identity/2025.1/docker']!.kept);
  const left = await leftovers(results.run.id);
  t.true(left.some((x) => x.startsWith('container')), 'the red cell is still up');
  const { stdout } = await execa('docker', ['ps', '--filter', `label=io.gategrid.run=${results.run.id}`, '--format', '{{.Label "io.gategrid.cell"}}']);
  t.deepEqual([...new Set(stdout.split('\n'))], ['identity/zed/docker'], 'only the red cell is kept');

  // The openrc of the kept cell logs in for real (keystone still runs: only memcached was killed).
  const session = await loginWithOpenrc(path.join(out, red.artifacts.kept!, 'openrc'));
  t.truthy(session.token);

  const down = await gategrid(['down', results.run.id]);
  t.is(down.exitCode, 0);
  t.deepEqual(await leftovers(results.run.id), []);
});

test.serial('integration: gategrid prune leaves nothing labelled after a kill -9 of a run', async (t) => {
  const out = await tempOut('kill9');
  const child = gategrid(['run', '--tempest', 'none', '--cell', 'identity/zed/docker', '--out', out]);
  let killed = false;
  child.all.on('data', (chunk: Buffer) => {
    if (!killed && /service mariadb passed/.test(String(chunk))) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  await child;
  t.true(killed);
  const results = await readResults(out);
  t.true((await leftovers(results.run.id)).length > 0, 'a killed run leaves things behind');
  const next = await gategrid(['list']);
  t.is(next.exitCode, 0);
  t.regex(next.all, new RegExp(`warning: run ${results.run.id} \\(pid \\d+, gone\\) left containers behind`));
  // A run whose process lives (here: this test's own process) is not a leftover: prune spares it,
  // so that it never pulls a concurrent run's containers from under it (the other integration test
  // files run beside this one: --all is not tried here for that reason).
  const liveRun = `live-${process.pid}`;
  await docker(['volume', 'create', '--label', `${LABEL_OWNER}=gategrid`, '--label', `${LABEL_RUN}=${liveRun}`,
    '--label', `${LABEL_PID}=${process.pid}`, '--label', `${LABEL_HOST}=${os.hostname()}`]);
  const prune = await execa(process.execPath, [path.join(repoRoot, 'harness/cli/main.ts'), 'prune'], { reject: false, all: true });
  t.is(prune.exitCode, 0, prune.all);
  t.deepEqual(await leftovers(results.run.id), []);
  t.is((await leftovers(liveRun)).length, 1, prune.all);
  t.regex(prune.all, new RegExp(`left alone: .*${liveRun}`));
  const down = await gategrid(['down', liveRun]);
  t.is(down.exitCode, 0, down.all);
  t.deepEqual(await leftovers(liveRun), []);
});

// What an interrupted run leaves: Ctrl-C tears everything down and keeps the results so far (the
// prune test above is the kill -9 that cannot). Here, beside it, so that the two files that end the
// suite end together.
test.serial('integration: Ctrl-C in the middle of the deploy tears everything down and keeps the results so far', async (t) => {
  const out = await tempOut('interrupt');
  const child = gategrid(['run', '--scenario', 'core', '--release', 'zed', '--tempest', 'none', '--out', out]);
  let sent = false;
  child.all.on('data', (chunk: Buffer) => {
    if (!sent && /service mariadb passed/.test(String(chunk))) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const run = await child;
  t.true(sent, 'the deploy was reached');
  t.is(run.exitCode, 130, run.all.slice(-3000));
  const results = await readResults(out);
  t.is(results.run.status, 'interrupted');
  t.is(results.cells[0]!.status, 'error');
  t.is(results.cells[0]!.reason, 'interrupted');
  t.true(results.cells[0]!.phases.some((p) => p.name === 'deploy/mariadb' && p.status === 'passed'), 'what was done is kept');
  t.deepEqual(await leftovers(results.run.id), []);
});
