import { needsAttention } from '../harness/results/verdicts.ts';
import type { CellStatus } from '../harness/results/model.ts';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { manifestCacheDir } from '../harness/results/package-manifests.ts';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InfraError, errorMessage } from '../harness/errors.ts';
import type { RunResult } from '../harness/results/model.ts';
import { withFileLock } from '../harness/util/file-lock.ts';
import { matrixAxes } from './matrix-axes.ts';
import type { Reporter } from './reporter.ts';
import { renderDashboard, type DashboardOptions } from './dashboard-html.ts';
import { checkFlakiness } from './flakiness.ts';
import { isExpired } from '../harness/results/known-failures.ts';
import { writeAtomic } from './write-atomic.ts';
import { HISTORY_COLUMNS, REQUIRED_COLUMNS, historyGrid, historyRows, mergeHistory, newestRunFirst, parseHistoryRow, stability, type HistoryRow } from './stability-history.ts';

const MATRIX_SHEET = 'Matrix';
const HISTORY_SHEET = 'Results';
const REJECTED_SHEET = 'Rejected';
// Excel reserves the name "History".
const GRID_SHEET = 'Run history';

const FILL: Record<string, string> = {
  passed: 'FFB7E4C7', flaky: 'FFFFE08A', failed: 'FFF4B4B4', error: 'FFD9C6F2', skipped: 'FFE1E4E8',
};

/**
 * The stability matrix, an .xlsx shared by runs: each run merges its cells into the workbook's
 * Results sheet (one row per run and cell) and the Matrix sheet is redrawn from the whole history
 * (scenario × release/backend: latest verdict, green runs out of the last ten). Written under a
 * cross-process lock, atomically: two runs sharing the file never lose each other's rows.
 */
export class XlsxReporter implements Reporter {
  readonly name = 'xlsx';
  readonly file: string;
  readonly #options: DashboardOptions;

  constructor(file: string, options: DashboardOptions = DEFAULT_OPTIONS) {
    this.file = path.resolve(file);
    this.#options = options;
  }

  // Rows hold only what a cell's end settles, so the last cell's end has written everything.
  onCellEnd(run: RunResult): Promise<void> { return mergeIntoWorkbook(this.file, [run], this.#options); }
}

const DEFAULT_OPTIONS: DashboardOptions = { lastRuns: 30, regressionAfter: 3, known: [] };

/** The dashboard written beside a workbook: same name, .html. */
export function dashboardFile(workbook: string): string {
  return `${workbook.replace(/\.xlsx$/i, '')}.html`;
}

/** Adds the runs' finished cells to the workbook at `file` (made if missing), with default options. */
export function mergeRunIntoWorkbook(file: string, ...runs: RunResult[]): Promise<void> {
  return mergeIntoWorkbook(file, runs, DEFAULT_OPTIONS);
}

/** Adds the runs' finished cells to the workbook at `file` (made if missing) and rewrites the dashboard beside it. */
export async function mergeIntoWorkbook(file: string, runs: readonly RunResult[], options: DashboardOptions): Promise<void> {
  const rows = runs.flatMap(historyRows);
  const lock = `xlsx-${createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 16)}`;
  await withFileLock(lock, 60_000, async () => {
    const read = await readWorkbook(file);
    for (const r of read.rejected.filter((x) => x.fresh)) process.stderr.write(`gategrid: ${r.problem}; the row was moved to sheet ${REJECTED_SHEET} (nothing is lost)\n`);
    const history = mergeHistory(read.rows, rows);
    const manifests = await newManifests(runs, read.manifests);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp.xlsx`;
    try {
      const book = buildWorkbook(history, options);
      if (read.rejected.length > 0) writeRejected(book, read.rejected);
      writeManifests(book, manifests);
      await book.xlsx.writeFile(tmp);
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
    const page = dashboardFile(file);
    writeAtomic(page, renderDashboard(history, { ...options, file: page, manifests }));
  });
}

interface RejectedRow {
  readonly values: Record<string, unknown>;
  readonly problem: string;
  /** Found in the Results sheet by this read (not already in the Rejected sheet). */
  readonly fresh: boolean;
}

/** The Results sheet of an existing workbook; none when the file does not exist yet. Rows that are not valid are left out (see readWorkbook). */
export async function readHistory(file: string): Promise<HistoryRow[]> {
  return (await readWorkbook(file)).rows;
}

/**
 * The Results sheet's valid rows, and the rows that are not (a hand edit, a foreign tool) with
 * the problem of each: a bad row never stops the workbook from opening or a merge from working.
 */
export async function readWorkbook(file: string): Promise<{ rows: HistoryRow[]; rejected: RejectedRow[]; manifests: Map<string, string> }> {
  if (!(await access(file).then(() => true, () => false))) return { rows: [], rejected: [], manifests: new Map() };
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (cause) {
    throw new InfraError(`${file} is not a readable .xlsx (${errorMessage(cause)}): move it away or choose another file with --matrix; it was left as it is`, { cause });
  }
  const sheet = workbook.getWorksheet(HISTORY_SHEET);
  if (!sheet) throw new InfraError(`${file} has no "${HISTORY_SHEET}" sheet, so it is not a gategrid stability matrix: move it away or choose another file with --matrix; it was left as it is`);
  const header = new Map<number, string>();
  sheet.getRow(1).eachCell((cell, col) => header.set(col, String(cell.value ?? '')));
  const missing = REQUIRED_COLUMNS.filter((k) => ![...header.values()].includes(k));
  if (missing.length > 0) throw new InfraError(`${file}, sheet ${HISTORY_SHEET}, row 1: missing column(s) ${missing.join(', ')}; restore them or move the file away`);
  const rows: HistoryRow[] = [];
  const rejected: RejectedRow[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const values: Record<string, unknown> = {};
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      const key = header.get(col);
      if (key) values[key] = cell.value;
    });
    try {
      rows.push(parseHistoryRow(values, `${file}, sheet ${HISTORY_SHEET}, row ${n}`));
    } catch (cause) {
      rejected.push({ values, problem: errorMessage(cause), fresh: true });
    }
  });
  // Rows rejected by earlier merges stay where they were put.
  workbook.getWorksheet(REJECTED_SHEET)?.eachRow((row, n) => {
    if (n === 1) return;
    rejected.push({ values: { raw: String(row.getCell(1).value ?? '') }, problem: String(row.getCell(2).value ?? ''), fresh: false });
  });
  return { rows, rejected, manifests: readManifests(workbook) };
}

const PACKAGES_SHEET = 'Packages';
/** Under Excel's 32,767 characters per cell. */
const CHUNK = 30_000;

/** The Packages sheet: image id → its manifest, split over as many cells as it needs. */
function readManifests(workbook: ExcelJS.Workbook): Map<string, string> {
  const out = new Map<string, string>();
  workbook.getWorksheet(PACKAGES_SHEET)?.eachRow((row, n) => {
    if (n === 1) return;
    const values = (row.values as unknown[]).slice(2).map((v) => String(v ?? ''));
    out.set(String(row.getCell(1).value ?? ''), values.join(''));
  });
  return out;
}

function writeManifests(workbook: ExcelJS.Workbook, manifests: ReadonlyMap<string, string>): void {
  const sheet = workbook.addWorksheet(PACKAGES_SHEET);
  sheet.addRow(['image id', 'packages (name=version per line; continued in the next cells when long)']);
  sheet.getRow(1).font = { bold: true };
  for (const [id, text] of [...manifests].sort()) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += CHUNK) chunks.push(text.slice(i, i + CHUNK));
    sheet.addRow([id, ...chunks]);
  }
  sheet.getColumn(1).width = 16;
}

/** Manifests of the runs' images not in the workbook yet: from each run's packages/ folder, else this machine's cache. */
async function newManifests(runs: readonly RunResult[], known: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const out = new Map(known);
  for (const run of runs) {
    const dirs = [...(run.run.report ? [path.join(path.dirname(run.run.report), 'packages')] : []), manifestCacheDir()];
    for (const id of new Set(run.cells.flatMap((c) => Object.values(c.imageIds ?? {})))) {
      if (out.has(id)) continue;
      for (const dir of dirs) {
        const text = await readFile(path.join(dir, `${id}.txt`), 'utf8').catch(() => undefined);
        if (text !== undefined) {
          out.set(id, text);
          break;
        }
      }
    }
  }
  return out;
}

/** Rows that could not be read, each kept as it was (JSON) with its problem. */
function writeRejected(workbook: ExcelJS.Workbook, rejected: readonly RejectedRow[]): void {
  const sheet = workbook.addWorksheet(REJECTED_SHEET);
  sheet.addRow(['row as found', 'problem']);
  for (const r of rejected) sheet.addRow([r.fresh ? JSON.stringify(r.values) : String(r.values.raw), r.problem]);
  sheet.getColumn(1).width = 80;
  sheet.getColumn(2).width = 80;
}

function buildWorkbook(history: readonly HistoryRow[], options: DashboardOptions): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'gategrid';
  const cells = stability(history);
  const runs = new Set(history.map((r) => r.runId)).size;

  const matrix = workbook.addWorksheet(MATRIX_SHEET, { views: [{ state: 'frozen', xSplit: 1, ySplit: 3 }] });
  matrix.getCell('A1').value = `gategrid stability matrix: ${runs} run(s), ${history.length} cell result(s), last ${history.at(-1)?.startedAt ?? 'never'}`;
  matrix.getCell('A1').font = { bold: true };
  matrix.getCell('A2').value = 'Each cell: latest verdict, then green runs (passed or flaky) out of the last ten that gave a verdict, and an upgrade cell\'s downtime per endpoint. Red cells carry their reason and repro command as a note.';
  // Newest first, so the columns follow the latest run's (the config's) order.
  const { scenarios, columns } = matrixAxes(newestRunFirst(history));
  const header = matrix.getRow(3);
  header.values = ['scenario', ...columns.map((c) => `${c.release} / ${c.backend}`)];
  header.font = { bold: true };
  scenarios.forEach((scenario, i) => {
    const row = matrix.getRow(4 + i);
    row.getCell(1).value = scenario;
    row.getCell(1).font = { bold: true };
    columns.forEach((col, j) => {
      const s = cells.get(`${scenario}/${col.release}/${col.backend}`);
      if (!s) return;
      const cell = row.getCell(2 + j);
      const flaky = s.flaky > 0 ? `, ${s.flaky} flaky` : '';
      const known = s.latest.known ? ` (known: ${knownLabel(history, s.latest)})` : '';
      cell.value = s.latest.status === 'skipped' ? `skipped: ${s.latest.reason}` : `${s.latest.status}${known}  ${s.green}/${s.runs} green${flaky}${s.latest.downtime ? `\ndowntime: ${s.latest.downtime}` : ''}`;
      if (s.latest.downtime || known) cell.alignment = { wrapText: true, vertical: 'top' };
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[s.latest.status] ?? 'FFFFFFFF' } };
      if (needsAttention(s.latest.status as CellStatus)) {
        cell.note = `${s.latest.runId}: ${s.latest.reason}\nreproduce: ${s.latest.repro}`;
      }
    });
  });
  matrix.getColumn(1).width = 16;
  columns.forEach((_, j) => (matrix.getColumn(2 + j).width = 24));

  const sheet = workbook.addWorksheet(HISTORY_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = HISTORY_COLUMNS.map((key) => ({ header: key, key, width: key === 'reason' || key === 'repro' || key === 'downtime' ? 60 : key === 'startedAt' ? 26 : 14 }));
  sheet.getRow(1).font = { bold: true };
  for (const row of history) {
    const added = sheet.addRow(row);
    added.getCell('status').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[row.status] ?? 'FFFFFFFF' } };
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: HISTORY_COLUMNS.length } };
  drawHistoryGrid(workbook, history, options);
  drawFlakiness(workbook, history);
  if (options.known.length > 0) drawKnown(workbook, history, options);
  return workbook;
}

/** "https://bugs/1 (4 hits)": each signature's bug, with how many runs of this cell it explained. */
function knownLabel(history: readonly HistoryRow[], row: HistoryRow): string {
  return row.known.split(', ').map((pair) => {
    const [id, bug] = [pair.slice(0, pair.indexOf(' ')), pair.slice(pair.indexOf(' ') + 1)];
    const hits = history.filter((r) => r.cell === row.cell && r.known.split(', ').some((k) => k.startsWith(`${id} `))).length;
    return `${bug}, ${hits} hit(s)`;
  }).join('; ');
}

/** The flakiest checks over the whole history, ranked. */
function drawFlakiness(workbook: ExcelJS.Workbook, history: readonly HistoryRow[]): void {
  const sheet = workbook.addWorksheet('Flaky checks', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'check', key: 'check', width: 70 }, { header: 'cells', key: 'cells', width: 40 }, { header: 'flaked', key: 'flakes', width: 8 },
    { header: 'judged runs', key: 'judged', width: 12 }, { header: 'rate', key: 'rate', width: 8 }, { header: 'trend', key: 'trend', width: 10 }, { header: 'last flake', key: 'lastFlake', width: 26 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const f of checkFlakiness(history)) sheet.addRow({ ...f, cells: f.cells.join(', '), rate: Math.round(f.rate * 1000) / 10 });
}

/** The known-failure signatures: hits, expiry, too broad. */
function drawKnown(workbook: ExcelJS.Workbook, history: readonly HistoryRow[], options: DashboardOptions): void {
  const now = options.now ?? new Date();
  const sheet = workbook.addWorksheet('Known failures', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'signature', key: 'id', width: 28 }, { header: 'bug', key: 'bug', width: 50 }, { header: 'reason', key: 'reason', width: 60 },
    { header: 'expires', key: 'expires', width: 12 }, { header: 'hits', key: 'hits', width: 8 }, { header: 'state', key: 'state', width: 50 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const k of options.known) {
    const hits = history.filter((r) => r.known.split(', ').some((x) => x.startsWith(`${k.id} `))).length;
    const broad = history.filter((r) => r.tooBroad.split(' ').includes(k.id));
    const state = isExpired(k, now) ? 'expired: no longer applies' : broad.length > 0 ? `too broad: also matched a passed check in ${broad.length} cell run(s)` : 'active';
    sheet.addRow({ id: k.id, bug: k.bug, reason: k.reason, expires: k.expires ?? 'never', hits, state });
  }
}

/** The History sheet: every cell × the last runs, newest first, coloured by verdict; red cells carry their reason. */
function drawHistoryGrid(workbook: ExcelJS.Workbook, history: readonly HistoryRow[], options: DashboardOptions): void {
  const REGRESSION_STREAK = options.regressionAfter;
  const grid = historyGrid(history, options.lastRuns);
  const sheet = workbook.addWorksheet(GRID_SHEET, { views: [{ state: 'frozen', xSplit: 2, ySplit: 3 }] });
  sheet.getCell('A1').value = `Every cell over the last ${grid.runs.length} run(s), newest first (older runs stay in the Results sheet). A cell red ${REGRESSION_STREAK} runs in a row is flagged.`;
  sheet.getCell('A1').font = { bold: true };
  sheet.getRow(2).values = ['', '', ...grid.runs.map((r) => r.startedAt.slice(0, 16).replace('T', ' '))];
  sheet.getRow(3).values = ['cell', 'flag', ...grid.runs.map((r) => `${r.runId}${r.commit ? ` @${r.commit.slice(0, 8)}` : ''}`)];
  sheet.getRow(3).font = { bold: true };
  grid.rows.forEach((row, i) => {
    const line = sheet.getRow(4 + i);
    line.getCell(1).value = row.cell;
    if (row.redStreak >= REGRESSION_STREAK) {
      line.getCell(2).value = `regression: red ${row.redStreak} runs in a row`;
      line.getCell(2).font = { bold: true, color: { argb: 'FFB00020' } };
    }
    row.results.forEach((r, j) => {
      if (!r) return;
      const cell = line.getCell(3 + j);
      cell.value = r.known ? `${r.status} (known)` : r.status;
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[r.status] ?? 'FFFFFFFF' } };
      if (needsAttention(r.status as CellStatus) && r.reason) cell.note = `${r.reason}\nreproduce: ${r.repro}`;
    });
  });
  sheet.getColumn(1).width = 32;
  sheet.getColumn(2).width = 18;
  grid.runs.forEach((_, j) => (sheet.getColumn(3 + j).width = 31));
}
