import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../harness/results/model.ts';
import { HtmlReporter, renderHtml } from '../../reports/html-reporter.ts';
import { repoRoot } from '../../harness/config/paths.ts';

const fixture = async (name: string): Promise<RunResult> => JSON.parse(await readFile(path.join(repoRoot, 'fixtures/results', name), 'utf8')) as RunResult;

test('a red run: the matrix links to the cell, which shows its reason, red checks with messages and the repro command', async (t) => {
  const run = await fixture('core-zed-keystone-not-ready.json');
  const html = renderHtml(run);
  t.regex(html, /<title>gategrid 20261122-040155-2c83: failed<\/title>/);
  t.regex(html, /<a href="#cell-core-zed-docker"[^>]*><span class="s failed">failed<\/span><\/a>/);
  t.regex(html, /<h2 id="cell-core-zed-docker">core\/zed\/docker <span class="s failed">failed<\/span><\/h2>/);
  t.regex(html, /reproduce: <code>npx gategrid run --scenario core --release zed --backend docker --tempest none --revision e58ffcc3ae18<\/code>/);
  t.regex(html, /<code>smoke\.service\.keystone<\/code>/);
  t.regex(html, /keystone did not become ready within 120 s/);
  // Passed checks are folded away, red ones are not.
  t.regex(html, /<details><summary>other checks \(16\)<\/summary>/);
});

test('a green run with Tempest shows the counts of its phases, and the page is self-contained', async (t) => {
  const html = renderHtml(await fixture('core-zed-green.json'));
  t.regex(html, /<span class="s passed">passed<\/span>/);
  t.regex(html, /58 tests: 18 passed, 0 failed, 40 skipped/);
  t.regex(html, /tempest: 18\/58 passed/);
  t.notRegex(html, /<script|<link|\bsrc=|@import/);
});

test('every text from the run is escaped', (t) => {
  const run: RunResult = {
    schemaVersion: 1, run: { id: 'r<1>', startedAt: 'now', gategridVersion: '0' },
    cells: [{
      id: 'core/zed/docker', scenario: 'core', release: 'zed', backend: 'docker', status: 'failed', reason: '<img src=x onerror=alert(1)>',
      phases: [], repro: 'x', artifacts: { logs: 'logs/"a"/' },
      checks: [{ id: 'tempest.x', kind: 'tempest', status: 'failed', durationMs: 1, message: 'a & b', details: { traceback: 'Traceback <module>' } }],
    }],
  };
  const html = renderHtml(run);
  t.false(html.includes('<img'));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.true(html.includes('Traceback &lt;module&gt;'));
  t.true(html.includes('a &amp; b'));
  t.true(html.includes('href="logs/&quot;a&quot;/"'));
});

test('the reporter writes report.html into the run directory', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gg-html-'));
  const run = await fixture('core-zed-green.json');
  new HtmlReporter(dir).onRunEnd(run);
  t.regex(await readFile(path.join(dir, 'report.html'), 'utf8'), /^<!doctype html>/);
});
