import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '../../harness/results/model.ts';
import { JsonReporter } from '../../reports/json-reporter.ts';
import { JunitReporter, renderJunit } from '../../reports/junit-reporter.ts';
import { ReporterMultiplexer } from '../../reports/multiplexer.ts';
import { renderSummary } from '../../reports/console-reporter.ts';
import { tempDir } from '../temp-dir.ts';

function sampleRun(): RunResult {
  return {
    schemaVersion: 1,
    run: { id: 'r1', startedAt: '2026-11-22T00:00:00.000Z', gategridVersion: '0.1.0' },
    cells: [
      {
        id: 'core/zed/docker', scenario: 'core', release: 'zed', backend: 'docker', status: 'failed', reason: 'api.image.lifecycle: upload answered 500',
        phases: [{ name: 'deploy', status: 'passed', startedAt: '2026-11-22T00:00:01.000Z', durationMs: 40000 }],
        checks: [
          { id: 'smoke.service.keystone', kind: 'smoke', status: 'passed', durationMs: 12 },
          { id: 'api.image.lifecycle', kind: 'api', status: 'failed', durationMs: 300, message: 'upload answered 500 <&>' },
          { id: 'logs.keystone', kind: 'logs', status: 'error', durationMs: 1, message: 'cannot read' },
        ],
        repro: 'npx gategrid run --scenario core --release zed --backend docker',
        artifacts: { logs: 'logs/core-zed-docker/' },
      },
      { id: 'core/victoria/docker', scenario: 'core', release: 'victoria', backend: 'docker', status: 'skipped', reason: 'not packaged', phases: [], checks: [], repro: 'x', artifacts: { logs: 'logs/core-victoria-docker/' } },
    ],
  };
}

test('junit: a suite per cell, a case per check, failures and errors with the repro command', (t) => {
  const xml = renderJunit(sampleRun());
  t.regex(xml, /<testsuite name="core\/zed\/docker" tests="3" failures="1" errors="1" skipped="0"/);
  t.regex(xml, /<failure message="upload answered 500 &lt;&amp;&gt;">/);
  t.regex(xml, /repro: npx gategrid run --scenario core --release zed --backend docker/);
  t.regex(xml, /<testsuite name="core\/victoria\/docker" tests="1" failures="0" errors="0" skipped="1"/);
});

test('results.json and junit.xml are written, and readable back', async (t) => {
  const dir = await tempDir('gg-report-');
  const run = sampleRun();
  const json = new JsonReporter(dir);
  const junit = new JunitReporter(dir);
  json.onRunEnd(run);
  junit.onRunEnd(run);
  const back = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  t.deepEqual(back, run);
  t.regex(await readFile(path.join(dir, 'junit.xml'), 'utf8'), /^<\?xml/);
});

test('one crashing reporter never stops the others', async (t) => {
  const seen: string[] = [];
  const mux = new ReporterMultiplexer([
    { name: 'broken', onRunEnd() { throw new Error('disk full'); } },
    { name: 'fine', onRunEnd() { seen.push('fine'); } },
  ]);
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await mux.onRunEnd(sampleRun());
  } finally {
    process.stderr.write = stderr;
  }
  t.deepEqual(seen, ['fine']);
  t.is(mux.errors[0]?.reporter, 'broken');
});

test('the summary prints the repro command of every red cell and the reason of a skipped one', (t) => {
  const text = renderSummary(sampleRun());
  t.regex(text, /core\/zed\/docker\s+failed\s+3 checks: 1 passed, 1 failed, 1 error/);
  t.regex(text, /reproduce: npx gategrid run --scenario core --release zed --backend docker/);
  t.regex(text, /not packaged/);
  t.regex(text, /\n  1 red cell\(s\): 0 explained by known-failure signatures \(0 %\), 1 unknown\n/);
});

test('the summary says how much of the red known-failure signatures explain; a green run says nothing of it', (t) => {
  const run = sampleRun();
  const red = run.cells.find((c) => c.status === 'failed')!;
  red.known = [{ id: 'keystone-placement-connect', bug: 'https://bugs.example.org/1' }];
  t.regex(renderSummary(run), /1 red cell\(s\): 1 explained by known-failure signatures \(100 %\), 0 unknown/);
  for (const c of run.cells) if (c.status === 'failed' || c.status === 'error') c.status = 'passed';
  t.notRegex(renderSummary(run), /red cell/);
});

test('the summary states the run\'s wall time beside the sum of the cells\' times (skipped cells take none)', (t) => {
  const run = sampleRun();
  t.notRegex(renderSummary(run), /wall time/, 'an unfinished run has no wall time');
  run.run.durationMs = 1_776_000;
  run.cells[0]!.durationMs = 95_400;
  t.regex(renderSummary(run), /^gategrid run r1: unfinished in 29 min 36 s wall time \(1 cell\(s\) ran, 1 min 35 s of cell time in all\)$/m);
  t.regex(renderSummary(run), /core\/zed\/docker\s+failed .* in 95\.4 s/);
});
