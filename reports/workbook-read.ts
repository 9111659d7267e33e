import { access } from 'node:fs/promises';
import { InfraError, errorMessage } from '../harness/errors.ts';
import { REQUIRED_COLUMNS, parseHistoryRow, type HistoryRow } from './stability-history.ts';
import { HISTORY_SHEET, PACKAGES_SHEET, REJECTED_SHEET } from './workbook-sheets.ts';
import { readSheets, type SheetRow } from './xlsx-sheet-reader.ts';

export interface RejectedRow {
  readonly values: Record<string, unknown>;
  readonly problem: string;
  /** Found in the Results sheet by this read (not already in the Rejected sheet). */
  readonly fresh: boolean;
}

export interface ReadWorkbook {
  readonly rows: HistoryRow[];
  readonly rejected: RejectedRow[];
  /** Image id → its package manifest (the Packages sheet). */
  readonly manifests: Map<string, string>;
}

/**
 * The Results sheet's valid rows, the rows that are not (a hand edit, a foreign tool) with the
 * problem of each, and the package manifests: only these sheets' values are read (xlsx-sheet-reader),
 * never cell objects, so a workbook of 1,000 runs × 25 cells reads in a fraction of a second. A bad
 * row never stops the workbook from opening or a merge from working.
 */
export async function readWorkbook(file: string): Promise<ReadWorkbook> {
  const out: ReadWorkbook = { rows: [], rejected: [], manifests: new Map() };
  if (!(await access(file).then(() => true, () => false))) return out;
  let read: Awaited<ReturnType<typeof readSheets>>;
  try {
    read = await readSheets(file, [HISTORY_SHEET, REJECTED_SHEET, PACKAGES_SHEET]);
  } catch (cause) {
    throw new InfraError(`${file} is not a readable .xlsx (${errorMessage(cause)}): move it away or choose another file with --matrix; it was left as it is`, { cause });
  }
  const sheetNamed = (name: string): SheetRow[] | undefined => read.sheets.get(name);
  const results = sheetNamed(HISTORY_SHEET);
  if (!results) throw new InfraError(`${file} has no "${HISTORY_SHEET}" sheet, so it is not a gategrid stability matrix: move it away or choose another file with --matrix; it was left as it is`);
  readResults(file, results, out);
  // Rows rejected by earlier merges stay where they were put.
  for (const row of sheetNamed(REJECTED_SHEET) ?? []) {
    if (row.number === 1) continue;
    out.rejected.push({ values: { raw: String(row.values[1] ?? '') }, problem: String(row.values[2] ?? ''), fresh: false });
  }
  for (const row of sheetNamed(PACKAGES_SHEET) ?? []) {
    if (row.number === 1) continue;
    out.manifests.set(String(row.values[1] ?? ''), row.values.slice(2).map((v) => String(v ?? '')).join(''));
  }
  return out;
}

function readResults(file: string, rows: readonly SheetRow[], out: ReadWorkbook): void {
  const header = new Map<number, string>();
  for (const row of rows) {
    if (row.number === 1) {
      row.values.forEach((v, col) => { if (v !== null && v !== undefined) header.set(col, String(v)); });
      const missing = REQUIRED_COLUMNS.filter((k) => ![...header.values()].includes(k));
      if (missing.length > 0) throw new InfraError(`${file}, sheet ${HISTORY_SHEET}, row 1: missing column(s) ${missing.join(', ')}; restore them or move the file away`);
      continue;
    }
    const values: Record<string, unknown> = {};
    row.values.forEach((v, col) => {
      const key = header.get(col);
      if (key && v !== null && v !== undefined) values[key] = v;
    });
    if (Object.keys(values).length === 0) continue;
    try {
      out.rows.push(parseHistoryRow(values, `${file}, sheet ${HISTORY_SHEET}, row ${row.number}`));
    } catch (cause) {
      out.rejected.push({ values, problem: errorMessage(cause), fresh: true });
    }
  }
}
