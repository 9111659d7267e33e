import type { CellResult, CellStatus, CheckResult, CheckStatus, PhaseResult } from './model.ts';

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

/**
 * A phase that ran to its end, judged by the checks it produced: `error` when one errored, else
 * `failed` when one failed; nothing to add when none is red. A skipped check is not red: what
 * skipped it is (a red check before it, an interruption, the scenario's choice) and says so itself.
 */
export function phaseVerdict(checks: readonly Pick<CheckResult, 'id' | 'status'>[]): Partial<Pick<PhaseResult, 'status' | 'message'>> {
  const bad = checks.filter((c) => isRedCheck(c.status));
  if (bad.length === 0) return {};
  return { status: bad.some((c) => c.status === 'error') ? 'error' : 'failed', message: `${bad.length} of ${checks.length} checks not passed, first ${bad[0]!.id}` };
}

/** How a cell's run ended, besides its checks and phases: interrupted, or with the harness's own errors. */
export interface CellEnd {
  readonly interrupted: boolean;
  readonly harnessErrors: readonly string[];
}

/**
 * A cell's status once its phases have run. `error` beats `failed`: an interrupted run or a broken
 * harness says nothing about the deployment, and a check that could not judge says nothing either.
 */
export function decideCell(cell: Pick<CellResult, 'checks' | 'phases'>, end: CellEnd): CellStatus {
  if (end.interrupted || end.harnessErrors.length > 0) return 'error';
  if (cell.checks.some((c) => c.status === 'error')) return 'error';
  if (cell.checks.some((c) => c.status === 'failed')) return 'failed';
  if (cell.phases.some((p) => p.status === 'failed' || p.status === 'error')) return 'failed';
  if (cell.checks.some((c) => c.status === 'flaky')) return 'flaky';
  return 'passed';
}

/** Why a cell that is not green ended so, in one line: the interruption, the harness's error, its first red check, or its first red phase. */
export function decideReason(cell: Pick<CellResult, 'checks' | 'phases'>, end: CellEnd): string {
  if (end.interrupted) return 'interrupted';
  if (end.harnessErrors.length > 0) return end.harnessErrors[0]!;
  const bad = firstRedCheck(cell.checks);
  if (bad) return `${bad.id}: ${bad.message ?? bad.status}`;
  return cell.phases.find((p) => p.status !== 'passed')?.message ?? 'failed';
}

/** A blocking cell (the default), whose red verdict fails the gate. */
export function isBlocking(cell: Pick<CellResult, 'tier'>): boolean {
  return cell.tier === undefined || cell.tier === 'blocking';
}

/**
 * A cell that fails the gate: red and blocking, unless known failures explain it and the config
 * lets those through (report.gateKnownFailures). Informing and experimental cells never do.
 */
export function failsGate(cell: Pick<CellResult, 'status' | 'tier' | 'known'>, gateKnownFailures: boolean): boolean {
  return isRed(cell.status) && isBlocking(cell) && !(gateKnownFailures && cell.known !== undefined && cell.known.length > 0);
}

/** The run's status: interrupted, else the worst of its blocking cells (error over failed); informing cells are reported, not counted. */
export function runStatus(cells: readonly Pick<CellResult, 'status' | 'tier'>[], interrupted: boolean): 'interrupted' | 'error' | 'failed' | 'passed' {
  if (interrupted) return 'interrupted';
  const blocking = cells.filter(isBlocking);
  if (blocking.some((c) => c.status === 'error')) return 'error';
  if (blocking.some((c) => c.status === 'failed')) return 'failed';
  return 'passed';
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

/** The verdict as people read it: `failed (known: <bug>)` for a red cell that known failures explain; a cell that is not blocking says its tier. */
export function verdictLabel(cell: Pick<CellResult, 'status' | 'known' | 'tier'>): string {
  const known = cell.known && cell.known.length > 0 ? ` (known: ${cell.known.map((k) => k.bug).join(', ')})` : '';
  return `${cell.status}${known}${isBlocking(cell) ? '' : ` (${cell.tier})`}`;
}
