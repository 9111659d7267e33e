import { cellReason, isRed, isRedCheck } from '../harness/results/verdicts.ts';
import type { CellStatus, RunResult } from '../harness/results/model.ts';
import { downtimeLine } from '../harness/results/downtime.ts';
import { isExpired, type KnownFailure } from '../harness/results/known-failures.ts';

/** One cell of one run: a row of the stability matrix's history, the data the matrix is made from. */
export interface HistoryRow {
  runId: string;
  startedAt: string;
  commit: string;
  cell: string;
  scenario: string;
  release: string;
  backend: string;
  status: Exclude<CellStatus, 'running'>;
  durationS: number;
  attempts: number;
  redChecks: number;
  reason: string;
  repro: string;
  scenarioRevision: string;
  /** An upgrade cell's downtime per probed endpoint, one line (empty otherwise). */
  downtime: string;
  /** Known-failure signatures that fully explain a red cell, as "id bug" pairs joined by ", " (empty otherwise). */
  known: string;
  /** Checks run, and the ids of the red and of the flaky ones (one per line: Tempest ids hold spaces; at most MAX_IDS each): flakiness over history. */
  checksRun: number;
  failedChecks: string;
  flakyChecks: string;
  /** The run's report.html. */
  report: string;
  /** Known-failure signatures that also matched a check this cell passed (too broad), space-separated. */
  tooBroad: string;
  /** The images the cell ran, `name=tag@id` space-separated: a tag names its recipe's content, the id the image built from it. */
  images: string;
  /** Whether its red failed the gate: blocking, informing or experimental (an older workbook's rows read as blocking). */
  tier: string;
}

/** Check ids kept per row: enough to rank flaky checks, bounded so a cell with 1,000 red Tempest tests stays one row. */
const MAX_IDS = 60;
const ids = (list: readonly string[]): string => (list.length > MAX_IDS ? [...list.slice(0, MAX_IDS), `+${list.length - MAX_IDS} more`] : list).join('\n');

/** The check ids of a row's failedChecks or flakyChecks column. */
export const checkIds = (text: string): string[] => (text ? text.split('\n').filter((x) => x && !/^\+\d+ more$/.test(x)) : []);

/** The columns every gategrid workbook has had; a workbook without one of them is refused. */
export const REQUIRED_COLUMNS: readonly (keyof HistoryRow)[] = [
  'runId', 'startedAt', 'commit', 'cell', 'scenario', 'release', 'backend', 'status', 'durationS', 'attempts', 'redChecks', 'reason', 'repro', 'scenarioRevision',
];
/** Every column written; those added later read as empty from an older workbook. */
export const HISTORY_COLUMNS: readonly (keyof HistoryRow)[] = [...REQUIRED_COLUMNS, 'downtime', 'known', 'checksRun', 'failedChecks', 'flakyChecks', 'report', 'tooBroad', 'images', 'tier'];

const STATUSES = new Set(['passed', 'failed', 'flaky', 'skipped', 'error']);

/** The finished cells of a run as history rows; a cell still running (an interrupted run) has no verdict yet. */
export function historyRows(run: RunResult): HistoryRow[] {
  return run.cells.filter((c) => c.status !== 'running').map((c) => ({
    runId: run.run.id,
    startedAt: c.startedAt ?? run.run.startedAt,
    commit: run.run.commit ?? '',
    cell: c.id, scenario: c.scenario, release: c.release, backend: c.backend,
    status: c.status as HistoryRow['status'],
    durationS: Math.round((c.durationMs ?? 0) / 100) / 10,
    attempts: c.attempts?.length ?? (c.status === 'skipped' ? 0 : 1),
    redChecks: c.checks.filter((k) => isRedCheck(k.status)).length,
    reason: cellReason(c),
    repro: c.repro,
    scenarioRevision: c.scenarioRevision ?? '',
    downtime: downtimeLine(c),
    known: (c.known ?? []).map((k) => `${k.id} ${k.bug}`).join(', '),
    checksRun: c.checks.length,
    failedChecks: ids(c.checks.filter((k) => isRedCheck(k.status)).map((k) => k.id)),
    flakyChecks: ids(c.checks.filter((k) => k.status === 'flaky').map((k) => k.id)),
    report: run.run.report ?? '',
    tooBroad: (c.tooBroad ?? []).join(' '),
    images: Object.entries(c.images ?? {}).map(([name, tag]) => `${name}=${tag}${c.imageIds?.[tag] ? `@${c.imageIds[tag]}` : ''}`).join(' '),
    tier: c.tier ?? 'blocking',
  }));
}

/** A row read back from a file, checked field by field; `where` names the place for the error. */
export function parseHistoryRow(values: Record<string, unknown>, where: string): HistoryRow {
  const text = (k: keyof HistoryRow): string => {
    const v = values[k];
    if (v === undefined || v === null) return '';
    if (v instanceof Date) return v.toISOString();
    return String(v);
  };
  const num = (k: keyof HistoryRow): number => {
    const n = Number(values[k] ?? 0);
    if (!Number.isFinite(n)) throw new Error(`${where}: column ${k} holds "${String(values[k])}", expected a number`);
    return n;
  };
  const status = text('status');
  if (!STATUSES.has(status)) throw new Error(`${where}: column status holds "${status}", expected one of ${[...STATUSES].join(', ')}`);
  for (const k of ['runId', 'cell', 'scenario', 'release', 'backend'] as const) {
    if (text(k) === '') throw new Error(`${where}: column ${k} is empty`);
  }
  return {
    runId: text('runId'), startedAt: text('startedAt'), commit: text('commit'), cell: text('cell'), scenario: text('scenario'),
    release: text('release'), backend: text('backend'), status: status as HistoryRow['status'], durationS: num('durationS'),
    attempts: num('attempts'), redChecks: num('redChecks'), reason: text('reason'), repro: text('repro'), scenarioRevision: text('scenarioRevision'),
    downtime: text('downtime'), known: text('known'), checksRun: num('checksRun'), failedChecks: text('failedChecks'), flakyChecks: text('flakyChecks'), report: text('report'), tooBroad: text('tooBroad'), images: text('images'), tier: text('tier') || 'blocking',
  };
}

/**
 * Merges new rows into a history, ordered by run (run ids begin with their start time), each run's
 * rows in its cells' list order. A run's new rows replace all of its old ones: a run rewrites its
 * rows as its cells end, each time with every cell finished so far.
 */
export function mergeHistory(existing: readonly HistoryRow[], added: readonly HistoryRow[]): HistoryRow[] {
  const runs = new Map<string, HistoryRow[]>();
  for (const row of existing) runs.set(row.runId, [...(runs.get(row.runId) ?? []), row]);
  const fresh = new Map<string, HistoryRow[]>();
  for (const row of added) fresh.set(row.runId, [...(fresh.get(row.runId) ?? []).filter((r) => r.cell !== row.cell), row]);
  for (const [runId, rows] of fresh) runs.set(runId, rows);
  return [...runs.keys()].sort().flatMap((runId) => runs.get(runId)!);
}

/** The history's rows, newest run first, each run's rows in list order: for axes that follow the latest run. */
export function newestRunFirst(history: readonly HistoryRow[]): HistoryRow[] {
  const runs = new Map<string, HistoryRow[]>();
  for (const row of history) runs.set(row.runId, [...(runs.get(row.runId) ?? []), row]);
  return [...runs.values()].reverse().flat();
}

/** What the matrix shows for one cell over the runs in the history. */
export interface CellStability {
  readonly scenario: string;
  readonly release: string;
  readonly backend: string;
  readonly latest: HistoryRow;
  /** Runs that gave a verdict (skipped ones do not count). */
  readonly runs: number;
  /** passed or flaky: green for the gate. */
  readonly green: number;
  readonly flaky: number;
  /** The last statuses, newest first (at most `recent`). */
  readonly recent: readonly HistoryRow['status'][];
}

/** Per cell: the latest verdict, and how often it was green over the last `window` runs that judged it. */
export function stability(history: readonly HistoryRow[], window = 10): Map<string, CellStability> {
  const byCell = new Map<string, HistoryRow[]>();
  for (const row of history) {
    const key = `${row.scenario}/${row.release}/${row.backend}`;
    byCell.set(key, [...(byCell.get(key) ?? []), row]);
  }
  const out = new Map<string, CellStability>();
  for (const [key, rows] of byCell) {
    const newestFirst = [...rows].reverse();
    const judged = newestFirst.filter((r) => r.status !== 'skipped').slice(0, window);
    out.set(key, {
      scenario: rows[0]!.scenario, release: rows[0]!.release, backend: rows[0]!.backend,
      latest: newestFirst[0]!,
      runs: judged.length,
      green: judged.filter((r) => r.status === 'passed' || r.status === 'flaky').length,
      flaky: judged.filter((r) => r.status === 'flaky').length,
      recent: newestFirst.slice(0, window).map((r) => r.status),
    });
  }
  return out;
}

/** The history grid: one row per cell, one column per run (newest first, the last `lastRuns`). */
export interface HistoryGrid {
  readonly runs: readonly { readonly runId: string; readonly startedAt: string; readonly commit: string }[];
  readonly rows: readonly {
    readonly cell: string;
    /** One entry per run of `runs`: the cell's row in that run, or undefined when the run did not have it. */
    readonly results: readonly (HistoryRow | undefined)[];
    /** Red (failed or error) runs in a row, newest first: a regression when it reaches the threshold. */
    readonly redStreak: number;
  }[];
}

export function historyGrid(history: readonly HistoryRow[], lastRuns = 30): HistoryGrid {
  const newest = newestRunFirst(history);
  const firstOfRun = new Map<string, HistoryRow>();
  for (const r of newest) if (!firstOfRun.has(r.runId)) firstOfRun.set(r.runId, r);
  const runs = [...firstOfRun.values()].slice(0, lastRuns).map((r) => ({ runId: r.runId, startedAt: r.startedAt, commit: r.commit }));
  // One pass to index the rows: this runs on every merge, under the workbook's lock.
  const byCell = new Map<string, HistoryRow[]>();
  for (const r of newest) byCell.set(r.cell, [...(byCell.get(r.cell) ?? []), r]);
  const rows = [...byCell.keys()].sort().map((cell) => {
    const own = byCell.get(cell)!;
    const byRun = new Map(own.map((r) => [r.runId, r]));
    const results = runs.map((run) => byRun.get(run.runId));
    let redStreak = 0;
    for (const r of own.filter((x) => x.status !== 'skipped')) {
      if (!isRed(r.status)) break;
      redStreak++;
    }
    return { cell, results, redStreak };
  });
  return { runs, rows };
}

/** A row's `known` column ("id bug, id bug") as the signatures that explained it. */
export function knownOf(row: Pick<HistoryRow, 'known'>): { id: string; bug: string }[] {
  return row.known ? row.known.split(', ').map((pair) => ({ id: pair.slice(0, pair.indexOf(' ')), bug: pair.slice(pair.indexOf(' ') + 1) })) : [];
}

/** What the history says of one known-failure signature: the rows it explained, the rows where it was too broad, and its state. */
export interface SignatureRecord {
  readonly failure: KnownFailure;
  readonly hits: readonly HistoryRow[];
  readonly broad: readonly HistoryRow[];
  readonly state: 'expired' | 'too broad' | 'active';
}

export function signatureRecords(history: readonly HistoryRow[], known: readonly KnownFailure[], now: Date): SignatureRecord[] {
  return known.map((failure) => {
    const hits = history.filter((r) => knownOf(r).some((k) => k.id === failure.id));
    const broad = history.filter((r) => r.tooBroad.split(' ').includes(failure.id));
    return { failure, hits, broad, state: isExpired(failure, now) ? 'expired' : broad.length > 0 ? 'too broad' : 'active' };
  });
}
