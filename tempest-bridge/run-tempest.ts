/** Real Tempest against a deployed cell: tempest.conf from the cloud, the selection and exclusions, a one-shot run through the runner mechanism, each test a check, failures rerun alone for flakiness. */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../harness/backends/backend.ts';
import type { LoadedScenario } from '../harness/config/load-scenario.ts';
import type { CloudSpec, ScenarioSpec, TempestExclusion } from '../harness/config/schemas.ts';
import type { SecretStore } from '../harness/config/secrets.ts';
import { InfraError } from '../harness/errors.ts';
import type { CheckResult, PhaseResult } from '../harness/results/model.ts';
import { parseSubunitV2 } from '../harness/checks/runners/subunit-v2.ts';
import { runResultsJob } from '../harness/checks/runners/results-job.ts';
import { foldSubunit, isClassFixture, type SubunitSummary, type SubunitTest } from '../harness/checks/runners/subunit-results.ts';
import { renderTempestConf } from './tempest-conf.ts';
import { prepareTempestResources, type TempestWorkload } from './tempest-resources.ts';
import { exactTestRegex, formatTempestSelection, type TempestSelection } from './selection.ts';
import { readTimes, recordTimes, testCosts, timesStream } from './test-times.ts';

export interface TempestRun {
  readonly env: Environment;
  readonly image: string;
  readonly cloud: CloudSpec;
  readonly serviceTypes: readonly string[];
  readonly scenario: ScenarioSpec;
  /** The scenario's exclusions and those of the service recipes it deploys. */
  readonly exclude: readonly TempestExclusion[];
  readonly release: string;
  readonly selection: TempestSelection;
  /** Re-run each failed test alone once; failed then passed is `flaky`. */
  readonly rerunFailed: boolean;
  /** The cell's artifact folder (tempest.conf, the subunit streams, tempest.log go there). */
  readonly artifactDir: string;
  readonly secrets: SecretStore;
  readonly log: (line: string) => void;
  /** A real workload: Tempest's validation is on, and Tempest runs in this container's network namespace (the probe's). */
  readonly workload?: TempestWorkload & { readonly networkOf: string };
  /** This cell's Tempest timing history (test-times.ts): read before the run, so stestr balances its workers, and written after it. */
  readonly timesFile?: string;
}

export interface TempestOutcome {
  readonly checks: CheckResult[];
  readonly phase: Omit<PhaseResult, 'startedAt'>;
  readonly summary: SubunitSummary;
}

/** The tests a cell never runs: its scenario's exclusions, then those of each service recipe it deploys. */
export function tempestExclusions(scenario: LoadedScenario): TempestExclusion[] {
  return [...scenario.spec.tempest.exclude, ...scenario.services.flatMap((s) => s.spec.tempest.exclude)];
}

/**
 * Runs real Tempest as a one-shot container in the cell's network, against the deployed cell, and
 * turns every test into a check of kind `tempest`.
 */
export async function runTempest(run: TempestRun): Promise<TempestOutcome> {
  const started = Date.now();
  const t = run.scenario.tempest;
  await mkdir(run.artifactDir, { recursive: true });
  // The scenario's settings win over what was prepared (a user may pin an image or a flavor).
  const prepared = await prepareTempestResources(run.cloud, run.serviceTypes, run.workload, run.log);
  const conf = renderTempestConf({ cloud: run.cloud, internalAuthUrl: run.cloud.internalAuthUrl, serviceTypes: run.serviceTypes, extra: { ...prepared, ...t.settings } });
  await writeFile(path.join(run.artifactDir, 'tempest.conf'), run.secrets.redact(conf));
  const excluded = run.exclude.filter((e) => !e.releases || e.releases.includes(run.release));
  const excludeText = excluded.map((e) => `${e.regex}  # ${e.reason}`).join('\n');

  const history = run.timesFile ? await readTimes(run.timesFile) : new Map<string, number>();
  const first = await tempestJob(run, 'tempest', conf, excludeText, { TEMPEST_SELECTION: formatTempestSelection(run.selection), TEMPEST_CONCURRENCY: String(t.concurrency) },
    history.size > 0 ? { times: timesStream(history).toString('base64') } : {});
  const parsed = parseSubunitV2(first);
  const summary = foldSubunit(parsed);
  if (run.timesFile && !summary.interrupted) await recordTimes(run.timesFile, testCosts(parsed));
  const checks = summary.tests.map(toCheck);

  // Class fixtures cannot be selected by id: only real tests are re-run.
  const failed = summary.tests.filter((x) => x.status === 'failed' && !isClassFixture(x.id));
  if (run.rerunFailed && failed.length > 0 && failed.length <= 25) {
    run.log(`tempest: re-running ${failed.length} failed test(s) alone`);
    const again = foldSubunit(parseSubunitV2(await tempestJob(run, 'tempest-rerun', conf, excludeText,
      { TEMPEST_INCLUDE_LIST: '/etc/tempest/include.txt', TEMPEST_CONCURRENCY: '1' }, { include: failed.map((f) => exactTestRegex(f.id)).join('\n') })));
    markFlaky(checks, again);
  }

  const count = (s: CheckResult['status']) => checks.filter((c) => c.status === s).length;
  const counts = { total: checks.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), error: count('error'), flaky: count('flaky') };
  const message = `${counts.total} tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.error} errors, ${counts.flaky} flaky; Tempest wall time ${(summary.wallMs / 1000).toFixed(1)} s`;
  run.log(`tempest: ${message}`);
  if (summary.interrupted) checks.push({ id: 'tempest.stream', kind: 'tempest', status: 'error', durationMs: 0, message: `the subunit stream is incomplete: ${summary.interrupted}` });
  const status = counts.error > 0 || summary.interrupted ? 'error' : counts.failed > 0 ? 'failed' : counts.total === 0 ? 'failed' : 'passed';
  if (counts.total === 0) checks.push({ id: 'tempest.selection', kind: 'tempest', status: 'failed', durationMs: 0, message: `no Tempest test matched ${formatTempestSelection(run.selection)}` });
  return { checks, summary, phase: { name: 'tempest', status, durationMs: Date.now() - started, message, details: { selection: formatTempestSelection(run.selection), ...counts, wallMs: summary.wallMs } } };
}

/**
 * One Tempest run, through the runner mechanism every project's runner takes (runResultsJob): its
 * subunit stream and its log kept redacted, named after the job (tempest.subunit, tempest-rerun.log).
 * Unlike a project's runner, Tempest that exits non-zero or leaves no stream is the infrastructure's
 * error, never a verdict on the cloud. `include`: the exact tests to run instead (the rerun);
 * `times`: the timing history as a base64 subunit stream.
 */
async function tempestJob(run: TempestRun, name: string, conf: string, exclude: string, env: Record<string, string>, extra: { include?: string; times?: string }): Promise<Buffer> {
  const { include, times } = extra;
  const files = [
    { target: '/etc/tempest/tempest.conf', content: conf, mode: 0o644 },
    { target: '/etc/tempest/exclude.txt', content: exclude === '' ? '' : `${exclude}\n`, mode: 0o644 },
    ...(include ? [{ target: '/etc/tempest/include.txt', content: `${include}\n`, mode: 0o644 }] : []),
    // The timing history as a subunit stream (base64): run-tempest.sh loads it into stestr's repository.
    ...(times ? [{ target: '/etc/tempest/times.subunit.b64', content: `${times}\n`, mode: 0o644 }] : []),
  ];
  const kept = (file: string) => (file === 'results.subunit' ? `${name}.subunit` : `${name}.log`);
  const { exitCode, results } = await runResultsJob(run.env, {
    name, image: run.image, env, files, volumes: [], ports: [], timeoutMs: run.scenario.tempest.timeoutSeconds * 1000,
    ...(run.workload ? { networkOf: run.workload.networkOf } : {}),
    results: { file: '/ws/out/results.subunit', format: 'subunit' }, alongside: ['tempest.log'],
  }, run.artifactDir, kept, (text) => run.secrets.redact(text));
  if (exitCode !== 0 || results === undefined) {
    throw new InfraError(`${name} could not run Tempest (exit ${exitCode}); log: ${run.env.logFile(name)}`);
  }
  return results;
}

/** Failed in the run, passed when run again alone: `flaky`, with the first failure kept in the message. */
export function markFlaky(checks: CheckResult[], rerun: SubunitSummary): void {
  for (const check of checks) {
    const retry = rerun.tests.find((x) => x.id === check.id);
    if (check.status === 'failed' && retry?.status === 'passed') {
      check.status = 'flaky';
      check.message = `failed, then passed when run again alone: ${check.message ?? ''}`;
    }
  }
}

export function toCheck(test: SubunitTest): CheckResult {
  return {
    id: test.id, kind: 'tempest', status: test.status, durationMs: test.durationMs,
    ...(test.reason ? { message: test.reason } : {}),
    ...(test.traceback ? { details: { traceback: test.traceback } } : {}),
  };
}
