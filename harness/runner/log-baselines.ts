/**
 * Where green runs' compact logs are kept between runs (beside the stability matrix, one gzipped
 * file per cell, the last green run's), and the runner's two uses of them: a green cell records
 * its services' logs, a red one is compared with the last record (results/log-baseline.ts).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { cellDir, type CellResult } from '../results/model.ts';
import { compareWithBaseline, lineHashes, type LogBaseline, type NewLogLines } from '../results/log-baseline.ts';

export class LogBaselines {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  #file(cellId: string): string {
    return path.join(this.#dir, `${cellDir(cellId)}.json.gz`);
  }

  /** A green cell: its services' logs, compact, replace the last record. */
  async record(cell: CellResult, outDir: string, runId: string): Promise<void> {
    const logs = await serviceLogs(cell, outDir);
    if (logs.size === 0) return;
    const baseline: LogBaseline = { cell: cell.id, runId, recordedAt: new Date().toISOString(), services: Object.fromEntries([...logs].map(([s, text]) => [s, lineHashes(text)])) };
    await mkdir(this.#dir, { recursive: true });
    const tmp = `${this.#file(cell.id)}.${process.pid}.tmp`;
    await writeFile(tmp, gzipSync(JSON.stringify(baseline)));
    await rename(tmp, this.#file(cell.id));
  }

  /** A red cell: what its logs hold that the last green record lacks; undefined without a record or anything new. */
  async compare(cell: CellResult, outDir: string): Promise<NewLogLines | undefined> {
    const raw = await readFile(this.#file(cell.id)).catch(() => undefined);
    if (raw === undefined) return undefined;
    const baseline = JSON.parse(gunzipSync(raw).toString('utf8')) as LogBaseline;
    return compareWithBaseline(await serviceLogs(cell, outDir), baseline);
  }
}

/** A cell's service and job logs by name (`keystone.log` → keystone); Tempest's own are not a service's. */
async function serviceLogs(cell: CellResult, outDir: string): Promise<Map<string, string>> {
  const dir = path.join(outDir, cell.artifacts.logs);
  const logs = new Map<string, string>();
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
    if (!name.endsWith('.log') || name.startsWith('tempest')) continue;
    logs.set(name.slice(0, -4), await readFile(path.join(dir, name), 'utf8'));
  }
  return logs;
}
