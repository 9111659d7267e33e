import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runResultsJob } from '../../../harness/checks/runners/results-job.ts';
import { encodeSubunitV2, parseSubunitV2 } from '../../../harness/checks/runners/subunit-v2.ts';
import type { Environment, JobSpec } from '../../../harness/backends/backend.ts';
import { tempDir } from '../../temp-dir.ts';

// The one path project runners and Tempest take: the results file and the files beside it are kept
// only redacted, under the names the caller gives, a binary subunit stream rewritten packet by
// packet so it still parses; what is returned to be parsed is the stream as the runner wrote it.

const SECRET = 'pw-51c0ffee77aa';
const redact = (text: string) => text.replaceAll(SECRET, '[redacted]');

function environment(writes: Record<string, Buffer | string>): { env: Environment; jobs: JobSpec[] } {
  const jobs: JobSpec[] = [];
  const env = {
    async runJob(spec: JobSpec) {
      jobs.push(spec);
      for (const [name, data] of Object.entries(writes)) if (spec.outputs!.files.includes(name)) await writeFile(path.join(spec.outputs!.to, name), data);
      return { exitCode: 0, output: '' };
    },
  } as unknown as Environment;
  return { env, jobs };
}

test('a subunit stream and the log beside it are kept redacted under the caller\'s names; the stream kept still parses; the raw bytes are returned', async (t) => {
  const dir = await tempDir('results-job-');
  const stream = Buffer.concat([
    encodeSubunitV2({ testId: 'test_login', status: 'fail', timestamp: new Date(), fileName: 'traceback', fileBytes: Buffer.from(`AuthError: password ${SECRET} refused\n`) }),
    encodeSubunitV2({ testId: 'test_list', status: 'success', timestamp: new Date() }),
  ]);
  const { env, jobs } = environment({ 'results.subunit': stream, 'tempest.log': `DEBUG token ${SECRET}\n` });
  const outcome = await runResultsJob(env, {
    name: 'tempest', image: 'tempest', env: {}, files: [], volumes: [], ports: [], timeoutMs: 1000,
    results: { file: '/ws/out/results.subunit', format: 'subunit' }, alongside: ['tempest.log'],
  }, dir, (file) => (file === 'results.subunit' ? 'tempest.subunit' : 'tempest-own.log'), redact);
  t.deepEqual(jobs[0]!.outputs, { dir: '/ws/out', files: ['results.subunit', 'tempest.log'], to: dir });
  t.deepEqual(outcome.results, stream, 'parsed as written');
  t.deepEqual((await readdir(dir)).sort(), ['tempest-own.log', 'tempest.subunit']);
  const kept = await readFile(path.join(dir, 'tempest.subunit'));
  t.false(kept.toString('latin1').includes(SECRET));
  const events = parseSubunitV2(kept).events;
  t.deepEqual(events.map((e) => e.testId), ['test_login', 'test_list']);
  t.is(events[0]!.fileBytes!.toString('utf8'), 'AuthError: password [redacted] refused\n');
  t.is(await readFile(path.join(dir, 'tempest-own.log'), 'utf8'), 'DEBUG token [redacted]\n');
});

test('a runner that leaves no results file returns none and keeps nothing', async (t) => {
  const dir = await tempDir('results-job-');
  const outcome = await runResultsJob(environment({}).env, {
    name: 'runner-x', image: 'x', env: {}, files: [], volumes: [], ports: [], timeoutMs: 1000, results: { file: '/out/r.xml', format: 'junit' },
  }, dir, (file) => `x-${file}`, redact);
  t.is(outcome.results, undefined);
  t.deepEqual(await readdir(dir), []);
});
