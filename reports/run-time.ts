// A run's time as every reporter words it (console summary, report.html).
import type { RunResult } from '../harness/results/model.ts';

/** The run's wall time beside the sum of its cells' times: what a full run costs, and what running cells side by side saved. */
export function timeLine(run: RunResult): string {
  if (run.run.durationMs === undefined) return '';
  const ran = run.cells.filter((c) => c.status !== 'skipped' && c.durationMs !== undefined);
  const sum = ran.reduce((a, c) => a + (c.durationMs ?? 0), 0);
  return ` in ${clock(run.run.durationMs)} wall time (${ran.length} cell(s) ran, ${clock(sum)} of cell time in all)`;
}

/** 95.2 s, or 29 min 36 s past a minute and a half. */
export function clock(ms: number): string {
  if (ms < 90_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
