import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { SecretStore } from '../config/secrets.ts';
import { errorMessage, isDeploymentError } from '../errors.ts';
import type { CellSpec } from '../matrix/cell.ts';
import type { CellResult, CheckResult, PhaseResult } from '../results/model.ts';
import { decideCell, decideReason, isRed } from '../results/verdicts.ts';
import { TaskRunner, type TaskStatus } from './task-runner.ts';
import type { CellPhase, CellRun, CellRunOptions } from './phases/cell-run.ts';
import { imagesPhase } from './phases/images-phase.ts';
import { environmentPhase } from './phases/environment-phase.ts';
import { deployPhase } from './phases/deploy-phase.ts';
import { checksPhase } from './phases/checks-phase.ts';
import { upgradePhase } from './phases/upgrade-phase.ts';
import { tempestPhase } from './phases/tempest-phase.ts';
import { healthPhase } from './phases/health-phase.ts';
import { logsPhase } from './phases/logs-phase.ts';

export type { CellRunOptions, KeepPolicy } from './phases/cell-run.ts';

/** The phases a run may stop after (`--stop-after`): the cell is up and kept from the deploy on. */
export const STOP_AFTER_PHASES = ['deploy', 'checks', 'upgrade', 'tempest', 'health'] as const;

/**
 * Runs one cell: images → environment → deploy → checks → (upgrade) → tempest → logs, each phase a
 * task built by its factory (harness/runner/phases/) that owns its verdict; the environment's
 * teardown always runs. Failures are data: the cell's status and reason, never a throw.
 */
export async function runCell(cell: CellSpec, result: CellResult, options: CellRunOptions): Promise<CellResult> {
  const started = Date.now();
  result.startedAt = new Date(started).toISOString();
  result.status = 'running';
  result.scenarioRevision = cell.scenario.revision;
  options.update(result);

  // The deployment's own output (container logs, Tempest's, events) lives under logs/: readable by
  // the run's user only, as the rendered configs it may quote are the deployment's secrets.
  const logsRoot = path.join(options.outDir, 'logs');
  await mkdir(logsRoot, { recursive: true, mode: 0o700 });
  await chmod(logsRoot, 0o700);
  // This attempt's logs start empty: logs are appended as they stream, and a run into an --out
  // folder an earlier run used would otherwise judge that run's lines too (measured: an earlier
  // run's traceback turned a green cell red).
  await rm(path.join(options.outDir, result.artifacts.logs), { recursive: true, force: true });
  const secrets = new SecretStore((name, value) => options.redactor?.add(name, value));
  const run: CellRun = {
    cell, result, options, secrets, harnessErrors: [], images: new Map(), targetImages: new Map(), steps: [],
    logDir: path.join(options.outDir, result.artifacts.logs),
    log: options.log,
    addChecks(checks: readonly CheckResult[]) {
      result.checks.push(...checks.map((c) => ({ ...c, ...(c.message ? { message: secrets.redact(c.message) } : {}) })));
      options.update(result);
    },
  };

  // A run that stops before Tempest builds no Tempest image (a cold debugging loop waits for nothing it will not use).
  const stopIndex = options.stopAfter === undefined ? undefined : STOP_AFTER_PHASES.indexOf(options.stopAfter as (typeof STOP_AFTER_PHASES)[number]);
  const tempestRuns = stopIndex === undefined || stopIndex >= STOP_AFTER_PHASES.indexOf('tempest');
  const phases: CellPhase[] = [
    imagesPhase(run, { tempest: tempestRuns }),
    environmentPhase(run, () => isRed(decideCell(result, { interrupted: false, harnessErrors: run.harnessErrors }))),
    deployPhase(run),
    checksPhase(run),
    ...[upgradePhase(run)].filter((p): p is CellPhase => p !== undefined),
    tempestPhase(run),
    healthPhase(run),
    logsPhase(run),
  ];
  const runner = new TaskRunner<CellRun>({
    onTaskStart: (title, stage) => options.log(`${stage === 'setup' ? title : `${title} teardown`}…`),
    onTaskEnd: (title, stage, status, durationMs, error) => {
      if (status === 'skipped') return;
      // The environment's teardown is the cell's `teardown`; another phase's is named after it (images teardown: a Tempest image build still running).
      const name = stage === 'setup' ? title : title === 'environment' ? 'teardown' : `${title} teardown`;
      const p = phaseResult(name, status, durationMs, error);
      // A phase that ran to its end is still red when what it produced is red: its own verdict says.
      if (p.status === 'passed' && stage === 'setup') Object.assign(p, phases.find((x) => x.title === title)?.verdict?.(run));
      result.phases.push(p);
      options.update(result);
      if (error !== undefined && status !== 'passed') {
        // A deployment-side error makes a red phase (failed); anything else is the harness's (error).
        if (!isDeploymentError(error)) run.harnessErrors.push(`${name}: ${errorMessage(error)}`);
        options.log(`${name} ${status}: ${secrets.redact(errorMessage(error))}`);
      } else options.log(`${name} ${p.status} in ${(durationMs / 1000).toFixed(1)} s${p.message && p.status !== 'passed' ? `: ${secrets.redact(p.message)}` : ''}`);
    },
  });
  // --stop-after: the phases after it are not run (said so), and the environment stays (kept).
  const last = options.stopAfter === undefined ? phases.length : phases.findIndex((p) => p.title === options.stopAfter) + 1;
  for (const phase of last > 0 ? phases.slice(0, last) : phases) runner.add(phase);
  if (last > 0 && last < phases.length) {
    result.stoppedAfter = options.stopAfter;
    options.log(`--stop-after ${options.stopAfter}: ${phases.slice(last).map((p) => p.title).join(', ')} will not run; the cell is kept`);
  }

  const outcome = await runner.run(run, options.signal);
  result.durationMs = Date.now() - started;
  const end = { interrupted: outcome.status === 'interrupted', harnessErrors: run.harnessErrors };
  result.status = decideCell(result, end);
  if (result.status !== 'passed') result.reason = secrets.redact(decideReason(result, end));
  options.update(result);
  return result;
}

function phaseResult(name: string, status: TaskStatus, durationMs: number, error: unknown): PhaseResult {
  const mapped = status === 'timedout' ? 'error' : status === 'failed' ? (isDeploymentError(error) ? 'failed' : 'error') : status;
  return {
    name, status: mapped as PhaseResult['status'], startedAt: new Date(Date.now() - durationMs).toISOString(), durationMs,
    ...(error !== undefined && status !== 'passed' ? { message: errorMessage(error) } : {}),
  };
}
