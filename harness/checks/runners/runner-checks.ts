/** A project's own test runner in the cell, its JUnit, TAP or subunit results folded into checks `runner.NAME.TEST` (as Tempest's subunit is). */
import type { Environment } from '../../backends/backend.ts';
import type { RenderedRunner } from '../../deploy/plan.ts';
import type { CheckResult } from '../../results/model.ts';
import { errorMessage } from '../../errors.ts';
import { parseJunit } from './junit-results.ts';
import { parseTap } from './tap-results.ts';
import { subunitRunnerTests } from './subunit-results.ts';
import { parseSubunitV2 } from './subunit-v2.ts';
import { runResultsJob } from './results-job.ts';

export interface RunnerContext {
  readonly env: Environment;
  /** Where the results file is kept (the cell's logs folder). */
  readonly artifactDir: string;
  readonly redact: (text: string) => string;
}

/**
 * Runs the runner as a one-shot job in the cell's network (runResultsJob: its results file kept
 * beside the logs, redacted like every artifact) and returns a check per test. A runner that leaves no results
 * file, or one with no test in it, is red at `runner.NAME` saying so; its exit code alone decides
 * nothing (runners exit non-zero when a test fails, which the tests already say).
 */
export async function runnerChecks(runner: RenderedRunner, ctx: RunnerContext): Promise<CheckResult[]> {
  const started = Date.now();
  const job = `runner-${runner.name}`;
  const whole = (status: CheckResult['status'], message: string): CheckResult[] => [{ id: `runner.${runner.name}`, kind: 'runner', status, durationMs: Date.now() - started, message }];
  let outcome: Awaited<ReturnType<typeof runResultsJob>>;
  try {
    outcome = await runResultsJob(ctx.env, {
      name: job, image: runner.image, command: runner.command, env: runner.env, files: [], volumes: [], ports: [], timeoutMs: runner.timeoutMs, results: runner.results,
    }, ctx.artifactDir, (file) => `${runner.name}-${file}`, ctx.redact);
  } catch (error) {
    return whole('error', `the runner could not run: ${errorMessage(error)}`);
  }
  const { exitCode, results } = outcome;
  if (results === undefined) return whole('failed', `left no results file ${runner.results.file} (exit ${exitCode}); its log: ${ctx.env.logFile(job)}`);
  const format = runner.results.format;
  const tests = format === 'subunit' ? subunitRunnerTests(parseSubunitV2(results)) : format === 'junit' ? parseJunit(results.toString('utf8')) : parseTap(results.toString('utf8'));
  if (tests.length === 0) return whole('failed', `${runner.results.file} holds no test (exit ${exitCode})`);
  return tests.map((t) => ({
    id: `runner.${runner.name}.${t.name}`, kind: 'runner', status: t.status, durationMs: t.durationMs,
    ...(t.message ? { message: ctx.redact(t.message) } : {}),
  }));
}
