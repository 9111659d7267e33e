/**
 * The results model: what results.json holds (schemaVersion 1). Later features extend it, never
 * break it. `failed` = the deployment under test is wrong; `error` = the harness or its
 * infrastructure broke. The two are never confused.
 */
import type { NewLogLines } from './log-baseline.ts';

export type CellStatus = 'passed' | 'failed' | 'flaky' | 'skipped' | 'error' | 'running';
/** `flaky`: failed, then passed when run again alone (green for gating, always reported). */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'error' | 'flaky';
export type CheckKind = 'smoke' | 'api' | 'probe' | 'runner' | 'tempest' | 'health' | 'logs' | 'upgrade';
export type PhaseStatus = 'passed' | 'failed' | 'skipped' | 'error' | 'interrupted';

export interface PhaseResult {
  name: string;
  status: PhaseStatus;
  startedAt: string;
  durationMs: number;
  message?: string;
  details?: Record<string, unknown>;
}

export interface CheckResult {
  id: string;
  kind: CheckKind;
  status: CheckStatus;
  durationMs: number;
  message?: string;
  details?: Record<string, unknown>;
}

export interface AttemptResult {
  attempt: number;
  status: CellStatus;
  startedAt: string;
  durationMs: number;
}

/** A cell's vote: a red blocking cell fails the gate; informing and experimental ones are reported only. */
export type CellTier = 'blocking' | 'informing' | 'experimental';

export interface CellResult {
  id: string;
  scenario: string;
  release: string;
  backend: string;
  status: CellStatus;
  /** Whether a red verdict fails the gate (blocking) or is only reported (informing, experimental); absent: blocking. */
  tier?: CellTier;
  /** Why the cell is not blocking (the config's rule). */
  tierReason?: string;
  /** Why the cell is skipped, errored or failed, in one line. */
  reason?: string;
  startedAt?: string;
  durationMs?: number;
  scenarioRevision?: string;
  images?: Record<string, string>;
  /** Image tag → its id (12 hex): the package manifest's name, `packages/<id>.txt` beside results.json. */
  imageIds?: Record<string, string>;
  attempts?: AttemptResult[];
  phases: PhaseResult[];
  checks: CheckResult[];
  repro: string;
  artifacts: { logs: string; [name: string]: string };
  endpoints?: Record<string, string>;
  kept?: boolean;
  /** A debugging run stopped this cell after this phase (`--stop-after`): its verdict covers the phases up to it. */
  stoppedAfter?: string;
  /** A red cell fully explained by known-failure signatures: which, and their bugs (still red for gating unless asked). */
  known?: { id: string; bug: string }[];
  /** Known-failure signatures that also matched a check of this cell that passed: too broad. */
  tooBroad?: string[];
  /** A red cell: the log lines its last green run (same cell) never had, per service (results/log-baseline.ts). */
  newLogLines?: NewLogLines;
}

export interface RunResult {
  schemaVersion: 1;
  run: {
    id: string;
    startedAt: string;
    finishedAt?: string;
    /** The run's wall time, start to end (cells ran side by side: less than the sum of their times). */
    durationMs?: number;
    gategridVersion: string;
    commit?: string;
    status?: 'passed' | 'failed' | 'error' | 'interrupted';
    argv?: string[];
    /** Where the run's report.html was written. */
    report?: string;
  };
  cells: CellResult[];
}

export function cellDir(cellId: string): string {
  return cellId.replace(/\//g, '-');
}
