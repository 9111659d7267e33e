import type { CellResult, CellStatus, CheckStatus } from './model.ts';

/**
 * The red/green rules, beside the results model, used by the runner and every reporter alike.
 *
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

/** A red check: the deployment is wrong (failed) or the check could not judge (error). */
export function isRedCheck(status: CheckStatus): boolean {
  return status === 'failed' || status === 'error';
}

/** Worth a person's look: red, or green only on a retry (flaky). */
export function needsAttention(status: CellStatus | CheckStatus): boolean {
  return status === 'failed' || status === 'error' || status === 'flaky';
}

/**
 * Why a cell is what it is, in one line, always: its own reason, else its first red check (id and
 * message), else its first red phase. A results file from elsewhere may lack `reason`; the matrix
 * and the pages never say just "failed".
 */
export function cellReason(cell: Pick<CellResult, 'status' | 'reason' | 'checks' | 'phases'>): string {
  if (cell.reason) return cell.reason;
  if (cell.status === 'passed') return '';
  const check = firstRedCheck(cell.checks) ?? cell.checks.find((c) => c.status === 'flaky');
  if (check) return `${check.id}: ${check.message ?? check.status}`;
  const phase = cell.phases.find((p) => p.status === 'error' || p.status === 'failed' || p.status === 'interrupted');
  if (phase) return `${phase.name} ${phase.status}${phase.message ? `: ${phase.message}` : ''}`;
  return cell.status;
}

/** The check that says most about a red cell: the first that errored, else the first that failed. */
export function firstRedCheck<C extends { status: CheckStatus; kind?: string }>(checks: readonly C[]): C | undefined {
  // A service that died during the cell is the first cause of the red checks it left behind.
  return checks.find((c) => c.status === 'error') ?? checks.find((c) => c.status === 'failed' && c.kind === 'health') ?? checks.find((c) => c.status === 'failed');
}

/** The verdict as people read it: `failed (known: <bug>)` for a red cell that known failures explain. */
export function verdictLabel(cell: Pick<CellResult, 'status' | 'known'>): string {
  return cell.known && cell.known.length > 0 ? `${cell.status} (known: ${cell.known.map((k) => k.bug).join(', ')})` : cell.status;
}
