/**
 * The stability matrix at scale: a workbook holding 1,000 runs × 25 cells (made once, in one merge),
 * then one more run merged into it as a run's cell end does, measured in a fresh process: wall
 * time and peak memory (maxRSS), beside the targets. Also the dashboard's size at that scale.
 *
 *   npm run bench:report            (npm run bench runs it as its first section)
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../harness/config/paths.ts';
import type { CellResult, RunResult } from '../harness/results/model.ts';
import { dashboardFile, mergeIntoWorkbook } from '../reports/xlsx-reporter.ts';

const RUNS = 1000;
const CELLS = 25;

export async function syntheticRuns(count: number, from = 0): Promise<RunResult[]> {
  const recorded = (JSON.parse(await readFile(path.join(repoRoot, 'fixtures/results/core-zed-green.json'), 'utf8')) as RunResult).cells[0]!;
  const scenarios = ['core', 'identity', 'compute', 'core-upgrade', 'compute-upgrade'];
  const releases = ['victoria', 'zed', '2025.1', 'zed-k8s', '2025.1-k8s'];
  const out: RunResult[] = [];
  for (let n = from; n < from + count; n++) {
    const startedAt = new Date(Date.UTC(2024, 0, 1) + n * 3_600_000).toISOString();
    const id = `${startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${(n % 65536).toString(16).padStart(4, '0')}`;
    const cells: CellResult[] = [];
    for (let c = 0; c < CELLS; c++) {
      const scenario = scenarios[c % 5]!;
      const release = releases[Math.floor(c / 5)]!;
      const red = (n * 7 + c * 3) % 23 === 0;
      const cell: CellResult = { ...recorded, id: `${scenario}/${release}/docker`, scenario, release, startedAt, status: red ? 'failed' : 'passed', checks: recorded.checks.map((k) => ({ ...k })) };
      if (red) {
        cell.checks[3]!.status = 'failed';
        cell.checks[3]!.message = 'HTTP 500 from keystone';
      }
      cells.push(cell);
    }
    out.push({ schemaVersion: 1, run: { id, startedAt, gategridVersion: '0.1.0', commit: `c${(n >> 2).toString(16).padStart(11, '0')}`, report: `/tmp/runs/${id}/report.html` }, cells });
  }
  return out;
}

const options = { lastRuns: 30, regressionAfter: 3, known: [] };

if (process.argv[2] === '--merge-one') {
  // The measured part, alone in its process: one run merged into the big workbook.
  const [book] = process.argv.slice(3);
  const [run] = await syntheticRuns(1, RUNS);
  const t0 = performance.now();
  await mergeIntoWorkbook(book!, [run!], options);
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gategrid-bench-report-'));
  const book = path.join(dir, 'stability-matrix.xlsx');
  const t0 = performance.now();
  await mergeIntoWorkbook(book, await syntheticRuns(RUNS), options);
  const made = performance.now() - t0;
  const child = await execa(process.execPath, [path.join(repoRoot, 'scripts/bench-report.ts'), '--merge-one', book]);
  const { ms, maxRssMiB } = JSON.parse(String(child.stdout)) as { ms: number; maxRssMiB: number };
  const row = (name: string, value: string, target = '') => process.stdout.write(`  ${name.padEnd(44)} ${value.padStart(10)}  ${target}\n`);
  process.stdout.write(`stability matrix at scale (${RUNS} runs × ${CELLS} cells)\n`);
  row('workbook made in one merge', `${(made / 1000).toFixed(1)} s`);
  row('workbook size', `${((await stat(book)).size / 2 ** 20).toFixed(1)} MiB`);
  row('merge one run into it (a cell end)', `${(ms / 1000).toFixed(2)} s`, 'target < 3 s (was 7.7 s)');
  row('  peak memory of that process', `${maxRssMiB.toFixed(0)} MiB`, 'target < 500 MB (was ~1 GB)');
  row('dashboard beside it', `${((await stat(dashboardFile(book))).size / 1024).toFixed(0)} KiB`, `shows the last ${options.lastRuns} runs`);
}
