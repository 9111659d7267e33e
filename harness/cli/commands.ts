import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadScenario } from '../config/load-scenario.ts';
import { loadCatalogues, type Catalogues } from '../config/load-catalogues.ts';
import { loadConfig } from '../config/load-config.ts';
import { KUBE_PROVIDERS, type GategridConfig } from '../config/schemas.ts';
import { defaultOutDir } from '../config/paths.ts';
import { errorMessage, UsageError } from '../errors.ts';
import { labelValues, requireEngine } from '../docker-cli.ts';
import type { Owner } from '../backends/backend.ts';
import { runOwner } from '../backends/docker/remove-labelled.ts';
import { heartbeatFresh, LABEL_HOST, LABEL_OWNER, LABEL_PID, LABEL_RUN } from '../labels.ts';
import { expandCells, parseShard } from '../matrix/cells.ts';
import { affectedCells, type AffectedReasons, type AlwaysRunRule } from '../matrix/affected.ts';
import { changedFiles } from '../util/git-changes.ts';
import { flakeRates } from '../results/flake-rates.ts';
import { readinessBadge, releaseReadiness } from '../../reports/release-readiness.ts';
import { preflight } from '../deploy/preflight.ts';
import { BACKEND_NAMES, makeBackends, makeKubernetesBackend } from '../backends/make-backends.ts';
import { ImageBuilder } from '../images/image-builder.ts';
import { labelValue } from '../backends/kubernetes/manifests.ts';
import type { PlannedCell } from '../matrix/cell.ts';
import type { KeepPolicy } from '../runner/run-cell.ts';
import { dashboardOptions, executeRun, gategridVersion, gitCommit, newRunId, validateRequest, type RunRequest } from '../runner/matrix-run.ts';
import { failsGate } from '../results/verdicts.ts';
import { cellImages, upgradeImages } from '../matrix/cell.ts';
import { candidateVersions, stalePackages } from '../images/stale-packages.ts';
import { packageManifest } from '../images/package-manifest.ts';
import { parseManifest } from '../results/package-manifests.ts';
import type { RunResult } from '../results/model.ts';
import { parseRunResult } from '../results/schema.ts';
import { isAlive } from '../util/file-lock.ts';
import { Redactor } from '../results/redactor.ts';
import { mergeIntoWorkbook, readHistory } from '../../reports/xlsx-reporter.ts';
import { renderStabilityText } from '../../reports/stability-text.ts';
import { renderStabilityMarkdown } from '../../reports/stability-markdown.ts';
import { renderDashboard } from '../../reports/dashboard-html.ts';
import { loadKnownFailures } from '../config/load-known-failures.ts';
import { classify } from '../results/known-failures.ts';
import type { CliValues } from './cli-options.ts';

/** The config's kubernetes section with the CLI's overrides (--kube-provider, --kubeconfig, --kube-context, --registry). */
export function kubernetesSettings(values: CliValues, config: GategridConfig): GategridConfig['kubernetes'] {
  const k = config.kubernetes;
  const provider = values['kube-provider'] ?? k.provider;
  if (!(KUBE_PROVIDERS as readonly string[]).includes(provider)) throw new UsageError(`--kube-provider ${provider}: expected ${KUBE_PROVIDERS.slice(0, -1).join(', ')} or ${KUBE_PROVIDERS.at(-1)}`);
  const settings = {
    ...k, provider: provider as GategridConfig['kubernetes']['provider'],
    kubeconfig: {
      ...k.kubeconfig,
      ...(values.kubeconfig ? { file: path.resolve(values.kubeconfig) } : {}),
      ...(values['kube-context'] ? { context: values['kube-context'] } : {}),
      ...(values.registry ? { registry: values.registry } : {}),
    },
  };
  if (settings.provider === 'kubeconfig' && !settings.kubeconfig.registry) {
    throw new UsageError('the kubeconfig provider needs a registry the cluster pulls gategrid\'s images from: --registry HOST:PORT, or kubernetes.kubeconfig.registry in gategrid.config.yaml');
  }
  return settings;
}

export async function planCells(values: CliValues, config: GategridConfig): Promise<PlannedCell[]> {
  const catalogues = await loadCatalogues(config.catalogues);
  // --cell names its scenario, release and backend: they widen the axes when not given otherwise.
  const fromCells = (i: number) => (values.cell ?? []).map((c) => c.split('/')[i]!).filter(Boolean);
  const axis = (flag: string[] | undefined, i: number, configured: readonly string[]) => flag ?? (values.cell ? [...new Set(fromCells(i))] : configured);
  const names = axis(values.scenario, 0, config.matrix.scenarios);
  const scenarios = await Promise.all(names.map((n) => loadScenario(n, catalogues)));
  const backends = axis(values.backend, 2, config.matrix.backends);
  for (const b of backends) {
    if (!(BACKEND_NAMES as readonly string[]).includes(b)) throw new UsageError(`backend "${b}" is unknown: available are ${BACKEND_NAMES.join(', ')}`);
  }
  const cells = expandCells({
    scenarios, backends,
    releases: axis(values.release, 1, config.matrix.releases),
    include: values.scenario || values.release || values.backend || values.cell ? [] : config.matrix.include,
    exclude: config.matrix.exclude,
    tiers: config.matrix.tiers,
    alwaysRun: config.matrix.alwaysRun,
    configured: config.matrix,
    cells: values.cell ?? [],
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    tempest: values.tempest,
    configFile: values.config,
  });
  // Every scenario's plan, dry-run on each release it will deploy: bad input stops here, not after the image builds.
  const checked = new Set<string>();
  for (const cell of cells) {
    if (cell.skipReason) continue;
    for (const r of [{ name: cell.releaseName, release: cell.release }, ...(cell.upgradeTo ? [{ name: cell.upgradeTo.releaseName, release: cell.upgradeTo.release }] : [])]) {
      const key = `${cell.scenario.file}@${r.name}@${cell.backend}`;
      if (checked.has(key)) continue;
      checked.add(key);
      preflight(cell.scenario, r.name, r.release, cell.backend);
    }
  }
  if (values.affected === undefined) return cells;
  const reasons = await affectedReasons(values.affected, cells, catalogues, '--affected', config.matrix.alwaysRun);
  return cells.filter((c) => reasons.has(c.id));
}

/**
 * Whether the filters left a cell to work on. None under --affected passes, said so (a patch that
 * touches no cell, a test or a document, changed nothing of the deployment); none otherwise is a
 * usage error.
 */
function anyCell(values: CliValues, cells: readonly PlannedCell[]): boolean {
  if (cells.length > 0) return true;
  if (values.affected === undefined) throw new UsageError('no cell matches the filters (see: gategrid list)');
  process.stdout.write(`gategrid: no cell is touched by the change since ${values.affected}${values.shard ? ` in shard ${values.shard}` : ''}: nothing to run\n`);
  return false;
}

/** Why each cell the change since `base` touches is touched (see matrix/affected.ts). */
async function affectedReasons(base: string, cells: readonly PlannedCell[], catalogues: Catalogues, flag: string, alwaysRun: readonly AlwaysRunRule[]): Promise<AffectedReasons> {
  // The project's own catalogue (the first of the path) is the repository a change is made in.
  const first = catalogues.dirs[0]!;
  const top = await execa('git', ['rev-parse', '--show-toplevel'], { cwd: first, reject: false, timeout: 30_000 });
  if (top.exitCode !== 0) throw new UsageError(`--affected/--base needs the first catalogue (${first}) in a git repository`);
  const root = String(top.stdout).trim();
  return affectedCells(await changedFiles(base, root, flag), cells, catalogues.images, root, alwaysRun);
}

export async function commandAffected(values: CliValues): Promise<number> {
  if (values.base === undefined) throw new UsageError('usage: gategrid affected --base REF [filters] (REF: a branch, tag or commit, such as origin/main)');
  const { config } = await loadConfig(values.config);
  const cells = (await planCells({ ...values, affected: undefined }, config)).filter((c) => !c.skipReason);
  const reasons = await affectedReasons(values.base, cells, await loadCatalogues(config.catalogues), '--base', config.matrix.alwaysRun);
  for (const cell of cells) {
    const why = reasons.get(cell.id);
    if (!why) continue;
    process.stdout.write(`${cell.id}\n${why.map((w) => `    ${w}`).join('\n')}\n`);
  }
  process.stdout.write(`${reasons.size} of ${cells.length} cell(s) touched by the change since ${values.base}${reasons.size > 0 ? ` (run them: gategrid run --affected ${values.base})` : ''}\n`);
  return 0;
}

/**
 * `run --repeat N`: the same cells run N times, one run after another (each a run of its own, in
 * `<out>/run-<i>`, merged into one stability matrix beside them), then how often each check went
 * red. Exit 0 only when every run was green for the gate.
 */
export async function commandRepeat(values: CliValues, redactor: Redactor): Promise<number> {
  const n = integer('--repeat', values.repeat!, 1, 50);
  const stamp = newRunId();
  const base = path.resolve(values.out ?? path.join(defaultOutDir, `repeat-${stamp}`));
  const matrix = path.resolve(values.matrix ?? path.join(base, 'stability-matrix.xlsx'));
  const runs: RunResult[] = [];
  let red = 0;
  for (let i = 1; i <= n; i++) {
    const out = path.join(base, `run-${i}`);
    if (!values.quiet) process.stdout.write(`gategrid: --repeat ${n}: run ${i} of ${n} (${out})\n`);
    const code = await commandRun({ ...values, repeat: undefined, out, matrix }, redactor);
    if (code === 130) return 130;
    if (code !== 0) red++;
    runs.push(await readRunResult(path.join(out, 'results.json')));
  }
  const rates = flakeRates(runs);
  const flaky = rates.filter((r) => r.red > 0);
  process.stdout.write(`\n--repeat ${n}: ${n - red} of ${n} run(s) green for the gate; ${flaky.length} of ${rates.length} check(s) went red at least once\n`);
  for (const r of flaky) process.stdout.write(`  ${String(r.red).padStart(3)}/${r.runs} red  ${r.cell}  ${r.check}\n`);
  process.stdout.write(`runs in ${base}; stability matrix ${matrix}\n`);
  return red === 0 ? 0 : 1;
}

export async function commandList(values: CliValues): Promise<number> {
  const { config } = await loadConfig(values.config);
  await warnAboutLeftovers().catch(() => undefined);
  for (const cell of await planCells(values, config)) {
    process.stdout.write(`${cell.id}${cell.skipReason ? `  (skipped: ${cell.skipReason})` : cell.tier ? `  (${cell.tier}: ${cell.tierReason ?? ''})` : ''}\n`);
  }
  return 0;
}

export async function commandRun(values: CliValues, redactor = new Redactor()): Promise<number> {
  const keep = values.keep as KeepPolicy;
  if (!['never', 'failed', 'always'].includes(keep)) throw new UsageError(`--keep ${values.keep}: expected never, failed or always`);
  const { file: configFile, config } = await loadConfig(values.config);
  const known = await loadKnownFailures(configFile, config);
  const retries = values.retries === undefined ? undefined : integer('--retries', values.retries, 0, 5);
  const concurrency = values.concurrency === undefined ? undefined : integer('--concurrency', values.concurrency, 1, 16);
  const cells = await planCells(values, config);
  if (!anyCell(values, cells)) return 0;
  const request: RunRequest = {
    cells, config, knownFailures: known.failures, kubernetes: kubernetesSettings(values, config), keep,
    faults: values['inject-fault'] ?? [],
    ...(values['stop-after'] !== undefined ? { stopAfter: values['stop-after'] } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(values.revision !== undefined ? { revision: values.revision } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.matrix !== undefined ? { matrix: values.matrix } : {}),
    retryFailed: values['retry-failed'], rerunTempest: !values['no-tempest-rerun'], refreshImages: values['refresh-images'], failFast: values['fail-fast'],
    argv: process.argv.slice(2),
    // A live view on a terminal; plain timestamped lines for CI and pipes.
    console: values.quiet ? 'quiet' : process.stdout.isTTY && !process.env.CI ? 'live' : 'lines',
    redactor,
    warn: (line) => process.stderr.write(`gategrid: ${line}\n`),
  };
  validateRequest(request);
  await requireEngine();
  await warnAboutLeftovers();
  const outcome = await executeRun(request);
  if (!values.quiet) process.stdout.write(`report: ${path.join(outcome.outDir, 'report.html')}${outcome.matrixFile ? `; stability matrix: ${outcome.matrixFile} (gategrid report prints it)` : ''}\n`);
  if (outcome.interrupted) return 130;
  // Known failures stay red for the gate unless the config says otherwise.
  return outcome.run.cells.some((c) => failsGate(c, config.report.gateKnownFailures)) ? 1 : 0;
}

/**
 * `gategrid release-status`: each release's go/no-go from the stability matrix's history, against
 * the config's `release` criteria, with every failed criterion and its cells; --badges DIR writes
 * an SVG badge per release and backend. Exit 0 when every release shown is go.
 */
export async function commandReleaseStatus(values: CliValues): Promise<number> {
  const matrixFile = path.resolve(values.matrix ?? path.join(defaultOutDir, 'stability-matrix.xlsx'));
  const { config } = await loadConfig(values.config);
  const history = await readHistory(matrixFile);
  if (history.length === 0) throw new UsageError(`${matrixFile} holds no results yet: run gategrid run first (or name the workbook with --matrix)`);
  const wanted = values.release;
  const all = releaseReadiness(history, config.release);
  for (const r of wanted ?? []) {
    if (!all.some((x) => x.release === r)) throw new UsageError(`--release ${r}: no result of it in ${matrixFile} (it has: ${[...new Set(all.map((x) => x.release))].join(', ')})`);
  }
  const shown = all.filter((r) => !wanted || wanted.includes(r.release));
  for (const r of shown) {
    process.stdout.write(`${r.release}/${r.backend}: ${r.go ? 'GO' : 'NO-GO'} (${r.cells} cell(s), ${r.runs} run(s))\n${r.reasons.map((x) => `    ${x}\n`).join('')}`);
  }
  if (values.badges) {
    const dir = path.resolve(values.badges);
    await mkdir(dir, { recursive: true });
    for (const r of shown) await writeFile(path.join(dir, `${r.release}-${r.backend}.svg`), readinessBadge(r));
    process.stdout.write(`badges: ${dir}\n`);
  }
  return shown.every((r) => r.go) ? 0 : 1;
}

/** Merges results.json files into the stability matrix, then prints the matrix. */
export async function commandReport(values: CliValues, files: readonly string[]): Promise<number> {
  const matrixFile = path.resolve(values.matrix ?? path.join(defaultOutDir, 'stability-matrix.xlsx'));
  const { file: configFile, config } = await loadConfig(values.config);
  const known = await loadKnownFailures(configFile, config);
  const options = dashboardOptions(config, known.failures);
  // A cell classified where it ran keeps that; one that was not is classified with this config's signatures.
  const runs = (await Promise.all(files.map(readRunResult))).map((run) => {
    for (const cell of run.cells) classify(cell, known.failures, new Date());
    return run;
  });
  if (runs.length > 0) await mergeIntoWorkbook(matrixFile, runs, options);
  const history = await readHistory(matrixFile);
  if (history.length === 0) throw new UsageError(`${matrixFile} holds no results yet: run gategrid run first, or name results.json files to merge`);
  process.stdout.write(`${matrixFile}${runs.length > 0 ? ` (merged ${runs.length} run(s))` : ''}\n${renderStabilityText(history)}`);
  if (values.markdown) {
    const target = path.resolve(values.markdown);
    await writeFile(target, renderStabilityMarkdown(history)).catch((cause: unknown) => {
      throw new UsageError(`cannot write ${target} (${(cause as NodeJS.ErrnoException).code ?? errorMessage(cause)}): choose another --markdown file`, { cause });
    });
    process.stdout.write(`markdown summary: ${target}\n`);
  }
  if (values.html) {
    const target = path.resolve(values.html);
    await writeFile(target, renderDashboard(history, { ...options, file: target })).catch((cause: unknown) => {
      throw new UsageError(`cannot write ${target} (${(cause as NodeJS.ErrnoException).code ?? errorMessage(cause)}): choose another --html file`, { cause });
    });
    process.stdout.write(`dashboard: ${target}\n`);
  }
  // Merging CI shards gates like one run: red when a blocking cell of a named run is red.
  const failing = runs.flatMap((run) => run.cells.filter((c) => failsGate(c, config.report.gateKnownFailures)).map((c) => `${c.id} (run ${run.run.id})`));
  if (failing.length > 0) process.stdout.write(`red for the gate: ${failing.join(', ')}\n`);
  return failing.length > 0 ? 1 : 0;
}

async function readRunResult(file: string): Promise<RunResult> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new UsageError(`${file}: cannot read it as JSON (${errorMessage(cause)}): name a results.json written by gategrid run`, { cause });
  }
  const parsed = parseRunResult(data);
  if (!parsed.ok) throw new UsageError(`${file}: not a valid gategrid results.json: ${parsed.problem}; nothing was merged (fix or leave out this file)`);
  return parsed.run;
}

/**
 * `gategrid stale`: for every image the selected cells use that exists here, the Debian packages
 * whose suite now offers another version (apt-get update + apt-cache policy once per suite, in a
 * throwaway container). Exit 1 when any image is stale: `gategrid run --refresh-images` rebuilds.
 */
export async function commandStale(values: CliValues): Promise<number> {
  const { config } = await loadConfig(values.config);
  const cells = (await planCells(values, config)).filter((c) => !c.skipReason);
  if (!anyCell(values, cells)) return 0;
  await requireEngine();
  const bySuite = new Map<string, Set<string>>();
  for (const c of cells) {
    bySuite.set(c.release.suite, new Set([...(bySuite.get(c.release.suite) ?? []), ...cellImages(c)]));
    if (c.upgradeTo) bySuite.set(c.upgradeTo.release.suite, new Set([...(bySuite.get(c.upgradeTo.release.suite) ?? []), ...upgradeImages(c)]));
  }
  const builder = new ImageBuilder(cells[0]!.scenario.images, { logDir: path.join(os.tmpdir(), 'gategrid-stale') });
  let stale = 0;
  for (const [suite, names] of bySuite) {
    const existing = [...(await builder.existing(names, suite))].filter((e): e is [string, { tag: string; id: string }] => e[1] !== undefined);
    for (const name of [...names].filter((n) => !existing.some(([e]) => e === n))) process.stdout.write(`${name} (${suite}): not built here yet\n`);
    if (existing.length === 0) continue;
    const manifests = new Map(await Promise.all(existing.map(async ([name, image]) => [name, parseManifest(await packageManifest(image.tag, image.id))] as const)));
    const candidates = await candidateVersions(existing[0]![1].id, [...new Set([...manifests.values()].flatMap((m) => [...m.keys()]))]);
    for (const [name, image] of existing) {
      const old = stalePackages(manifests.get(name)!, candidates);
      if (old.length > 0) stale++;
      process.stdout.write(`${name} (${suite}) ${image.tag}: ${old.length === 0 ? 'current' : `stale, ${old.length} of ${manifests.get(name)!.size} packages have another version in ${suite} now: ${old.slice(0, 8).map((p) => `${p.name} ${p.installed} → ${p.candidate}`).join(', ')}${old.length > 8 ? ', …' : ''}`}\n`);
    }
  }
  if (stale > 0) process.stdout.write(`${stale} image(s) stale: gategrid run --refresh-images rebuilds every image of the run from Debian's current packages\n`);
  return stale > 0 ? 1 : 0;
}

export async function commandDown(values: CliValues, runId: string): Promise<number> {
  return removeEverywhere(values, { [LABEL_RUN]: runId }, `of run ${runId}`);
}

/**
 * `gategrid forward RUN`: a kept Kubernetes cell's published ports again, on 127.0.0.1 (the same
 * ports when free), its kept openrc and clouds.yaml rewritten where one moved; until Ctrl-C or
 * --for SECONDS (default 8 h: bounded like every wait).
 */
export async function commandForward(values: CliValues, runId: string): Promise<number> {
  const seconds = values.for === undefined ? 8 * 3600 : integer('--for', values.for, 1, 7 * 24 * 3600);
  const { config } = await loadConfig(values.config);
  const backend = await makeKubernetesBackend(kubernetesSettings(values, config));
  // Loaded when asked for, as the backends are: the Kubernetes client stays out of every other command.
  const { forwardKept, movedPorts } = await import('../backends/kubernetes/kept-forwards.ts');
  const kept = await forwardKept(await backend.api(), runId);
  const keptDir = path.join(path.resolve(values.out ?? path.join(defaultOutDir, runId)), 'kept');
  for (const f of kept.forwards) process.stdout.write(`${f.namespace} ${f.service}:${f.container} on 127.0.0.1:${f.host}${f.host === f.was ? '' : ` (was ${f.was})`}\n`);
  for (const cell of await readdir(keptDir).catch(() => [] as string[])) {
    for (const name of ['openrc', 'clouds.yaml']) {
      const file = path.join(keptDir, cell, name);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const moved = movedPorts(text, kept.forwards);
      if (moved !== text) await writeFile(file, moved, { mode: 0o600 });
      process.stdout.write(`credentials: ${file}${moved !== text ? ' (ports rewritten)' : ''}\n`);
    }
  }
  process.stdout.write(`forwarding ${kept.forwards.length} port(s) of run ${runId}: Ctrl-C stops (at the latest in ${seconds} s); gategrid down ${runId} removes the cells\n`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, seconds * 1000);
    function done() {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    }
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await kept.close();
  return 0;
}

/**
 * `gategrid prune`: what gategrid runs left behind on every backend (crashed, killed or kept runs);
 * a run whose process still lives on this host is not a leftover (another terminal, a concurrent
 * CI job) unless --all.
 */
export async function commandPrune(values: CliValues): Promise<number> {
  return removeEverywhere(values, { [LABEL_OWNER]: 'gategrid' }, values.all ? 'labelled by gategrid' : 'left by gategrid runs', values.all ? undefined : isLive);
}

/**
 * Each backend removes its own objects carrying the labels (Docker first: it needs no cluster).
 * A cluster that does not answer removes nothing and says so; a backend that could not remove
 * everything makes the exit code 1, the others still cleared.
 */
async function removeEverywhere(values: CliValues, labels: Record<string, string>, what: string, keep?: (owner: Owner) => boolean): Promise<number> {
  const { config } = await loadConfig(values.config);
  const backends = await makeBackends(kubernetesSettings(values, config), BACKEND_NAMES);
  let failed = false;
  const spared = new Set<string>();
  for (const backend of backends.values()) {
    try {
      const removal = await backend.removeByLabel(labels, keep);
      for (const run of removal.spared) spared.add(run);
      process.stdout.write(`${backend.name}: removed ${Object.entries(removal.removed).map(([kind, n]) => `${n} ${kind}(s)`).join(', ')} ${what}\n`);
    } catch (error) {
      // A cluster that is not up holds nothing of this host's to remove (the local one is stopped, say).
      if (backend.name === 'kubernetes') {
        process.stdout.write(`kubernetes: nothing removed (${errorMessage(error)})\n`);
        continue;
      }
      failed = true;
      process.stderr.write(`gategrid: ${backend.name}: ${errorMessage(error)}\n`);
    }
  }
  if (spared.size > 0) process.stdout.write(`left alone: ${[...spared].sort().join(', ')} (a live run: its process lives on this host, or its namespaces' heartbeat is fresh; gategrid prune --all removes it too)\n`);
  return failed ? 1 : 0;
}

/** A live run: its namespaces' heartbeat is fresh (any host), or its owner process lives on this host. */
function isLive(owner: Owner): boolean {
  return heartbeatFresh(owner) || ownerState(owner) === 'live';
}

/**
 * A run's owner process by its pid and host labels (the host as Docker or Kubernetes spells it):
 * `live` or `gone` on this host, `unknown` for another host's run or one without them.
 */
function ownerState(owner: Owner): 'live' | 'gone' | 'unknown' {
  const host = owner[LABEL_HOST];
  const pid = owner[LABEL_PID];
  if (pid === undefined || (host !== os.hostname() && host !== labelValue(os.hostname()))) return 'unknown';
  return isAlive(Number(pid)) ? 'live' : 'gone';
}

/** Says which earlier runs left containers behind although their process is gone. */
async function warnAboutLeftovers(): Promise<void> {
  const runs = await labelValues('container', `${LABEL_OWNER}=gategrid`, LABEL_RUN);
  for (const runId of runs) {
    const owner = await runOwner('container', runId);
    if (ownerState(owner) === 'gone') {
      process.stderr.write(`gategrid: warning: run ${runId} (pid ${owner[LABEL_PID]}, gone) left containers behind: gategrid down ${runId}, or gategrid prune\n`);
    }
  }
}

/** A flag's whole number, written in decimal digits only (Number() would take '', '0x4' and '1e1'). */
function integer(flag: string, text: string, min: number, max: number): number {
  const n = /^\d{1,6}$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** `0.1.0 (commit 1a2b3c4d5e6f)`, or without the commit outside a git checkout. */
export async function versionLine(): Promise<string> {
  const { commit } = await gitCommit();
  return `${gategridVersion()}${commit ? ` (commit ${commit})` : ''}`;
}

