import { readFile, writeFile } from 'node:fs/promises';
import type { Environment } from '../backends/backend.ts';
import type { CatalogSpec, CloudSpec } from '../config/schemas.ts';
import { DeploymentError, errorMessage, isDeploymentError } from '../errors.ts';
import type { DeploymentPlan, Step } from './plan.ts';

export type StepStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface StepResult {
  readonly name: string;
  readonly kind: Step['kind'];
  readonly owner: string;
  readonly status: StepStatus;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly message?: string;
}

/** Built-in actions a plan may name; the runner gets them injected (OpenStack lives outside it). */
export type ActionHandlers = {
  readonly catalog: (cloud: CloudSpec, catalog: CatalogSpec, timeoutMs: number) => Promise<void>;
};

/**
 * Runs a plan: each step starts as soon as all of its dependencies passed, so independent steps
 * (the database syncs of different services) run at the same time. A step whose dependency did not
 * pass is `skipped` with the reason. Never throws for a step's failure: results are data.
 */
export async function executePlan(
  plan: DeploymentPlan,
  env: Environment,
  actions: ActionHandlers,
  options: { signal: AbortSignal; onStep?: (result: StepResult) => void },
): Promise<StepResult[]> {
  const byName = new Map(plan.steps.map((s) => [s.name, s]));
  const pending = new Map<string, Promise<StepResult>>();

  const runStep = (step: Step): Promise<StepResult> => {
    let promise = pending.get(step.name);
    if (promise) return promise;
    promise = (async () => {
      const deps = await Promise.all(step.deps.map((d) => runStep(byName.get(d)!)));
      const blocked = deps.find((d) => d.status !== 'passed');
      const startedAt = new Date();
      const finish = (status: StepStatus, message?: string): StepResult => {
        const result = { name: step.name, kind: step.kind, owner: stepOwner(step), status, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), ...(message ? { message } : {}) };
        options.onStep?.(result);
        return result;
      };
      if (blocked) return finish('skipped', `not started: ${blocked.name} ${blocked.status === 'skipped' ? 'was skipped' : blocked.status}`);
      if (options.signal.aborted) return finish('skipped', 'not started: run interrupted');
      try {
        const message = await performStep(step, env, plan, actions);
        return finish('passed', message);
      } catch (error) {
        const status = isDeploymentError(error) ? 'failed' : 'error';
        return finish(status, errorMessage(error));
      }
    })();
    pending.set(step.name, promise);
    return promise;
  };

  return Promise.all(plan.steps.map(runStep));
}

function stepOwner(step: Step): string {
  return step.kind === 'service' ? step.name : step.owner;
}

/** Performs one step of a plan: starts a service, runs a job, execs a command or an action. */
export async function performStep(step: Step, env: Environment, plan: DeploymentPlan, actions: ActionHandlers): Promise<string | undefined> {
  switch (step.kind) {
    case 'service':
      await env.startService(step.spec);
      return undefined;
    case 'run': {
      const result = await env.runJob(step.spec);
      if (result.exitCode !== 0) throw new DeploymentError(`${step.name} exited with code ${result.exitCode}: ${await lastError(env.logFile(step.name))} (log: ${env.logFile(step.name)})`);
      return undefined;
    }
    case 'exec': {
      const result = await env.exec(step.target, step.command, step.timeoutMs, step.env);
      // Its output is its log, as a job's is: what mariadb-upgrade said stays readable after a green run.
      await writeFile(env.logFile(step.name), result.output).catch(() => undefined);
      if (result.exitCode !== 0) throw new DeploymentError(`${step.name} (in ${step.target}) exited with code ${result.exitCode}: ${lastErrorIn(result.output)} (log: ${env.logFile(step.name)})`);
      return undefined;
    }
    case 'action':
      if (!plan.cloud) throw new DeploymentError(`${step.name}: no cloud credentials in this scenario`);
      await actions[step.action](plan.cloud, step.catalog, step.timeoutMs);
      return undefined;
  }
}

async function lastError(file: string): Promise<string> {
  // The log stream may trail the container's exit by a few milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return lastErrorIn(await readFile(file, 'utf8').catch(() => ''));
}

/** The line that says what went wrong: the last Python exception line, else the last line naming an error, else the last line. */
export function lastErrorIn(text: string): string {
  const lines = text.split('\n')
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, '').replace(/^\d{4}-\d\d-\d\d \S+ \d+ [A-Z]+ \S+ (\[[^\]]*\] )?/, '').trim())
    .filter(Boolean);
  const line = lines.findLast((l) => /^[\w.]+(Error|Exception|Failure)\b.*:/.test(l))
    ?? lines.findLast((l) => /(CRITICAL|fatal|denied|error)/i.test(l))
    ?? lines.at(-1);
  return line === undefined ? '(no output)' : line.slice(0, 400);
}
