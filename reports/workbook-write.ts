// Types only here: exceljs itself (~0.3 s of CPU to load) is loaded by the write, so commands that
// write no workbook (--version, list, down, a refused input) never pay for it.
import type ExcelJS from 'exceljs';
import type { KnownFailure } from '../harness/results/known-failures.ts';
import type { CellStatus } from '../harness/results/model.ts';
import { needsAttention } from '../harness/results/verdicts.ts';
import { checkFlakiness } from './flakiness.ts';
import { matrixAxes } from './matrix-axes.ts';
import { HISTORY_COLUMNS, historyGrid, knownOf, newestRunFirst, signatureRecords, stability, type HistoryRow } from './stability-history.ts';
import type { RejectedRow } from './workbook-read.ts';
import { CLUSTERS_SHEET, FLAKY_SHEET, GRID_SHEET, HISTORY_SHEET, KNOWN_SHEET, MATRIX_SHEET, PACKAGES_SHEET, REJECTED_SHEET } from './workbook-sheets.ts';
import { failureClusters, knownShare } from './failure-clusters.ts';

export interface WorkbookContent {
  readonly history: readonly HistoryRow[];
  readonly rejected: readonly RejectedRow[];
  readonly manifests: ReadonlyMap<string, string>;
  readonly lastRuns: number;
  readonly regressionAfter: number;
  readonly known: readonly KnownFailure[];
  readonly now?: Date;
}

type Sheet = ReturnType<ExcelJS.stream.xlsx.WorkbookWriter['addWorksheet']>;

const FILL: Record<string, string> = {
  passed: 'FFB7E4C7', flaky: 'FFFFE08A', failed: 'FFF4B4B4', error: 'FFD9C6F2', skipped: 'FFE1E4E8',
};
const fill = (status: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[status] ?? 'FFFFFFFF' } });
/** Under Excel's 32,767 characters per cell. */
const CHUNK = 30_000;

/**
 * Writes the whole workbook to `file` as a stream (rows are flushed as they are made, so 25,000
 * history rows never sit in memory as cell objects): the Matrix, the Results (the history itself),
 * the Run history grid, the flakiest checks, the known failures, the package manifests and any
 * rejected rows. Column widths come before rows: a streamed sheet writes them first.
 */
export async function writeWorkbook(file: string, content: WorkbookContent): Promise<void> {
  const { default: excel } = await import('exceljs');
  const book = new excel.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  book.creator = 'gategrid';
  drawMatrix(book, content);
  drawResults(book, content.history);
  drawGrid(book, content);
  drawFlakiness(book, content.history);
  drawClusters(book, content.history);
  if (content.known.length > 0) drawKnown(book, content);
  drawPackages(book, content.manifests);
  if (content.rejected.length > 0) drawRejected(book, content.rejected);
  await book.commit();
}

function drawMatrix(book: ExcelJS.stream.xlsx.WorkbookWriter, { history }: WorkbookContent): void {
  const cells = stability(history);
  const runs = new Set(history.map((r) => r.runId)).size;
  // Newest first, so the columns follow the latest run's (the config's) order.
  const { scenarios, columns } = matrixAxes(newestRunFirst(history));
  const sheet = book.addWorksheet(MATRIX_SHEET, { views: [{ state: 'frozen', xSplit: 1, ySplit: 3 }] });
  sheet.columns = [{ width: 16 }, ...columns.map(() => ({ width: 24 }))];
  const title = sheet.getRow(1);
  title.getCell(1).value = `gategrid stability matrix: ${runs} run(s), ${history.length} cell result(s), last ${history.at(-1)?.startedAt ?? 'never'}`;
  title.getCell(1).font = { bold: true };
  sheet.getRow(2).getCell(1).value = 'Each cell: latest verdict, then green runs (passed or flaky) out of the last ten that gave a verdict, and an upgrade cell\'s downtime per endpoint. Red cells carry their reason and repro command as a note.';
  const header = sheet.getRow(3);
  header.values = ['scenario', ...columns.map((c) => `${c.release} / ${c.backend}`)];
  header.font = { bold: true };
  scenarios.forEach((scenario, i) => {
    const row = sheet.getRow(4 + i);
    row.getCell(1).value = scenario;
    row.getCell(1).font = { bold: true };
    columns.forEach((col, j) => {
      const s = cells.get(`${scenario}/${col.release}/${col.backend}`);
      if (!s) return;
      const cell = row.getCell(2 + j);
      const flaky = s.flaky > 0 ? `, ${s.flaky} flaky` : '';
      const known = s.latest.known ? ` (known: ${knownLabel(history, s.latest)})` : '';
      const tier = s.latest.tier && s.latest.tier !== 'blocking' ? ` (${s.latest.tier}: fails no gate)` : '';
      cell.value = s.latest.status === 'skipped' ? `skipped: ${s.latest.reason}` : `${s.latest.status}${tier}${known}  ${s.green}/${s.runs} green${flaky}${s.latest.downtime ? `\ndowntime: ${s.latest.downtime}` : ''}`;
      if (s.latest.downtime || known) cell.alignment = { wrapText: true, vertical: 'top' };
      cell.fill = fill(s.latest.status);
      if (needsAttention(s.latest.status as CellStatus)) cell.note = `${s.latest.runId}: ${s.latest.reason}\nreproduce: ${s.latest.repro}`;
    });
  });
  sheet.commit();
}

/** "https://bugs/1, 4 hit(s)": each signature's bug, with how many runs of this cell it explained. */
function knownLabel(history: readonly HistoryRow[], row: HistoryRow): string {
  return knownOf(row).map(({ id, bug }) => {
    const hits = history.filter((r) => r.cell === row.cell && knownOf(r).some((k) => k.id === id)).length;
    return `${bug}, ${hits} hit(s)`;
  }).join('; ');
}

function drawResults(book: ExcelJS.stream.xlsx.WorkbookWriter, history: readonly HistoryRow[]): void {
  const sheet = book.addWorksheet(HISTORY_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = HISTORY_COLUMNS.map((key) => ({ header: key, key, width: key === 'reason' || key === 'repro' || key === 'downtime' ? 60 : key === 'startedAt' ? 26 : 14 }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: HISTORY_COLUMNS.length } };
  const statusColumn = HISTORY_COLUMNS.indexOf('status') + 1;
  for (const row of history) {
    const added = sheet.addRow(row);
    added.getCell(statusColumn).fill = fill(row.status);
    added.commit();
  }
  sheet.commit();
}

/** The Run history sheet: every cell × the last runs, newest first, coloured by verdict; red cells carry their reason. */
function drawGrid(book: ExcelJS.stream.xlsx.WorkbookWriter, { history, lastRuns, regressionAfter }: WorkbookContent): void {
  const grid = historyGrid(history, lastRuns);
  const sheet = book.addWorksheet(GRID_SHEET, { views: [{ state: 'frozen', xSplit: 2, ySplit: 3 }] });
  sheet.columns = [{ width: 32 }, { width: 18 }, ...grid.runs.map(() => ({ width: 31 }))];
  sheet.getRow(1).getCell(1).value = `Every cell over the last ${grid.runs.length} run(s), newest first (older runs stay in the Results sheet). A cell red ${regressionAfter} runs in a row is flagged.`;
  sheet.getRow(1).getCell(1).font = { bold: true };
  sheet.getRow(2).values = ['', '', ...grid.runs.map((r) => r.startedAt.slice(0, 16).replace('T', ' '))];
  sheet.getRow(3).values = ['cell', 'flag', ...grid.runs.map((r) => `${r.runId}${r.commit ? ` @${r.commit.slice(0, 8)}` : ''}`)];
  sheet.getRow(3).font = { bold: true };
  grid.rows.forEach((row, i) => {
    const line = sheet.getRow(4 + i);
    line.getCell(1).value = row.cell;
    if (row.redStreak >= regressionAfter) {
      line.getCell(2).value = `regression: red ${row.redStreak} runs in a row`;
      line.getCell(2).font = { bold: true, color: { argb: 'FFB00020' } };
    }
    row.results.forEach((r, j) => {
      if (!r) return;
      const cell = line.getCell(3 + j);
      cell.value = r.known ? `${r.status} (known)` : r.status;
      cell.fill = fill(r.status);
      if (needsAttention(r.status as CellStatus) && r.reason) cell.note = `${r.reason}\nreproduce: ${r.repro}`;
    });
  });
  sheet.commit();
}

/** The flakiest checks over the whole history, ranked. */
function drawFlakiness(book: ExcelJS.stream.xlsx.WorkbookWriter, history: readonly HistoryRow[]): void {
  const sheet = book.addWorksheet(FLAKY_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'check', key: 'check', width: 70 }, { header: 'cells', key: 'cells', width: 40 }, { header: 'flaked', key: 'flakes', width: 8 },
    { header: 'judged runs', key: 'judged', width: 12 }, { header: 'rate %', key: 'rate', width: 8 }, { header: 'trend', key: 'trend', width: 10 }, { header: 'last flake', key: 'lastFlake', width: 26 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const f of checkFlakiness(history)) sheet.addRow({ ...f, cells: f.cells.join(', '), rate: Math.round(f.rate * 1000) / 10 }).commit();
  sheet.commit();
}

/**
 * Every red result grouped by its masked failure (failure-clusters.ts), the unknown ones first and
 * largest first: what to triage next. Its first row says how much of the red known signatures explain.
 */
function drawClusters(book: ExcelJS.stream.xlsx.WorkbookWriter, history: readonly HistoryRow[]): void {
  const sheet = book.addWorksheet(CLUSTERS_SHEET, { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.columns = [
    { key: 'count', width: 8 }, { key: 'known', width: 10 }, { key: 'cells', width: 40 }, { key: 'firstSeen', width: 20 },
    { key: 'lastSeen', width: 20 }, { key: 'signature', width: 80 }, { key: 'example', width: 80 },
  ];
  const { red, known } = knownShare(history);
  sheet.addRow([red === 0 ? 'No red cell in the history.' : `${known} of ${red} red cell result(s) (${Math.round((100 * known) / red)} %) explained by known-failure signatures`]).commit();
  const header = sheet.addRow(['times', 'known', 'cells', 'first seen', 'last seen', 'failure (masked)', 'example (newest)']);
  header.font = { bold: true };
  header.commit();
  const clusters = failureClusters(history);
  for (const c of [...clusters.filter((x) => !x.known), ...clusters.filter((x) => x.known)]) {
    sheet.addRow({
      count: c.count, known: c.known ? 'known' : 'unknown', cells: c.cells.join(', '), firstSeen: c.firstSeen.slice(0, 16), lastSeen: c.lastSeen.slice(0, 16),
      signature: c.signature.slice(0, CHUNK), example: `${c.example.runId} ${c.example.cell}: ${c.example.reason}`.slice(0, CHUNK),
    }).commit();
  }
  sheet.commit();
}

/** The known-failure signatures: hits, expiry, too broad. */
function drawKnown(book: ExcelJS.stream.xlsx.WorkbookWriter, { history, known, now }: WorkbookContent): void {
  const sheet = book.addWorksheet(KNOWN_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'signature', key: 'id', width: 28 }, { header: 'bug', key: 'bug', width: 50 }, { header: 'reason', key: 'reason', width: 60 },
    { header: 'expires', key: 'expires', width: 12 }, { header: 'hits', key: 'hits', width: 8 }, { header: 'state', key: 'state', width: 50 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const { failure: k, hits, broad, state } of signatureRecords(history, known, now ?? new Date())) {
    const shown = state === 'expired' ? 'expired: no longer applies' : state === 'too broad' ? `too broad: also matched a passed check in ${broad.length} cell run(s)` : 'active';
    sheet.addRow({ id: k.id, bug: k.bug, reason: k.reason, expires: k.expires ?? 'never', hits: hits.length, state: shown }).commit();
  }
  sheet.commit();
}

function drawPackages(book: ExcelJS.stream.xlsx.WorkbookWriter, manifests: ReadonlyMap<string, string>): void {
  const sheet: Sheet = book.addWorksheet(PACKAGES_SHEET);
  sheet.columns = [{ width: 16 }, { width: 60 }];
  sheet.addRow(['image id', 'packages (name=version per line; continued in the next cells when long)']).font = { bold: true };
  for (const [id, text] of [...manifests].sort()) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += CHUNK) chunks.push(text.slice(i, i + CHUNK));
    sheet.addRow([id, ...chunks]).commit();
  }
  sheet.commit();
}

/** Rows that could not be read, each kept as it was (JSON) with its problem. */
function drawRejected(book: ExcelJS.stream.xlsx.WorkbookWriter, rejected: readonly RejectedRow[]): void {
  const sheet = book.addWorksheet(REJECTED_SHEET);
  sheet.columns = [{ width: 80 }, { width: 80 }];
  sheet.addRow(['row as found', 'problem']);
  for (const r of rejected) sheet.addRow([r.fresh ? JSON.stringify(r.values) : String(r.values.raw), r.problem]).commit();
  sheet.commit();
}
