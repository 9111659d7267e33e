/**
 * A run's wiring, in one place: from planned cells and the choices of whoever asked (the CLI, the
 * bench) to a finished RunResult. It validates the faults and the debugging stop before anything
 * starts, patches each faulted cell's repro command, decides the way out and the concurrency,
 * makes the backends, the image builder and the reporter chain, owns Ctrl-C, runs the matrix and
 * closes what it opened. The CLI only parses arguments and maps the outcome to an exit code.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, constants, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { GategridConfig } from '../config/schemas.ts';
import { defaultOutDir, repoRoot } from '../config/paths.ts';
import { errorMessage, UsageError } from '../errors.ts';
import { headCommit } from '../util/git-changes.ts';
import { LABEL_RUN } from '../labels.ts';
import { ImageBuilder } from '../images/image-builder.ts';
import { makeBackends } from '../backends/make-backends.ts';
import type { Backend } from '../backends/backend.ts';
import { registerCatalog } from '../openstack/catalog-registration.ts';
import type { PlannedCell } from '../matrix/cell.ts';
import type { RunResult } from '../results/model.ts';
import type { KnownFailure } from '../results/known-failures.ts';
import type { Redactor } from '../results/redactor.ts';
import { ReporterMultiplexer } from '../../reports/multiplexer.ts';
import { RedactingReporter } from '../../reports/redacting-reporter.ts';
import { JsonReporter } from '../../reports/json-reporter.ts';
import { JunitReporter } from '../../reports/junit-reporter.ts';
import { ConsoleReporter } from '../../reports/console-reporter.ts';
import { LiveConsoleReporter } from '../../reports/live-console-reporter.ts';
import { HtmlReporter } from '../../reports/html-reporter.ts';
import { XlsxReporter } from '../../reports/xlsx-reporter.ts';
import { ClassifyingReporter } from '../../reports/classifying-reporter.ts';
import type { DashboardOptions } from '../../reports/dashboard-html.ts';
import type { Reporter } from '../../reports/reporter.ts';
import { faultHook, faultService, parseFault, upgradeFault, type Fault } from './faults.ts';
import { STOP_AFTER_PHASES, type KeepPolicy } from './run-cell.ts';
import { runMatrix } from './run-matrix.ts';
import { LogBaselines } from './log-baselines.ts';

export interface RunRequest {
  readonly cells: readonly PlannedCell[];
  readonly config: GategridConfig;
  readonly knownFailures: readonly KnownFailure[];
  /** The config's kubernetes section with any overrides. */
  readonly kubernetes: GategridConfig['kubernetes'];
  readonly keep: KeepPolicy;
  /** `--inject-fault` texts (CELL:kill=SERVICE…, CELL:silent-upgrade=SERVICE…). */
  readonly faults?: readonly string[];
  /** The debugging loop: every cell stops after this phase and is kept. */
  readonly stopAfter?: string;
  /** Defaults to the config's. */
  readonly retries?: number;
  readonly retryFailed?: boolean;
  /** Defaults to the config's (`auto`: from memory, cores and the cluster). */
  readonly concurrency?: number;
  readonly rerunTempest?: boolean;
  readonly refreshImages?: boolean;
  readonly failFast?: boolean;
  /** The scenario revision the request expects (a repro command's --revision): a warning when it differs. */
  readonly revision?: string;
  /** The results folder; default gategrid-out/<run id>, which gategrid-out/latest then points at. */
  readonly out?: string;
  /** The stability matrix merged into; default beside the results folder. */
  readonly matrix?: string;
  /** Merge into the stability matrix (a bench's or a debugging run's cells stay out). Default true. */
  readonly history?: boolean;
  /** The command line recorded in results.json. */
  readonly argv: readonly string[];
  /** Console: `live` redraws a terminal view, `lines` prints timestamped lines, `quiet` only the ends, `none` nothing. */
  readonly console: 'live' | 'lines' | 'quiet' | 'none';
  readonly redactor: Redactor;
  /** Where warnings go (the CLI: stderr). */
  readonly warn: (line: string) => void;
}

export interface RunOutcome {
  readonly run: RunResult;
  readonly outDir: string;
  readonly matrixFile: string | undefined;
  readonly interrupted: boolean;
}

/** What a request asks, checked before anything starts: each fault names a cell of the run and a service it has; the stop is a phase the cells have. */
export function validateRequest(request: RunRequest): Fault[] {
  const { cells } = request;
  const faults = (request.faults ?? []).map(parseFault);
  for (const fault of faults) {
    const service = faultService(fault);
    const what = `--inject-fault ${fault.cell}:${'kill' in fault ? 'kill' : 'silent-upgrade'}=${service}`;
    const cell = cells.find((c) => c.id === fault.cell);
    if (!cell) throw new UsageError(`${what}: no cell ${fault.cell} in this run (its cells: ${cells.map((c) => c.id).join(', ')})`);
    if (cell.skipReason) throw new UsageError(`--inject-fault ${fault.cell}: that cell is skipped (${cell.skipReason})`);
    const services = cell.scenario.services.map((s) => s.spec.name);
    if (!services.includes(service)) throw new UsageError(`${what}: ${cell.scenario.spec.name} has no service ${service} (it has: ${services.join(', ')})`);
    const upgraded = cell.scenario.spec.upgrade?.services ?? [];
    if (!('kill' in fault) && !upgraded.includes(service)) throw new UsageError(`${what}: ${cell.scenario.spec.name} does not upgrade ${service} (its upgrade.services: ${upgraded.join(', ') || 'none'})`);
  }
  const { stopAfter } = request;
  if (stopAfter !== undefined) {
    if (!(STOP_AFTER_PHASES as readonly string[]).includes(stopAfter)) throw new UsageError(`--stop-after ${stopAfter}: expected one of ${STOP_AFTER_PHASES.join(', ')}`);
    const plain = cells.filter((c) => !c.skipReason && !c.upgradeTo);
    if (stopAfter === 'upgrade' && plain.length > 0) throw new UsageError(`--stop-after upgrade: ${plain.map((c) => c.id).join(', ')} ${plain.length === 1 ? 'is not an upgrade cell' : 'are not upgrade cells'}`);
  }
  return faults;
}

/** A cell run with a fault reproduces with it: its repro command carries its own --inject-fault. */
export function withFaultRepros(cells: readonly PlannedCell[], faults: readonly string[]): PlannedCell[] {
  return cells.map((c) => {
    const own = faults.filter((text) => text.startsWith(`${c.id}:`));
    return own.length === 0 ? c : { ...c, repro: `${c.repro} ${own.map((text) => `--inject-fault ${text}`).join(' ')}` };
  });
}

/** Runs the request's cells to the end (or to Ctrl-C): every result written, everything it made removed unless kept. */
export async function executeRun(request: RunRequest): Promise<RunOutcome> {
  const { config, keep, stopAfter, warn } = request;
  const faults = validateRequest(request);
  const cells = withFaultRepros(request.cells, request.faults ?? []);
  // A closed cell's unknown names are answered by a stub in this process (name-stub.ts): a cell kept
  // after the run would outlive it and stall 20 s on each such name (measured: a kept keystone whose
  // memcached was gone timed every login out). A run that may keep cells leaves their way out open.
  const keeps = keep !== 'never' || stopAfter !== undefined;
  const egress = config.network.egress === 'closed' && keeps ? 'open' : config.network.egress;
  if (egress !== config.network.egress && request.console !== 'quiet' && request.console !== 'none') {
    warn(`${stopAfter !== undefined ? `--stop-after ${stopAfter}` : `--keep ${keep}`}: the cells' way out stays open (a kept cell outlives the run's DNS stub); network.egress: closed applies to runs that keep nothing`);
  }
  const backends = await makeBackends(request.kubernetes, cells.filter((c) => !c.skipReason).map((c) => c.backend), { egress });
  for (const cell of cells) {
    if (request.revision !== undefined && cell.scenario.revision !== request.revision) {
      warn(`warning: scenario ${cell.scenario.spec.name} is at revision ${cell.scenario.revision}, not ${request.revision}: its recipes changed since that run, so images and results may differ`);
    }
  }
  const concurrency = request.concurrency ?? (config.concurrency === 'auto' ? await autoConcurrency(cells, backends) : config.concurrency);

  const runId = newRunId();
  const outDir = path.resolve(request.out ?? path.join(defaultOutDir, runId));
  await mkdir(outDir, { recursive: true }).then(() => access(outDir, constants.W_OK)).catch((cause: unknown) => {
    throw new UsageError(`cannot write results to ${outDir} (${(cause as NodeJS.ErrnoException).code ?? errorMessage(cause)}): choose another folder with --out`, { cause });
  });
  if (request.out === undefined) await pointLatest(outDir);

  const history = request.history !== false && stopAfter === undefined;
  const matrixFile = history ? path.resolve(request.matrix ?? path.join(request.out === undefined ? defaultOutDir : outDir, 'stability-matrix.xlsx')) : undefined;
  // Every secret a cell generates is registered with the redactor, which stands before every reporter.
  const reporter = new ClassifyingReporter(request.knownFailures, new RedactingReporter(request.redactor, new ReporterMultiplexer([
    new JsonReporter(outDir), new JunitReporter(outDir), new HtmlReporter(outDir, matrixFile ? { matrix: matrixFile } : {}),
    ...(matrixFile ? [new XlsxReporter(matrixFile, dashboardOptions(config, request.knownFailures))] : []),
    ...consoleReporters(request.console),
  ])));
  const run: RunResult = {
    schemaVersion: 1,
    run: { id: runId, startedAt: new Date().toISOString(), gategridVersion: gategridVersion(), argv: [...request.argv], ...(await gitCommit()), report: path.join(outDir, 'report.html') },
    cells: [],
  };
  reporter.onLog(undefined, `run ${runId}: ${cells.length} cell(s), concurrency ${concurrency}, results in ${outDir}${matrixFile ? `, stability matrix ${matrixFile}` : ''}`);

  const interrupt = new AbortController();
  const signals = onInterrupt(interrupt, runId, reporter);
  // Every scenario of a run loads the same image catalogue.
  const images = new ImageBuilder(cells[0]!.scenario.images, {
    logDir: path.join(outDir, 'images'),
    refresh: request.refreshImages ?? false,
    pullBase: config.network.pullBaseImages,
    parallel: config.buildParallelism,
    events: {
      log: (line) => reporter.onLog(undefined, line),
      onBase: (b) => reporter.onLog(undefined, `base image ${b.tag} (${b.source}) in ${(b.durationMs / 1000).toFixed(1)} s`),
      onImage: (i) => reporter.onLog(undefined, `image ${i.name} ${i.cached ? 'up to date' : 'built'} in ${(i.durationMs / 1000).toFixed(1)} s: ${i.tag}`),
    },
  });
  try {
    await runMatrix(cells, {
      run, outDir, images, keep, concurrency, backends, reporter,
      retries: request.retries ?? config.retries,
      retryFailed: request.retryFailed ?? false,
      rerunTempest: request.rerunTempest ?? true,
      failFast: request.failFast ?? false,
      redactor: request.redactor,
      ...(matrixFile ? { logBaselines: new LogBaselines(path.join(path.dirname(matrixFile), 'log-baselines')) } : {}),
      actions: { catalog: registerCatalog },
      timeouts: { images: config.timeouts.imagesSeconds * 1000, deploy: config.timeouts.deploySeconds * 1000, checks: config.timeouts.checksSeconds * 1000 },
      signal: interrupt.signal,
      ...(stopAfter !== undefined ? { stopAfter } : {}),
      ...(faults.length > 0 ? { afterDeploy: faultHook(faults, (cell, line) => reporter.onLog(cell, line)), upgradeFault: (cell: { id: string }) => upgradeFault(faults, cell.id) } : {}),
    });
  } finally {
    // A build a failed cell started, which no other cell awaited, ends with the run.
    await images.close();
    signals.off();
    // What a backend set up for the run (a kind cluster it created) goes with it, unless a kept cell lives there.
    for (const backend of backends.values()) {
      const left = await backend.close(run.cells.some((c) => c.kept)).catch((e: unknown) => `what it set up for the run could not be removed: ${errorMessage(e)}`);
      if (left !== undefined) reporter.onLog(undefined, `${backend.name}: ${left}`);
    }
  }
  return { run, outDir, matrixFile, interrupted: interrupt.signal.aborted };
}

function consoleReporters(kind: RunRequest['console']): Reporter[] {
  switch (kind) {
    case 'live': return [new LiveConsoleReporter()];
    case 'lines': return [new ConsoleReporter({ quiet: false })];
    case 'quiet': return [new ConsoleReporter({ quiet: true })];
    case 'none': return [];
  }
}

/** Ctrl-C (or SIGTERM) once: stop gracefully, teardown and results so far; twice: at once, leftovers said. */
function onInterrupt(interrupt: AbortController, runId: string, reporter: { onLog(cellId: string | undefined, line: string): void }): { off(): void } {
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      reporter.onLog(undefined, `${signal}: stopping gracefully (teardown, results so far); press Ctrl-C again to stop at once`);
      interrupt.abort();
    } else {
      process.stderr.write(`gategrid: stopped at once; leftovers are labelled ${LABEL_RUN}=${runId}: gategrid prune removes them\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    off() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The dashboard's settings from the config: how many runs its grids show, when red in a row is a regression, the release criteria. */
export function dashboardOptions(config: GategridConfig, known: readonly KnownFailure[]): DashboardOptions {
  return { lastRuns: config.report.historyRuns, regressionAfter: config.report.regressionAfter, known, criteria: config.release };
}

/**
 * `concurrency: auto`: from the recipes' memory figures and what each backend the cells use can
 * give at once (Docker: this machine's free memory and cores; Kubernetes: the cluster's
 * allocatable memory, so a big cluster runs many cells at once while this machine only drives them).
 */
async function autoConcurrency(cells: readonly PlannedCell[], backends: ReadonlyMap<string, Backend>): Promise<number> {
  const perCellMiB = Math.max(...cells.map((c) => c.scenario.services.reduce((s, svc) => s + svc.spec.memoryMiB, 0)), 256);
  const limits = [cells.length, 16];
  for (const backend of backends.values()) {
    // An unreachable cluster is each of its cells' error, with its reason; here it only means one at a time.
    const capacity = await backend.capacity().catch(() => ({ memoryMiB: perCellMiB, cores: undefined }));
    limits.push(Math.floor(capacity.memoryMiB / perCellMiB), ...(capacity.cores === undefined ? [] : [capacity.cores]));
  }
  return Math.max(1, Math.min(...limits));
}

/** A run's id: its start time to the second and four random hex digits (`20261207-023000-1a2b`). */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

async function pointLatest(outDir: string): Promise<void> {
  const link = path.join(path.dirname(outDir), 'latest');
  await rm(link, { force: true });
  await symlink(path.basename(outDir), link).catch(() => undefined);
}

/** gategrid's version, from its package.json. */
export function gategridVersion(): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The commit gategrid runs from, when it runs from a git checkout. */
export async function gitCommit(): Promise<{ commit?: string }> {
  const commit = await headCommit(repoRoot);
  return commit === undefined ? {} : { commit };
}
