import { cellReason, isRed, needsAttention } from '../harness/results/verdicts.ts';
import { manifestLookup, whatChanged, type WhatChanged } from './what-changed.ts';
import { readWorkbook } from './xlsx-reporter.ts';
import { esc } from './html-escape.ts';
import { waterfallSvg } from './waterfall-svg.ts';
import path from 'node:path';
import { cellDir, type CellResult, type CheckResult, type RunResult } from '../harness/results/model.ts';
import type { Reporter } from './reporter.ts';
import { writeAtomic } from './write-atomic.ts';
import { matrixAxes } from './matrix-axes.ts';
import { timeLine } from './run-time.ts';
import { redShareLine } from './red-share.ts';
import { downtimeLine, downtimeOf } from '../harness/results/downtime.ts';

/**
 * report.html: one self-contained page (inline style, no script, no remote asset) with the matrix
 * at a glance, then each cell: its verdict, the command that reproduces it, its phases and every
 * check that is not green with its message and traceback. Rewritten atomically as cells end.
 */
export class HtmlReporter implements Reporter {
  readonly name = 'html';
  readonly file: string;
  readonly #matrix: string | undefined;

  /** `matrix`: the stability matrix this run merges into, where a red cell's last green run is found. */
  constructor(outDir: string, options: { matrix?: string } = {}) {
    this.file = path.join(outDir, 'report.html');
    this.#matrix = options.matrix;
  }

  #write(run: RunResult, changes?: ReadonlyMap<string, WhatChanged>): void {
    writeAtomic(this.file, renderHtml(run, changes));
  }

  onRunStart(run: RunResult): void { this.#write(run); }
  onCellEnd(run: RunResult): void { this.#write(run); }
  // At the end every cell is in the matrix: each red one says what changed since its last green run.
  async onRunEnd(run: RunResult): Promise<void> {
    this.#write(run, this.#matrix && run.cells.some((c) => isRed(c.status)) ? await changesSinceGreen(this.#matrix, run) : undefined);
  }
}

async function changesSinceGreen(matrix: string, run: RunResult): Promise<Map<string, WhatChanged>> {
  const { rows, manifests } = await readWorkbook(matrix);
  const manifest = manifestLookup(manifests);
  const out = new Map<string, WhatChanged>();
  for (const cell of run.cells.filter((c) => isRed(c.status))) {
    const row = rows.find((r) => r.runId === run.run.id && r.cell === cell.id);
    if (row) out.set(cell.id, whatChanged(rows, row, manifest));
  }
  return out;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#1d1d1f}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
code,pre{font:12px/1.4 ui-monospace,monospace}pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.s{display:inline-block;border-radius:3px;padding:0 .45em;font-weight:600;color:#fff}
.passed{background:#1a7f37}.failed{background:#cf222e}.error{background:#8250df}.flaky{background:#bf8700}
.skipped{background:#6e7781}.running{background:#0969da}.interrupted{background:#6e7781}.unfinished{background:#0969da}
td.m a{text-decoration:none}.muted{color:#6e7781}`;

/** The whole page for a run. Every text from the run is escaped: messages carry tracebacks and HTML. */
export function renderHtml(run: RunResult, changes?: ReadonlyMap<string, WhatChanged>): string {
  const status = run.run.status ?? 'unfinished';
  const cells = run.cells;
  const count = (s: string) => cells.filter((c) => c.status === s).length;
  const tally = ['passed', 'flaky', 'failed', 'error', 'skipped', 'running'].filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>gategrid ${esc(run.run.id)}: ${esc(status)}</title><style>${STYLE}</style></head>
<body>
<h1>gategrid run ${esc(run.run.id)} ${badge(status)}</h1>
<p>${esc(tally || 'no cells')} · started ${esc(run.run.startedAt)}${run.run.finishedAt ? `, finished ${esc(run.run.finishedAt)}` : ''}${timeLine(run) ? ` · ${esc(timeLine(run).trim())}` : ''} · gategrid ${esc(run.run.gategridVersion)}${run.run.commit ? ` at ${esc(run.run.commit)}` : ''}${run.run.argv ? ` · <code>gategrid ${esc(run.run.argv.join(' '))}</code>` : ''}</p>
${redShareLine(run) ? `<p>${esc(redShareLine(run))}</p>\n` : ''}${renderMatrix(cells)}
${cells.map((c) => renderCell(c, changes?.get(c.id))).join('\n')}
</body></html>
`;
}

function renderMatrix(cells: readonly CellResult[]): string {
  if (cells.length === 0) return '';
  const { scenarios, columns } = matrixAxes(cells);
  const byKey = new Map(cells.map((c) => [`${c.scenario}/${c.release}/${c.backend}`, c]));
  const head = columns.map((col) => `<th>${esc(col.release)}<br><span class="muted">${esc(col.backend)}</span></th>`).join('');
  const rows = scenarios.map((sc) => `<tr><th>${esc(sc)}</th>${columns.map((col) => {
    const cell = byKey.get(`${sc}/${col.release}/${col.backend}`);
    const downtime = cell ? downtimeLine(cell) : '';
    return cell ? `<td class="m"><a href="#${anchor(cell.id)}" title="${esc(cellReason(cell) || cell.status)}">${badge(cell.status)}</a>${downtime ? `<br><span class="muted">downtime: ${esc(downtime)}</span>` : ''}</td>` : '<td class="muted">-</td>';
  }).join('')}</tr>`).join('\n');
  return `<table><tr><th>scenario</th>${head}</tr>\n${rows}</table>`;
}

function renderCell(cell: CellResult, changes?: WhatChanged): string {
  const red = cell.checks.filter((c) => needsAttention(c.status));
  const rest = cell.checks.filter((c) => !red.includes(c));
  const phases = cell.phases.filter((p) => !p.name.includes('/'));
  const steps = cell.phases.filter((p) => p.name.includes('/'));
  const attempts = cell.attempts && cell.attempts.length > 1 ? `<p>attempts: ${cell.attempts.map((a) => `${a.attempt} ${badge(a.status)}`).join(' ')}</p>` : '';
  return `<h2 id="${anchor(cell.id)}">${esc(cell.id)} ${badge(cell.status)}${cell.tier && cell.tier !== 'blocking' ? ` <span class="muted">${esc(cell.tier)}: fails no gate (${esc(cell.tierReason ?? '')})</span>` : ''}</h2>
${cellReason(cell) ? `<p>${esc(cellReason(cell))}</p>` : ''}
<p>${cell.durationMs !== undefined ? `${seconds(cell.durationMs)} · ` : ''}${kindTally(cell.checks)} · logs: <a href="${esc(cell.artifacts.logs)}">${esc(cell.artifacts.logs)}</a>${cell.scenarioRevision ? ` · scenario revision ${esc(cell.scenarioRevision)}` : ''}</p>
<p>reproduce: <code>${esc(cell.repro)}</code></p>
${renderNewLogLines(cell)}
${changes ? renderChanges(changes) : ''}
${attempts}
${renderDowntime(cell)}
${renderExplained(cell)}
${renderTimeline(cell)}
${phases.length > 0 ? `<table><tr><th>phase</th><th>status</th><th>time</th><th>what it says</th></tr>
${phases.map((p) => `<tr><td>${esc(p.name)}</td><td>${badge(p.status)}</td><td>${seconds(p.durationMs)}</td><td>${esc(p.message ?? '')}</td></tr>`).join('\n')}</table>` : ''}
${steps.length > 0 ? `<details><summary>deploy steps (${steps.length})</summary><table>
${steps.map((p) => `<tr><td>${esc(p.name.slice(p.name.indexOf('/') + 1))}</td><td>${badge(p.status)}</td><td>${seconds(p.durationMs)}</td><td>${esc(p.message ?? '')}</td></tr>`).join('\n')}</table></details>` : ''}
${red.map(renderRedCheck).join('\n')}
${rest.length > 0 ? `<details><summary>other checks (${rest.length})</summary><table>
${rest.map((c) => `<tr><td>${esc(c.id)}</td><td>${esc(c.kind)}</td><td>${badge(c.status)}</td><td>${seconds(c.durationMs)}</td><td>${esc(c.message ?? '')}</td></tr>`).join('\n')}</table></details>` : ''}`;
}

/** A red cell's log lines that its last green run never had, first (the whole logs stay linked above). */
function renderNewLogLines(cell: CellResult): string {
  const found = cell.newLogLines;
  if (!found) return '';
  return `<details open class="new-lines"><summary>log lines new since the last green run (${esc(found.since.runId)}), times, ids, addresses and numbers masked</summary>
${found.services.map((s) => `<p><b>${esc(s.service)}</b>${s.more > 0 ? ` <span class="muted">(and ${s.more} more new line(s))</span>` : ''}</p><pre>${esc(s.lines.join('\n'))}</pre>`).join('\n')}</details>`;
}

function renderTimeline(cell: CellResult): string {
  const svg = waterfallSvg(cell);
  return svg ? `<details open><summary>timeline (phases, deploy steps, upgraded services, endpoint outages in red)</summary>${svg}</details>` : '';
}

function renderChanges(changes: WhatChanged): string {
  if (!changes.since) return '<p class="muted">Never green in the stability matrix\'s history.</p>';
  return `<p>What changed since its last green run (${esc(changes.since.runId)}):</p>${changes.lines.length === 0
    ? '<p class="muted">nothing recorded differs (same commit, scenario revision and images): suspect the environment or a flake.</p>'
    : `<ul>${changes.lines.map((l) => `<li><code>${esc(l)}</code></li>`).join('')}</ul>`}`;
}

/** An upgrade cell's downtime per probed endpoint: the figure, the requests, and each outage's window. */
function renderDowntime(cell: CellResult): string {
  const rows = downtimeOf(cell);
  if (rows.length === 0) return '';
  return `<table><tr><th>endpoint</th><th>downtime</th><th>failed requests</th><th>outages (from the probe's start)</th></tr>
${rows.map((d) => `<tr><td>${esc(d.endpoint)}</td><td>${badge(d.withinBudget ? 'passed' : 'failed')} ${seconds(d.downtimeMs)}</td><td>${d.failed} of ${d.requests}</td><td>${d.outages.map((o) => `${seconds(o.fromMs)}–${seconds(o.toMs)} (${esc(o.first)}${o.step ? `; ${esc(o.step)}'s upgrade` : ''})`).join('<br>') || 'none'}</td></tr>`).join('\n')}</table>`;
}

/** Error lines an upgrade's deliberate stop explains (issue 27): each with the evidence, never hidden. */
function renderExplained(cell: CellResult): string {
  const rows = cell.checks.flatMap((c) => {
    const explained = c.details?.['explained'];
    if (c.kind !== 'logs' || !Array.isArray(explained)) return [];
    return explained.map((e: { line?: unknown; text?: unknown; why?: unknown }) => ({ log: c.id.slice('logs.'.length), line: String(e.line ?? ''), text: String(e.text ?? ''), why: String(e.why ?? '') }));
  });
  if (rows.length === 0) return '';
  return `<table><tr><th>log</th><th>line</th><th>error line explained by an upgrade's stop</th><th>why</th></tr>
${rows.map((r) => `<tr><td>${esc(r.log)}</td><td>${esc(r.line)}</td><td><code>${esc(r.text)}</code></td><td>${esc(r.why)}</td></tr>`).join('\n')}</table>`;
}

function renderRedCheck(check: CheckResult): string {
  const traceback = typeof check.details?.traceback === 'string' ? check.details.traceback : undefined;
  const otherDetails = check.details ? Object.fromEntries(Object.entries(check.details).filter(([k]) => k !== 'traceback')) : {};
  return `<h3>${badge(check.status)} <code>${esc(check.id)}</code> <span class="muted">${esc(check.kind)}, ${seconds(check.durationMs)}</span></h3>
${check.message ? `<pre>${esc(check.message)}</pre>` : ''}${traceback ? `<pre>${esc(traceback)}</pre>` : ''}${Object.keys(otherDetails).length > 0 ? `<pre>${esc(JSON.stringify(otherDetails, null, 2))}</pre>` : ''}`;
}

function kindTally(checks: readonly CheckResult[]): string {
  if (checks.length === 0) return 'no checks';
  const kinds = [...new Set(checks.map((c) => c.kind))];
  return `${checks.length} checks (${kinds.map((k) => {
    const of = checks.filter((c) => c.kind === k);
    return `${k}: ${of.filter((c) => c.status === 'passed').length}/${of.length} passed`;
  }).join(', ')})`;
}

function badge(status: string): string {
  return `<span class="s ${esc(status)}">${esc(status)}</span>`;
}

const anchor = (id: string): string => `cell-${cellDir(id)}`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
