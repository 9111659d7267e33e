import { needsAttention } from '../harness/results/verdicts.ts';
import type { CellStatus } from '../harness/results/model.ts';
import { createHash } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InfraError, errorMessage } from '../harness/errors.ts';
import type { RunResult } from '../harness/results/model.ts';
import { withFileLock } from '../harness/util/file-lock.ts';
import { matrixAxes } from './matrix-axes.ts';
import type { Reporter } from './reporter.ts';
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

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  // Rows hold only what a cell's end settles, so the last cell's end has written everything.
  onCellEnd(run: RunResult): Promise<void> { return mergeRunIntoWorkbook(this.file, run); }
}

/** Adds the runs' finished cells to the workbook at `file` (made if missing). */
export async function mergeRunIntoWorkbook(file: string, ...runs: RunResult[]): Promise<void> {
  const rows = runs.flatMap(historyRows);
  const lock = `xlsx-${createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 16)}`;
  await withFileLock(lock, 60_000, async () => {
    const read = await readWorkbook(file);
    for (const r of read.rejected.filter((x) => x.fresh)) process.stderr.write(`gategrid: ${r.problem}; the row was moved to sheet ${REJECTED_SHEET} (nothing is lost)\n`);
    const history = mergeHistory(read.rows, rows);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp.xlsx`;
    try {
      const book = buildWorkbook(history);
      if (read.rejected.length > 0) writeRejected(book, read.rejected);
      await book.xlsx.writeFile(tmp);
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
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
export async function readWorkbook(file: string): Promise<{ rows: HistoryRow[]; rejected: RejectedRow[] }> {
  if (!(await access(file).then(() => true, () => false))) return { rows: [], rejected: [] };
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
  return { rows, rejected };
}

/** Rows that could not be read, each kept as it was (JSON) with its problem. */
function writeRejected(workbook: ExcelJS.Workbook, rejected: readonly RejectedRow[]): void {
  const sheet = workbook.addWorksheet(REJECTED_SHEET);
  sheet.addRow(['row as found', 'problem']);
  for (const r of rejected) sheet.addRow([r.fresh ? JSON.stringify(r.values) : String(r.values.raw), r.problem]);
  sheet.getColumn(1).width = 80;
  sheet.getColumn(2).width = 80;
}

function buildWorkbook(history: readonly HistoryRow[]): ExcelJS.Workbook {
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
      cell.value = s.latest.status === 'skipped' ? `skipped: ${s.latest.reason}` : `${s.latest.status}  ${s.green}/${s.runs} green${flaky}${s.latest.downtime ? `\ndowntime: ${s.latest.downtime}` : ''}`;
      if (s.latest.downtime) cell.alignment = { wrapText: true, vertical: 'top' };
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
  drawHistoryGrid(workbook, history);
  return workbook;
}

/** Red this many runs in a row: flagged as a regression in the History sheet. */
const REGRESSION_STREAK = 3;

/** The History sheet: every cell × the last runs, newest first, coloured by verdict; red cells carry their reason. */
function drawHistoryGrid(workbook: ExcelJS.Workbook, history: readonly HistoryRow[]): void {
  const grid = historyGrid(history);
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
      cell.value = r.status;
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[r.status] ?? 'FFFFFFFF' } };
      if (needsAttention(r.status as CellStatus) && r.reason) cell.note = `${r.reason}\nreproduce: ${r.repro}`;
    });
  });
  sheet.getColumn(1).width = 32;
  sheet.getColumn(2).width = 18;
  grid.runs.forEach((_, j) => (sheet.getColumn(3 + j).width = 31));
}
