import type { CellStatus } from '../results/model.ts';

/**
 * Folds the attempts of one cell into its outcome, as Playwright's computeTestCaseOutcome does:
 * red then green is `flaky` (green for gating, always reported); all red keeps the last red status.
 */
export function foldAttempts(statuses: readonly CellStatus[]): CellStatus {
  const last = statuses.at(-1);
  if (last === undefined) return 'skipped';
  if (last === 'passed') return statuses.some((s) => s === 'failed' || s === 'error') ? 'flaky' : 'passed';
  return last;
}

/** Green for gating: passed, flaky and skipped cells. */
export function isGreen(status: CellStatus): boolean {
  return status === 'passed' || status === 'flaky' || status === 'skipped';
}

export function isRed(status: CellStatus): boolean {
  return status === 'failed' || status === 'error';
}
