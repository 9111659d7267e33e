import type { RunResult } from './model.ts';
import { needsAttention } from './verdicts.ts';

/**
 * How often each check of each cell went red over repeated runs of the same cells (`gategrid run
 * --repeat N`): a flake measured, not guessed. A check that was flaky within a run (red, then green
 * on its rerun) counts as red once in that run.
 */
export interface CheckRate {
  readonly cell: string;
  readonly check: string;
  readonly runs: number;
  readonly red: number;
}

export function flakeRates(runs: readonly RunResult[]): CheckRate[] {
  const counts = new Map<string, { cell: string; check: string; runs: number; red: number }>();
  for (const run of runs) {
    for (const cell of run.cells) {
      for (const check of cell.checks) {
        const key = `${cell.id}\u0000${check.id}`;
        const c = counts.get(key) ?? { cell: cell.id, check: check.id, runs: 0, red: 0 };
        c.runs++;
        if (needsAttention(check.status)) c.red++;
        counts.set(key, c);
      }
    }
  }
  return [...counts.values()].sort((a, b) => b.red / b.runs - a.red / a.runs || a.cell.localeCompare(b.cell) || a.check.localeCompare(b.check));
}
