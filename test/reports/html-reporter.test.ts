import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '../../harness/results/model.ts';
import { HtmlReporter, renderHtml } from '../../reports/html-reporter.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { tempDir } from '../temp-dir.ts';

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
  const dir = await tempDir('gg-html-');
  const run = await fixture('core-zed-green.json');
  new HtmlReporter(dir).onRunEnd(run);
  t.regex(await readFile(path.join(dir, 'report.html'), 'utf8'), /^<!doctype html>/);
});

test('each cell has its timeline: phases, deploy steps, upgraded services and endpoint outages on one axis, as inline SVG', async (t) => {
  const { waterfallSvg } = await import('../../reports/waterfall-svg.ts');
  const { downtimeCheck } = await import('../../harness/upgrade/downtime-check.ts');
  const run = await fixture('core-zed-green.json');
  const cell = run.cells[0]!;
  const svg = waterfallSvg(cell);
  const steps = cell.phases.filter((p) => p.name.includes('/'));
  t.true(steps.length > 10);
  // One bar per phase and step, each with its figures as a tooltip.
  t.is((svg.match(/<rect [^>]*><title>/g) ?? []).length, cell.phases.length);
  const keystone = steps.find((p) => p.name === 'deploy/keystone')!;
  t.true(svg.includes(`<title>keystone: passed, ${(keystone.durationMs / 1000).toFixed(1)} s from`));
  // An upgrade: the service's window and the probe's outage, in red, under the upgrade phase.
  const start = Date.parse(cell.startedAt!);
  const at = (ms: number) => new Date(start + ms).toISOString();
  const upgradeCell = {
    ...cell,
    phases: [{ name: 'upgrade', status: 'passed' as const, startedAt: at(0), durationMs: 30_000 }, { name: 'logs', status: 'passed' as const, startedAt: at(30_000), durationMs: 100 }],
    checks: [
      { id: 'upgrade.service.keystone', kind: 'upgrade' as const, status: 'passed' as const, durationMs: 12_000, details: { startedAt: at(2_000) } },
      downtimeCheck('identity', { url: 'u', requests: 100, failed: 40, downtimeMs: 8_000, outages: [{ fromMs: 3_000, toMs: 11_000, first: 'ECONNREFUSED' }], observedMs: 20_000, startedAt: at(1_000) }, undefined),
    ],
  };
  const up = waterfallSvg(upgradeCell);
  const labels = [...up.matchAll(/font-size="11"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  t.deepEqual(labels, ['upgrade', 'upgrade keystone', 'identity probed', 'logs']);
  t.regex(up, /<rect [^>]*fill="#cf222e"><title>identity down 8\.0 s \(ECONNREFUSED\)<\/title>/);
  t.regex(renderHtml({ ...run, cells: [upgradeCell] }), /<details open><summary>timeline[^<]*<\/summary><svg /);
});

test('an error line an upgrade\'s stop explains is shown beside its reason, not hidden', async (t) => {
  const run = await fixture('core-zed-green.json');
  const cell = run.cells[0]!;
  const why = 'logged at 05:38:22.419, naming scheduler_fanout, while nova-scheduler was stopped for its upgrade (05:38:14.419–05:38:28.419)';
  const withExplained: RunResult = { ...run, cells: [{ ...cell, checks: [...cell.checks, { id: 'logs.nova-compute', kind: 'logs', status: 'passed', durationMs: 3, message: 'x', details: { explained: [{ line: 4, text: "MessageDeliveryFailure: no exchange 'scheduler_fanout'", why }] } }] }] };
  const html = renderHtml(withExplained);
  t.regex(html, /<td>nova-compute<\/td><td>4<\/td><td><code>MessageDeliveryFailure: no exchange &#39;scheduler_fanout&#39;<\/code><\/td><td>logged at 05:38:22\.419, naming scheduler_fanout, while nova-scheduler was stopped/);
  t.notRegex(renderHtml(run), /explained by an upgrade/, 'no table without such a line');
});

test('a red cell shows the log lines new since its last green run first, before its timeline and checks', async (t) => {
  const run = await fixture('core-zed-keystone-not-ready.json');
  run.cells[0]!.newLogLines = {
    since: { runId: '20261207-023000-aaaa', recordedAt: '2026-12-07T02:31:05Z' },
    services: [{ service: 'keystone', lines: ['ERROR keystone <b>DBConnectionError</b>'], more: 4 }],
  };
  const html = renderHtml(run);
  t.regex(html, /log lines new since the last green run \(20261207-023000-aaaa\)/);
  t.regex(html, /<p><b>keystone<\/b> <span class="muted">\(and 4 more new line\(s\)\)<\/span><\/p><pre>ERROR keystone &lt;b&gt;DBConnectionError&lt;\/b&gt;<\/pre>/);
  const cellStart = html.indexOf('<h2 id="cell-core-zed-docker">');
  t.true(cellStart < html.indexOf('log lines new since') && html.indexOf('log lines new since') < html.indexOf('<code>smoke.service.keystone</code>', cellStart), 'in the cell, before its red checks');
});

test("an upgrade cell's guest outages name the data-plane step that lost them", async (t) => {
  const { downtimeCheck } = await import('../../harness/upgrade/downtime-check.ts');
  const run = await fixture('core-zed-green.json');
  const cell = run.cells[0]!;
  const t0 = Date.parse('2026-12-07T18:00:00.000Z');
  const windows = [{ service: 'openvswitch-vswitchd', fromMs: t0 + 60_000, toMs: t0 + 65_000, names: ['openvswitch-vswitchd'] }];
  const report = { url: 'ping 172.24.4.10', requests: 600, failed: 60, downtimeMs: 12_000, outages: [{ fromMs: 60_500, toMs: 72_500, first: 'no answer' }], observedMs: 120_000, startedAt: new Date(t0).toISOString() };
  const guest = downtimeCheck('guest', report, 5, windows, { 'openvswitch-vswitchd': { maxGuestDowntimeSeconds: 30, reason: 'userspace datapath' } });
  const html = renderHtml({ ...run, cells: [{ ...cell, checks: [...cell.checks, guest] }] });
  t.regex(html, /<td>guest<\/td>.*60 of 600.*\(no answer; openvswitch-vswitchd's upgrade\)/s);
});
