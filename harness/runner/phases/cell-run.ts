import type { Backend, Environment } from '../../backends/backend.ts';
import type { SecretStore } from '../../config/secrets.ts';
import type { ActionHandlers, StepResult } from '../../deploy/execute.ts';
import type { DeploymentPlan } from '../../deploy/plan.ts';
import type { ImageBuilder } from '../../images/image-builder.ts';
import type { CellSpec } from '../../matrix/cell.ts';
import type { Redactor } from '../../results/redactor.ts';
import type { CellResult, CheckResult, PhaseResult } from '../../results/model.ts';
import type { Task } from '../task-runner.ts';

export type KeepPolicy = 'never' | 'failed' | 'always';

export interface CellRunOptions {
  readonly runId: string;
  readonly outDir: string;
  readonly images: ImageBuilder;
  readonly backend: Backend;
  readonly actions: ActionHandlers;
  readonly keep: KeepPolicy;
  /** Re-run failed Tempest tests alone once (failed then passed = flaky). */
  readonly rerunTempest: boolean;
  readonly timeouts: { images: number; deploy: number; checks: number };
  readonly signal: AbortSignal;
  /** Called whenever the cell's result changed (results are written as the run goes). */
  readonly update: (cell: CellResult) => void;
  readonly log: (line: string) => void;
  /** The run's redaction point, told each secret this cell generates. */
  readonly redactor?: Redactor;
  /** Test hook: runs after deploy, before the checks (e.g. to inject a fault). */
  readonly afterDeploy?: (env: Environment, cell: CellSpec) => Promise<void>;
  /** Test hook: this service's new release never answers in the upgrade (`--inject-fault CELL:silent-upgrade=SERVICE`). */
  readonly upgradeFault?: { readonly service: string; readonly withinMs: number };
  /** The debugging loop (`--stop-after PHASE`): no phase after this one runs, and the cell is kept. */
  readonly stopAfter?: string;
}

/** What one cell's phases share: the cell, its result as it grows, and what each phase leaves for the next. */
export interface CellRun {
  readonly cell: CellSpec;
  readonly result: CellResult;
  readonly options: CellRunOptions;
  /** Where the cell's container logs go. */
  readonly logDir: string;
  readonly secrets: SecretStore;
  /** Failures that are the harness's, not the deployment's: they make the cell `error`. */
  readonly harnessErrors: string[];
  images: Map<string, string>;
  /** An upgrade cell: the images of the release it moves to (its upgraded services'). */
  targetImages: Map<string, string>;
  /** Tempest's image, built while the cell deploys (images phase): settled once it is in `images` (or `targetImages`). */
  lateImage?: Promise<void>;
  env?: Environment;
  plan?: DeploymentPlan;
  steps: StepResult[];
  addChecks(checks: readonly CheckResult[]): void;
  log(line: string): void;
}

/** A phase of a cell: a setup/teardown task that owns its verdict, from what its setup produced. */
export interface CellPhase extends Task<CellRun> {
  verdict?(run: CellRun): Partial<PhaseResult>;
}

