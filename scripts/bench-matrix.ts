/**
 * `npm run bench -- --matrix`: the whole default matrix timed the way a user runs it (`gategrid
 * run`, defaults only, through the CLI and its wiring), each cell's time and the wall time beside
 * the sum of the cells' (the parallel speed-up) and beside the last bench's figures.
 */
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../harness/config/paths.ts';
import type { RunResult } from '../harness/results/model.ts';
import { cellReason } from '../harness/results/verdicts.ts';

type Row = (name: string, value: string, target?: string) => void;

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const min = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;

/** Runs the default matrix; returns the run's exit code (0 green, 1 red). */
export async function benchMatrix(row: Row): Promise<number> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'gategrid-bench-matrix-'));
  process.stdout.write(`\nthe whole default matrix (gategrid run --out ${out}; its own progress follows)\n`);
  const started = Date.now();
  const run = await execa(process.execPath, [path.join(repoRoot, 'harness/cli/main.ts'), 'run', '--out', out], { reject: false, stdio: 'inherit', cwd: repoRoot });
  const wall = Date.now() - started;
  const result = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as RunResult;
  process.stdout.write('\nmatrix figures\n');
  const ran = result.cells.filter((c) => c.status !== 'skipped');
  for (const c of ran) row(`  ${c.id} (${c.status})`, s(c.durationMs ?? 0), c.status === 'passed' ? '' : cellReason(c).slice(0, 120));
  const sum = ran.reduce((acc, c) => acc + (c.durationMs ?? 0), 0);
  const count = (status: string) => result.cells.filter((c) => c.status === status).length;
  row('  cells passed/failed/flaky/error/skipped', [count('passed'), count('failed'), count('flaky'), count('error'), count('skipped')].join('/'), 'issue 27: green is 0 failed, 0 flaky, 0 error');
  row('  sum of cell times', min(sum));
  row('  wall time of the whole matrix', min(wall), `${(sum / wall).toFixed(2)}x parallel speed-up; issue 27 measured 29.6 min for 13 cells (2 cores, warm)`);
  return run.exitCode ?? 1;
}
