import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { manifestCacheDir } from '../harness/results/package-manifests.ts';
import type { RunResult } from '../harness/results/model.ts';
import { withFileLock } from '../harness/util/file-lock.ts';
import { renderDashboard, type DashboardOptions } from './dashboard-html.ts';
import type { Reporter } from './reporter.ts';
import { historyRows, mergeHistory, type HistoryRow } from './stability-history.ts';
import { readWorkbook } from './workbook-read.ts';
import { REJECTED_SHEET } from './workbook-sheets.ts';
import { writeWorkbook } from './workbook-write.ts';
import { writeAtomic } from './write-atomic.ts';

export { readWorkbook } from './workbook-read.ts';

/**
 * The stability matrix, an .xlsx shared by runs: each run merges its cells into the workbook's
 * Results sheet (one row per run and cell) and every other sheet is redrawn from the whole history
 * (Matrix: scenario × release/backend, latest verdict, green runs out of the last ten; Run history;
 * Flaky checks; Known failures; Packages). Written under a cross-process lock, atomically: two runs
 * sharing the file never lose each other's rows. The dashboard is rewritten beside it.
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
  // The lock sits beside the workbook: two machines (or containers) writing one shared workbook exclude each other.
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await withFileLock(`.${path.basename(file)}.lock`, 60_000, async () => {
    const read = await readWorkbook(file);
    for (const r of read.rejected.filter((x) => x.fresh)) process.stderr.write(`gategrid: ${r.problem}; the row was moved to sheet ${REJECTED_SHEET} (nothing is lost)\n`);
    const history = mergeHistory(read.rows, rows);
    const manifests = await newManifests(runs, read.manifests);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp.xlsx`;
    try {
      await writeWorkbook(tmp, { ...options, history, rejected: read.rejected, manifests });
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
    const page = dashboardFile(file);
    writeAtomic(page, renderDashboard(history, { ...options, file: page, manifests }));
  }, path.dirname(path.resolve(file)));
}

/** The Results sheet of an existing workbook; none when the file does not exist yet. Rows that are not valid are left out (see readWorkbook). */
export async function readHistory(file: string): Promise<HistoryRow[]> {
  return (await readWorkbook(file)).rows;
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
