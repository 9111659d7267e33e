import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runnerChecks } from '../../../harness/checks/runners/runner-checks.ts';
import type { Environment, JobSpec } from '../../../harness/backends/backend.ts';
import type { RenderedRunner } from '../../../harness/deploy/plan.ts';
import { tempDir } from '../../temp-dir.ts';

// A runner's results become checks that fail for the right reason: a failed test red with its
// diagnostics, a runner that leaves no results file red saying so, one that cannot start an error;
// no file kept holds a secret the runner was given. The job itself is the backend's (tested on the
// real engine by the starter's tarball test): here an environment that writes what a runner would.

const SECRET = 'pw-9f3c2a71d0e8';
const runner = (format: RenderedRunner['results']['format']): RenderedRunner => ({
  name: 'suite', image: 'cache', command: ['sh', '-c', 'run-the-suite'], env: { DB_PASSWORD: SECRET },
  results: { file: '/tmp/out/results.tap', format }, timeoutMs: 60_000,
});

function environment(writes: string | undefined, fail?: Error): { env: Environment; jobs: JobSpec[] } {
  const jobs: JobSpec[] = [];
  const env = {
    async runJob(spec: JobSpec) {
      jobs.push(spec);
      if (fail) throw fail;
      if (writes !== undefined) await writeFile(path.join(spec.outputs!.to, spec.outputs!.files[0]!), writes);
      return { exitCode: 1, output: '' };
    },
    logFile: (name: string) => `/logs/${name}.log`,
  } as unknown as Environment;
  return { env, jobs };
}
const redact = (text: string) => text.replaceAll(SECRET, '[redacted]');

test('a failed TAP test is a red check with its diagnostics; the secret reaches neither the check nor the kept file', async (t) => {
  const dir = await tempDir('runner-');
  const { env, jobs } = environment(`1..2\nok 1 - connects\nnot ok 2 - rows survive\n# expected 3 rows, got 2 (as ${SECRET})\n`);
  const checks = await runnerChecks(runner('tap'), { env, artifactDir: dir, redact });
  t.deepEqual(checks.map((c) => `${c.id} ${c.kind} ${c.status}`), ['runner.suite.1 connects runner passed', 'runner.suite.2 rows survive runner failed']);
  t.is(checks[1]!.message, 'expected 3 rows, got 2 (as [redacted])');
  t.deepEqual(jobs[0]!.env, { DB_PASSWORD: SECRET }, 'the secret travels in the environment');
  t.false((jobs[0]!.command ?? []).join(' ').includes(SECRET), 'never in argv');
  t.deepEqual(await readdir(dir), ['suite-results.tap'], 'only the redacted copy is kept');
  t.false((await readFile(path.join(dir, 'suite-results.tap'), 'utf8')).includes(SECRET));
});

test('a runner that leaves no results file is red at runner.NAME, naming the file and its log', async (t) => {
  const dir = await tempDir('runner-');
  const checks = await runnerChecks(runner('tap'), { env: environment(undefined).env, artifactDir: dir, redact });
  t.is(checks.length, 1);
  t.is(checks[0]!.id, 'runner.suite');
  t.is(checks[0]!.status, 'failed');
  t.regex(checks[0]!.message!, /left no results file \/tmp\/out\/results\.tap \(exit 1\); its log: \/logs\/runner-suite\.log/);
});

test('a results file with no test in it is red; a runner that cannot start is an error, not a failed test', async (t) => {
  const dir = await tempDir('runner-');
  const empty = await runnerChecks(runner('junit'), { env: environment('<testsuites/>').env, artifactDir: dir, redact });
  t.deepEqual(empty.map((c) => [c.id, c.status]), [['runner.suite', 'failed']]);
  t.regex(empty[0]!.message!, /holds no test/);
  const broken = await runnerChecks(runner('tap'), { env: environment(undefined, new Error('image cache not found')).env, artifactDir: dir, redact });
  t.deepEqual(broken.map((c) => [c.id, c.status]), [['runner.suite', 'error']]);
  t.regex(broken[0]!.message!, /could not run: image cache not found/);
});
