import path from 'node:path';
import type { Backend, Environment } from '../backends/backend.ts';
import type { ActionHandlers } from '../deploy/execute.ts';
import type { ImageBuilder } from '../images/image-builder.ts';
import { Limiter } from '../util/limiter.ts';
import { cellDir, type CellResult, type RunResult } from '../results/model.ts';
import type { Reporter } from '../../reports/reporter.ts';
import { errorMessage } from '../errors.ts';
import type { Redactor } from '../results/redactor.ts';
import { runCell, type KeepPolicy } from './run-cell.ts';
import type { LogBaselines } from './log-baselines.ts';
import { cellImages, upgradeImages, type CellSpec, type PlannedCell } from '../matrix/cell.ts';
import { foldAttempts, isBlocking, isRed, runStatus } from '../results/verdicts.ts';

export interface MatrixOptions {
  readonly run: RunResult;
  readonly outDir: string;
  readonly images: ImageBuilder;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly actions: ActionHandlers;
  readonly keep: KeepPolicy;
  /** The debugging loop: every cell stops after this phase and is kept. */
  readonly stopAfter?: string;
  readonly rerunTempest: boolean;
  readonly retries: number;
  /** Retry `failed` cells too, not only `error` ones (the deployment's own intermittent failures). */
  readonly retryFailed?: boolean;
  readonly concurrency: number;
  readonly failFast: boolean;
  readonly timeouts: { images: number; deploy: number; checks: number };
  readonly signal: AbortSignal;
  readonly reporter: Reporter;
  /** The run's redaction point: every cell's secrets are registered there. */
  readonly redactor?: Redactor;
  readonly afterDeploy?: (env: Environment, cell: CellSpec, attempt: number) => Promise<void>;
  /** Green cells' compact logs: a green cell records its own, a red one shows the lines new since (issue 25). */
  readonly logBaselines?: LogBaselines;
  /** Test hook: the service whose new release never answers in this cell's upgrade. */
  readonly upgradeFault?: (cell: CellSpec) => { service: string; withinMs: number } | undefined;
}

/** Runs cells (concurrently up to a limit, each retried up to `retries` times) and folds outcomes. */
export async function runMatrix(cells: readonly PlannedCell[], options: MatrixOptions): Promise<RunResult> {
  const { run, reporter } = options;
  const limiter = new Limiter(options.concurrency);
  const failFast = new AbortController();
  const signal = AbortSignal.any([options.signal, failFast.signal]);

  for (const cell of cells) {
    run.cells.push(newCellResult(cell, cell.skipReason ? 'skipped' : 'running', cell.skipReason));
  }
  await reporter.onRunStart?.(run);

  const order = await startOrder(cells, options.images);
  await Promise.all(order.map((index) => limiter.run(async () => {
    const cell = cells[index]!;
    let result = run.cells[index]!;
    if (cell.skipReason) {
      await reporter.onCellEnd?.(run, result);
      return;
    }
    const attempts: NonNullable<CellResult['attempts']> = [];
    for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
      if (signal.aborted && attempt > 1) break;
      const fresh = newCellResult(cell, 'running');
      if (attempt > 1) fresh.artifacts.logs = path.join(fresh.artifacts.logs, `attempt-${attempt}`);
      run.cells[index] = fresh;
      const log = (line: string) => reporter.onLog?.(cell.id, attempt > 1 ? `(attempt ${attempt}) ${line}` : line);
      const backend = options.backends.get(cell.backend)!;
      const upgradeFault = options.upgradeFault?.(cell);
      try {
        result = await runCell(cell, fresh, {
          runId: run.run.id, outDir: options.outDir, images: options.images, backend, actions: options.actions,
          keep: options.keep, rerunTempest: options.rerunTempest, timeouts: options.timeouts, signal, log,
          ...(options.redactor ? { redactor: options.redactor } : {}),
          update: (c) => void reporter.onCellUpdate?.(run, c),
          ...(options.afterDeploy ? { afterDeploy: (env: Environment, c: CellSpec) => options.afterDeploy!(env, c, attempt) } : {}),
          ...(upgradeFault ? { upgradeFault } : {}),
          ...(options.stopAfter ? { stopAfter: options.stopAfter } : {}),
        });
      } catch (error) {
        // runCell reports failures as data; reaching here is a harness bug, and still a result.
        fresh.status = 'error';
        fresh.reason = `harness crashed: ${errorMessage(error)}`;
        result = fresh;
      }
      attempts.push({ attempt, status: result.status, startedAt: result.startedAt ?? new Date().toISOString(), durationMs: result.durationMs ?? 0 });
      if (!isRed(result.status) || signal.aborted || result.reason === 'interrupted') break;
      // A deployment that fails and then passes is a real intermittent bug: retried only when asked.
      if (result.status === 'failed' && !options.retryFailed) {
        if (attempt <= options.retries) log('failed: not retried (the deployment is wrong, not the harness; --retry-failed retries it)');
        break;
      }
      if (attempt <= options.retries) log(`${result.status}; retrying (${attempt}/${options.retries})`);
    }
    result.attempts = attempts;
    result.status = foldAttempts(attempts.map((a) => a.status));
    if (result.status === 'flaky' && attempts.length > 1) result.reason = `passed on attempt ${attempts.length} after ${attempts.slice(0, -1).map((a) => a.status).join(', ')}`;
    if (options.logBaselines && !options.stopAfter) await compareLogs(options.logBaselines, result, options.outDir, run.run.id, (line) => reporter.onLog?.(cell.id, line));
    run.cells[index] = result;
    await reporter.onCellEnd?.(run, result);
    if (options.failFast && isRed(result.status) && isBlocking(result)) failFast.abort();
  })));

  run.run.finishedAt = new Date().toISOString();
  run.run.durationMs = Date.parse(run.run.finishedAt) - Date.parse(run.run.startedAt);
  run.run.status = runStatus(run.cells, options.signal.aborted);
  await reporter.onRunEnd?.(run);
  return run;
}

/** A green cell records its logs' compact form; a red one gets the lines its last green run never had. A baseline that cannot be read or written is said, not fatal. */
async function compareLogs(baselines: LogBaselines, result: CellResult, outDir: string, runId: string, log: (line: string) => void): Promise<void> {
  try {
    if (result.status === 'passed') await baselines.record(result, outDir, runId);
    else if (result.status === 'failed' || result.status === 'error') {
      const found = await baselines.compare(result, outDir);
      if (found) result.newLogLines = found;
    }
  } catch (error) {
    log(`log baseline: ${errorMessage(error)}`);
  }
}

/**
 * Cells whose images all exist start first (skipped cells first of all, they take no time), then
 * the rest, each group in list order: a cold cell building images must not hold a slot while warm
 * cells wait. Results stay in list order whatever the start order.
 */
export async function startOrder(cells: readonly PlannedCell[], images: Pick<ImageBuilder, 'isCached'>): Promise<number[]> {
  const cached = async (cell: PlannedCell): Promise<boolean> => (await images.isCached(cellImages(cell), cell.release.suite))
    && (!cell.upgradeTo || (await images.isCached(upgradeImages(cell), cell.upgradeTo.release.suite)));
  const warm = await Promise.all(cells.map((cell) => (cell.skipReason ? true : cached(cell).catch(() => false))));
  const rank = (i: number): number => (cells[i]!.skipReason ? 0 : warm[i] ? 1 : 2);
  return cells.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
}

function newCellResult(cell: PlannedCell, status: CellResult['status'], reason?: string): CellResult {
  return {
    id: cell.id, scenario: cell.scenario.spec.name, release: cell.releaseName, backend: cell.backend, status,
    ...(cell.tier ? { tier: cell.tier, tierReason: cell.tierReason } : {}),
    ...(reason ? { reason } : {}),
    phases: [], checks: [], repro: cell.repro,
    artifacts: { logs: `logs/${cellDir(cell.id)}/` },
  };
}
