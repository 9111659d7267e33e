import path from 'node:path';
import type { KnownFailure } from '../harness/results/known-failures.ts';
import type { CellStatus } from '../harness/results/model.ts';
import { isRed } from '../harness/results/verdicts.ts';
import { checkFlakiness } from './flakiness.ts';
import { esc } from './html-escape.ts';
import { failureClusters, knownShare } from './failure-clusters.ts';
import { releaseReadiness, type ReleaseCriteria, type ReleaseReadiness } from './release-readiness.ts';
import { matrixAxes } from './matrix-axes.ts';
import { checkIds, historyGrid, knownOf, newestRunFirst, signatureRecords, stability, type HistoryRow } from './stability-history.ts';
import { manifestLookup, whatChanged } from './what-changed.ts';

export interface DashboardOptions {
  /** Runs shown in the grids (older ones stay in the data). */
  readonly lastRuns: number;
  /** Red this many runs in a row: flagged as a regression. */
  readonly regressionAfter: number;
  readonly known: readonly KnownFailure[];
  /** Where the page is written: links to each run's report are made relative to it. */
  readonly file?: string;
  readonly now?: Date;
  /** Image id → its package manifest text: package versions in "what changed". */
  readonly manifests?: ReadonlyMap<string, string>;
  /** The config's release criteria: the page opens with each release's go/no-go. */
  readonly criteria?: ReleaseCriteria;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d1d1f}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
code{font:12px/1.4 ui-monospace,monospace}.muted{color:#6e7781}
.s{display:inline-block;border-radius:3px;padding:0 .45em;font-weight:600;color:#fff}
.passed{background:#1a7f37}.failed{background:#cf222e}.error{background:#8250df}.flaky{background:#bf8700}.skipped{background:#6e7781}.known{background:#d1242f;background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.35) 4px 8px)}
table.grid td{padding:0;border:1px solid #fff}table.grid td a,table.grid td span.q{display:block;width:1.6em;height:1.6em}
table.grid th.r{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:400;font-size:11px;white-space:nowrap}
table.grid td.c{padding:.1em .5em;border:1px solid #ddd;white-space:nowrap}.flag{color:#b00020;font-weight:600}`;

/**
 * The release managers' dashboard: one self-contained page (inline style, no script) from the
 * stability matrix's history: the latest matrix, regressions, the history grid (every cell × the
 * last runs, newest first, coloured by verdict, each square linking to its run's report; per check
 * when a cell is opened), the flakiest checks ranked, the known failures and their hits, and for
 * every red cell what changed since its last green run.
 */
export function renderDashboard(history: readonly HistoryRow[], options: DashboardOptions): string {
  const now = options.now ?? new Date();
  const grid = historyGrid(history, options.lastRuns);
  const runs = new Set(history.map((r) => r.runId)).size;
  const regressions = grid.rows.filter((r) => r.redStreak >= options.regressionAfter);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>gategrid dashboard: ${runs} run(s)</title><style>${STYLE}</style></head>
<body>
<h1>gategrid dashboard</h1>
${options.criteria ? readinessTable(releaseReadiness(history, options.criteria)) : ''}
<p>${runs} run(s), ${grid.rows.length} cell(s), ${history.length} cell result(s); the grids show the last ${grid.runs.length} run(s), newest first. Last run ${esc(history.at(-1)?.startedAt ?? 'never')}.</p>
<p class="muted">Colours: ${badge('passed')} every check green · ${badge('failed')} the deployment is wrong · ${badge('error')} the check or the harness could not judge · ${badge('flaky')} red, then green on a retry · ${badge('skipped')} not run, with its reason · ${badge('failed', true)} red, explained by a known-failure signature (still red for the gate unless the config says otherwise).</p>
${latestMatrix(history)}
<h2>Regressions</h2>
${regressions.length === 0 ? `<p class="muted">No cell is red ${options.regressionAfter} runs in a row.</p>` : `<ul>${regressions.map((r) => `<li><span class="flag">${esc(r.cell)}</span>: red ${r.redStreak} runs in a row; latest: ${esc(r.results.find((x) => x)?.reason ?? '')}</li>`).join('')}</ul>`}
<h2>History</h2>
${historyTable(grid, options)}
<h2>Flakiest checks</h2>
${flakiest(history)}
<h2>Failure clusters</h2>
${clusterTable(history)}
<h2>Known failures</h2>
${knownTable(history, options.known, now)}
<h2>Red cells: what changed since the last green run</h2>
${redCells(history, options)}
</body></html>
`;
}

function readinessTable(readiness: readonly ReleaseReadiness[]): string {
  if (readiness.length === 0) return '';
  return `<h2>Release readiness</h2><table><tr><th>release</th><th>verdict</th><th>cells</th><th>runs</th><th>why not</th></tr>
${readiness.map((r) => `<tr><td>${esc(r.release)}/${esc(r.backend)}</td><td>${badge(r.go ? 'passed' : 'failed').replace(/>(passed|failed)</, `>${r.go ? 'go' : 'no-go'}<`)}</td><td>${r.cells}</td><td>${r.runs}</td><td>${r.reasons.map((x) => esc(x)).join('<br>')}</td></tr>`).join('\n')}</table>`;
}

/** The red results grouped by masked reason: how much is known, then the unknown clusters, largest first. */
function clusterTable(history: readonly HistoryRow[]): string {
  const { red, known } = knownShare(history);
  if (red === 0) return '<p class="muted">No red cell in the history.</p>';
  const unknown = failureClusters(history).filter((c) => !c.known);
  const share = `<p>${known} of ${red} red cell result(s) (${Math.round((100 * known) / red)} %) explained by known-failure signatures; ${unknown.length} unknown cluster(s), largest first (the same failure once times, ids, addresses, paths and numbers are masked).</p>`;
  if (unknown.length === 0) return share;
  return `${share}<table><tr><th>times</th><th>cells</th><th>first seen</th><th>last seen</th><th>failure (masked)</th><th>example</th></tr>
${unknown.map((c) => `<tr><td>${c.count}</td><td>${c.cells.map((x) => esc(x)).join('<br>')}</td><td>${esc(c.firstSeen.slice(0, 16))}</td><td>${esc(c.lastSeen.slice(0, 16))}</td><td><code>${esc(c.signature)}</code></td><td><span class="muted">${esc(c.example.runId)} ${esc(c.example.cell)}:</span> ${esc(c.example.reason)}</td></tr>`).join('\n')}</table>`;
}

function badge(status: string, known = false): string {
  return `<span class="s ${esc(status)}${known ? ' known' : ''}">${esc(status)}${known ? ' (known)' : ''}</span>`;
}

function latestMatrix(history: readonly HistoryRow[]): string {
  const cells = stability(history);
  const { scenarios, columns } = matrixAxes(newestRunFirst(history));
  if (scenarios.length === 0) return '';
  return `<table><tr><th>scenario</th>${columns.map((c) => `<th>${esc(c.release)}<br><span class="muted">${esc(c.backend)}</span></th>`).join('')}</tr>
${scenarios.map((sc) => `<tr><th>${esc(sc)}</th>${columns.map((col) => {
    const s = cells.get(`${sc}/${col.release}/${col.backend}`);
    if (!s) return '<td class="muted">-</td>';
    const known = s.latest.known ? `<br><span class="muted">known: ${esc(bugs(s.latest).join(', '))}</span>` : '';
    const downtime = s.latest.downtime ? `<br><span class="muted">downtime: ${esc(s.latest.downtime)}</span>` : '';
    const tier = s.latest.tier && s.latest.tier !== 'blocking' ? `<br><span class="muted">${esc(s.latest.tier)}: fails no gate</span>` : '';
    return `<td title="${esc(s.latest.reason)}">${badge(s.latest.status, !!s.latest.known)} ${s.latest.status === 'skipped' ? '' : `${s.green}/${s.runs} green`}${tier}${known}${downtime}</td>`;
  }).join('')}</tr>`).join('\n')}</table>`;
}

/** The bugs of a row's known failures. */
const bugs = (row: HistoryRow): string[] => knownOf(row).map((k) => k.bug);

function link(report: string, file: string | undefined): string {
  if (!report) return '';
  return file ? path.relative(path.dirname(file), report) : report;
}

function square(r: HistoryRow | undefined, options: DashboardOptions, title?: string): string {
  if (!r) return '<td><span class="q" style="background:#f6f8fa"></span></td>';
  const label = esc(title ?? `${r.runId}: ${r.status}${r.known ? ` (known: ${bugs(r).join(', ')})` : ''}${r.reason ? `: ${r.reason}` : ''}`);
  const cls = `${r.status}${r.known ? ' known' : ''}`;
  const href = link(r.report, options.file);
  return href ? `<td><a class="${cls}" href="${esc(href)}#cell-${esc(r.cell.replace(/\//g, '-'))}" title="${label}"></a></td>` : `<td><span class="q ${cls}" title="${label}"></span></td>`;
}

function historyTable(grid: ReturnType<typeof historyGrid>, options: DashboardOptions): string {
  if (grid.runs.length === 0) return '<p class="muted">No runs yet.</p>';
  const head = `<tr><th>cell</th>${grid.runs.map((r) => `<th class="r" title="${esc(r.runId)}">${esc(r.startedAt.slice(0, 16).replace('T', ' '))}${r.commit ? ` @${esc(r.commit.slice(0, 8))}` : ''}</th>`).join('')}</tr>`;
  const rows = grid.rows.map((row) => {
    const flag = row.redStreak >= options.regressionAfter ? ` <span class="flag" title="red ${row.redStreak} runs in a row">regression</span>` : '';
    const line = `<tr><td class="c">${esc(row.cell)}${flag}</td>${row.results.map((r) => square(r, options)).join('')}</tr>`;
    // Per check: the checks that were ever red or flaky in these runs, one line each.
    const checks = [...new Set(row.results.flatMap((r) => (r ? [...checkIds(r.failedChecks), ...checkIds(r.flakyChecks)] : [])))].sort();
    if (checks.length === 0) return line;
    const perCheck = checks.map((check) => `<tr><td class="c">&nbsp;&nbsp;<code>${esc(check)}</code></td>${row.results.map((r) => {
      if (!r || r.checksRun === 0) return square(undefined, options);
      const status = checkIds(r.failedChecks).includes(check) ? 'failed' : checkIds(r.flakyChecks).includes(check) ? 'flaky' : r.status === 'skipped' ? 'skipped' : 'passed';
      return square({ ...r, status: status as HistoryRow['status'], known: status === 'failed' ? r.known : '' }, options, `${r.runId}: ${check} ${status}`);
    }).join('')}</tr>`).join('\n');
    return `${line}\n<tr><td colspan="${grid.runs.length + 1}" style="padding:0;border:0"><details><summary class="muted">${checks.length} check(s) of ${esc(row.cell)} that were red or flaky</summary><table class="grid">${perCheck}</table></details></td></tr>`;
  });
  return `<table class="grid">${head}\n${rows.join('\n')}</table>`;
}


function flakiest(history: readonly HistoryRow[]): string {
  const ranked = checkFlakiness(history).slice(0, 25);
  if (ranked.length === 0) return '<p class="muted">No check flaked: none both passed and failed on the same commit and scenario revision, and none failed then passed on a re-run.</p>';
  const arrow = { rising: '↑ rising', falling: '↓ falling', steady: '→ steady', new: 'new' } as const;
  return `<table><tr><th>#</th><th>check</th><th>cells</th><th>flaked</th><th>rate</th><th>trend (last 10 vs the 10 before)</th><th>last flake</th></tr>
${ranked.map((f, i) => `<tr><td>${i + 1}</td><td><code>${esc(f.check)}</code></td><td>${esc(f.cells.join(', '))}</td><td>${f.flakes} of ${f.judged} runs</td><td>${(f.rate * 100).toFixed(0)} %</td><td>${f.trend === 'new' ? 'new: fewer than 11 runs' : `${arrow[f.trend]} (${(f.recentRate * 100).toFixed(0)} % vs ${(f.olderRate * 100).toFixed(0)} %)`}</td><td>${esc(f.lastFlake)}</td></tr>`).join('\n')}</table>`;
}

function knownTable(history: readonly HistoryRow[], known: readonly KnownFailure[], now: Date): string {
  if (known.length === 0) return '<p class="muted">No known-failure signatures (report.knownFailures in gategrid.config.yaml).</p>';
  return `<table><tr><th>signature</th><th>bug</th><th>reason</th><th>expires</th><th>red cells explained</th><th>state</th></tr>
${signatureRecords(history, known, now).map(({ failure: k, hits: h, broad: b, state }) => {
    const shown = state === 'expired' ? '<span class="muted">expired: no longer applies</span>' : state === 'too broad' ? `<span class="flag">too broad: also matched a passed check in ${b.length} cell run(s) (${esc(b.at(-1)!.cell)})</span>` : 'active';
    return `<tr><td><code>${esc(k.id)}</code></td><td>${/^https?:\/\//.test(k.bug) ? `<a href="${esc(k.bug)}">${esc(k.bug)}</a>` : esc(k.bug)}</td><td>${esc(k.reason)}</td><td>${esc(k.expires ?? 'never')}</td><td>${h.length}${h.length > 0 ? ` (last: ${esc(h.at(-1)!.cell)}, ${esc(h.at(-1)!.runId)})` : ''}</td><td>${shown}</td></tr>`;
  }).join('\n')}</table>`;
}

function redCells(history: readonly HistoryRow[], options: DashboardOptions): string {
  const manifest = manifestLookup(options.manifests);
  const red = [...stability(history).values()].filter((s) => isRed(s.latest.status as CellStatus));
  if (red.length === 0) return '<p class="muted">No cell is red in its latest run.</p>';
  return red.map((s) => {
    const changes = whatChanged(history, s.latest, manifest);
    return `<h3>${esc(s.latest.cell)} ${badge(s.latest.status, !!s.latest.known)} <span class="muted">run ${esc(s.latest.runId)}</span></h3>
<p>${esc(s.latest.reason)}</p><p>reproduce: <code>${esc(s.latest.repro)}</code></p>
${changes.since ? `<p>Last green: run ${esc(changes.since.runId)} (${esc(changes.since.startedAt)}).</p>${changes.lines.length === 0 ? '<p class="muted">Nothing recorded differs (same commit, scenario revision and images): suspect the environment or a flake.</p>' : `<ul>${changes.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`}` : '<p class="muted">Never green in this history.</p>'}`;
  }).join('\n');
}
