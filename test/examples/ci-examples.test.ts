import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../harness/config/paths.ts';
import { cliOptions } from '../../harness/cli/cli-options.ts';

// The CI examples parse, shard the matrix completely, and call gategrid with options it has.
const example = async (name: string) => parse(await readFile(path.join(repoRoot, 'examples/ci', name), 'utf8')) as unknown;

function gategridCalls(text: string): string[][] {
  return [...text.matchAll(/npx gategrid ([^\n"]+)/g)].map((m) => m[1]!.trim().split(/\s+/));
}

function optionsKnown(t: import('ava').ExecutionContext, calls: string[][]): void {
  for (const call of calls) {
    for (const word of call.filter((w) => w.startsWith('--'))) t.true(word.slice(2) in cliOptions, `gategrid has no option ${word}`);
  }
}

test('GitHub Actions: one job per shard covering every shard, and a merge job writing the matrix and the summary', async (t) => {
  const wf = await example('github-actions.yml') as { jobs: Record<string, { strategy?: { matrix: { shard: number[] } }; needs?: string; steps: Array<{ run?: string }> }> };
  const shards = wf.jobs.cells!.strategy!.matrix.shard;
  const text = await readFile(path.join(repoRoot, 'examples/ci/github-actions.yml'), 'utf8');
  const run = gategridCalls(text).find((c) => c[0] === 'run')!;
  const total = Number(/\/(\d+)$/.exec(run.find((w) => /\/\d+$/.test(w))!)![1]);
  t.deepEqual(shards, Array.from({ length: total }, (_, i) => i + 1));
  t.is(wf.jobs.matrix!.needs, 'cells');
  t.true(wf.jobs.matrix!.steps.some((s) => s.run?.includes('gategrid report --matrix stability-matrix.xlsx --markdown summary.md')));
  optionsKnown(t, gategridCalls(text));
});

test('Zuul: a job per shard covering every shard, each collecting its output', async (t) => {
  const config = await example('zuul.yaml') as Array<{ job?: { name: string; parent?: string; vars?: Record<string, number> }; project?: { check: { jobs: string[] } } }>;
  const jobs = config.flatMap((x) => (x.job ? [x.job] : []));
  const base = jobs.find((j) => j.name === 'gategrid-shard')!;
  const total = base.vars!.gategrid_shard_total!;
  const shards = jobs.filter((j) => j.parent === 'gategrid-shard').map((j) => j.vars!.gategrid_shard);
  t.deepEqual(shards.sort(), Array.from({ length: total }, (_, i) => i + 1));
  t.deepEqual(config.find((x) => x.project)!.project!.check.jobs, jobs.filter((j) => j.parent).map((j) => j.name));
  const runBook = await readFile(path.join(repoRoot, 'examples/ci/playbooks/gategrid-run.yaml'), 'utf8');
  t.truthy(parse(runBook));
  t.truthy(parse(await readFile(path.join(repoRoot, 'examples/ci/playbooks/gategrid-collect.yaml'), 'utf8')));
  optionsKnown(t, gategridCalls(runBook));
});

test('the CI examples upload no raw deployment logs unless asked (issue 22): logs/ is left out by default, in its own artifact on request', async (t) => {
  const wf = await example('github-actions.yml') as { jobs: Record<string, { steps: Array<{ if?: string; uses?: string; with?: { path?: string } }> }> };
  const uploads = wf.jobs.cells!.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact'));
  const always = uploads.filter((s) => s.if === 'always()');
  t.is(always.length, 1);
  t.regex(always[0]!.with!.path!, /^!gategrid-out\/shard-\$\{\{ matrix\.shard \}\}\/logs\/\*\*$/m, 'the results upload leaves logs/ out');
  const logs = uploads.filter((s) => s.with?.path?.trim().endsWith('/logs'));
  t.is(logs.length, 1);
  t.regex(logs[0]!.if ?? '', /vars\.GATEGRID_UPLOAD_LOGS == 'true'/, 'logs only when asked');
  const collect = parse(await readFile(path.join(repoRoot, 'examples/ci/playbooks/gategrid-collect.yaml'), 'utf8')) as Array<{ tasks: Array<{ synchronize?: { rsync_opts?: string } }> }>;
  const sync = collect[0]!.tasks.find((x) => x.synchronize)!.synchronize!;
  t.regex(sync.rsync_opts ?? '', /gategrid_upload_logs \| default\(false\).*--exclude=\/\*\/logs\//);
});
