import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Backend, Environment } from '../backends/backend.ts';
import type { CatalogSpec, CloudSpec } from '../config/schemas.ts';
import { SecretStore } from '../config/secrets.ts';
import type { Redactor } from '../results/redactor.ts';
import { buildPlan, type DeploymentPlan } from '../deploy/plan.ts';
import { executePlan, type ActionHandlers, type StepResult } from '../deploy/execute.ts';
import { runCheck, type Check } from '../checks/check.ts';
import { smokeChecks } from '../checks/smoke-checks.ts';
import { logChecks } from '../checks/log-scan.ts';
import { apiChecks, apiContext, type ApiContext, type ApiGroup } from '../openstack/api-checks.ts';
import type { ImageBuilder } from '../images/image-builder.ts';
import { DeploymentError, errorMessage, isDeploymentError } from '../errors.ts';
import { isRed } from '../results/verdicts.ts';
import { runTempest } from '../../tempest-bridge/run-tempest.ts';
import { runUpgrade, summarizeUpgrade } from '../upgrade/run-upgrade.ts';
import { TEMPEST_IMAGE, cellImages, upgradeImages, type CellSpec } from '../matrix/cell.ts';

import { runLabels } from '../labels.ts';
import { freeLoopbackPort } from '../util/free-port.ts';
import { cellDir, type CellResult, type CellStatus, type CheckResult, type PhaseResult } from '../results/model.ts';
import { TaskRunner, type TaskStatus } from './task-runner.ts';

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
}

interface CellState {
  env?: Environment;
  plan?: DeploymentPlan;
  steps: StepResult[];
  secrets: SecretStore;
  images: Map<string, string>;
  /** An upgrade cell: the images of the release it moves to (its upgraded services'). */
  targetImages: Map<string, string>;
}

/** Runs one cell: images → environment → deploy → checks → logs, with teardown always. */
export async function runCell(cell: CellSpec, result: CellResult, options: CellRunOptions): Promise<CellResult> {
  const { log } = options;
  const logDir = path.join(options.outDir, result.artifacts.logs);
  const state: CellState = { steps: [], secrets: new SecretStore((name, value) => options.redactor?.add(name, value)), images: new Map(), targetImages: new Map() };
  const harnessErrors: string[] = [];
  let tempestPhase: Omit<PhaseResult, 'startedAt'> | undefined;
  let upgradeSummary: { message: string; details: Record<string, unknown> } | undefined;
  const started = Date.now();
  result.startedAt = new Date(started).toISOString();
  result.status = 'running';
  result.scenarioRevision = cell.scenario.revision;
  options.update(result);

  const addPhase = (phase: PhaseResult): void => {
    result.phases.push(phase);
    options.update(result);
  };
  const addChecks = (checks: CheckResult[]): void => {
    result.checks.push(...checks.map((c) => ({ ...c, ...(c.message ? { message: state.secrets.redact(c.message) } : {}) })));
    options.update(result);
  };

  // API checks run one after another: they share keystone, the CPU bottleneck on 2 cores.
  const runApiChecks = async (cloud: CloudSpec, catalog: readonly CatalogSpec[], groups: readonly ApiGroup[], as = (c: Check<ApiContext>) => c): Promise<void> => {
    const ctx = apiContext(cloud, catalog);
    for (const check of apiChecks(groups)) addChecks([await runCheck(as(check), ctx)]);
  };
  const contentVerdict = (name: string): Partial<PhaseResult> => {
    switch (name) {
      case 'deploy': {
        const bad = state.steps.filter((st) => st.status !== 'passed');
        if (bad.length === 0) return {};
        const first = bad.find((st) => st.status !== 'skipped') ?? bad[0]!;
        return { status: bad.some((st) => st.status === 'error') ? 'error' : 'failed', message: `${bad.length} of ${state.steps.length} steps not passed, first ${first.name}: ${first.message ?? first.status}` };
      }
      case 'checks': return verdictOf(result.checks.filter((c) => c.kind === 'smoke' || c.kind === 'api'));
      case 'logs': return verdictOf(result.checks.filter((c) => c.kind === 'logs'));
      case 'upgrade': {
        const verdict = verdictOf(result.checks.filter((c) => c.kind === 'upgrade'));
        if (!upgradeSummary) return verdict;
        return { ...verdict, message: verdict.message ? `${verdict.message}; ${upgradeSummary.message}` : upgradeSummary.message, details: upgradeSummary.details };
      }
      case 'tempest':
        if (cell.tempest.kind === 'none') return { status: 'skipped', message: 'not selected (--tempest none, or the scenario has no Tempest selection)' };
        return tempestPhase ? { status: tempestPhase.status, ...(tempestPhase.message ? { message: tempestPhase.message } : {}), ...(tempestPhase.details ? { details: tempestPhase.details } : {}) } : {};
      default: return {};
    }
  };

  const runner = new TaskRunner<CellState>({
    onTaskStart: (title, stage) => log(`${stage === 'setup' ? title : `${title} teardown`}…`),
    onTaskEnd: (title, stage, status, durationMs, error) => {
      if (status === 'skipped') return;
      const name = stage === 'setup' ? title : 'teardown';
      const p = phase(name, status, durationMs, error);
      // A phase that ran to its end is still red when what it produced is red.
      if (p.status === 'passed' && stage === 'setup') Object.assign(p, contentVerdict(name));
      addPhase(p);
      if (error !== undefined && status !== 'passed') {
        // A deployment-side error makes a red phase (failed); anything else is the harness's (error).
        if (!isDeploymentError(error)) harnessErrors.push(`${name}: ${errorMessage(error)}`);
        log(`${name} ${status}: ${state.secrets.redact(errorMessage(error))}`);
      } else log(`${name} ${p.status} in ${(durationMs / 1000).toFixed(1)} s${p.message && p.status !== 'passed' ? `: ${state.secrets.redact(p.message)}` : ''}`);
    },
  });

  runner.add({
    title: 'images',
    timeoutMs: options.timeouts.images,
    async setup(s) {
      const built = await options.images.ensureAll(cellImages(cell), cell.release.suite);
      for (const [name, image] of built) s.images.set(name, image.tag);
      result.images = Object.fromEntries(s.images);
      if (cell.upgradeTo) {
        const target = await options.images.ensureAll(upgradeImages(cell), cell.upgradeTo.release.suite);
        for (const [name, image] of target) s.targetImages.set(name, image.tag);
        result.images = { ...result.images, ...Object.fromEntries([...s.targetImages].map(([n, t]) => [`${n}@${cell.upgradeTo!.releaseName}`, t])) };
      }
    },
  });

  runner.add({
    title: 'environment',
    async setup(s) {
      s.env = await options.backend.provision({
        runId: options.runId, cellId: cell.id, logDir,
        labels: runLabels(options.runId, cell.id, os.hostname()),
      });
    },
    async teardown(s) {
      const red = isRed(cellStatus(result, 'passed', harnessErrors));
      if (red) await s.env?.diagnose?.(logDir).catch((e: unknown) => log(`diagnostics could not be collected: ${errorMessage(e)}`));
      const keep = options.keep === 'always' || (options.keep === 'failed' && red);
      if (keep && s.env) {
        result.kept = true;
        await writeKeptEnvironment(options, result, s);
        await s.env.release();
        for (const [name, url] of Object.entries(result.endpoints ?? {})) log(`kept: ${name} at ${url}`);
        if (result.artifacts.kept) log(`kept: credentials in ${path.join(options.outDir, result.artifacts.kept, 'openrc')} (source it) and clouds.yaml`);
        log(`kept: containers stay up; remove them with: npx gategrid down ${options.runId}`);
        return;
      }
      await s.env?.teardown();
    },
  });

  runner.add({
    title: 'deploy',
    timeoutMs: options.timeouts.deploy,
    async setup(s, signal) {
      const hostPorts: Record<string, Record<string, number>> = {};
      for (const svc of cell.scenario.services) {
        hostPorts[svc.spec.name] = {};
        for (const p of svc.spec.ports) hostPorts[svc.spec.name]![String(p)] = await freeLoopbackPort();
      }
      s.plan = buildPlan({
        scenario: cell.scenario, releaseName: cell.releaseName, release: cell.release, images: s.images,
        secrets: s.secrets, hostPorts, runId: options.runId, cellId: cell.id,
      });
      result.endpoints = Object.fromEntries(s.plan.endpoints.map((e) => [e.name, e.url]));
      s.steps = await executePlan(s.plan, s.env!, options.actions, {
        signal,
        onStep: (step) => {
          result.phases.push({ name: `deploy/${step.name}`, status: step.status, startedAt: step.startedAt, durationMs: step.durationMs, ...(step.message ? { message: state.secrets.redact(step.message) } : {}) });
          options.update(result);
          log(`  ${step.kind} ${step.name} ${step.status} in ${(step.durationMs / 1000).toFixed(1)} s${step.status === 'passed' ? '' : `: ${state.secrets.redact(step.message ?? '')}`}`);
        },
      });
      const broken = s.steps.filter((st) => st.status === 'error');
      if (broken.length > 0) harnessErrors.push(...broken.map((b) => `${b.name}: ${b.message}`));
      await options.afterDeploy?.(s.env!, cell);
    },
  });

  runner.add({
    title: 'checks',
    timeoutMs: options.timeouts.checks,
    async setup(s) {
      const plan = s.plan!;
      if (cell.scenario.spec.checks.smoke) {
        const ctx = { env: s.env!, steps: s.steps, endpoints: plan.endpoints };
        addChecks(await runAll(smokeChecks(s.steps, plan.endpoints), ctx));
      }
      const groups = cell.scenario.spec.checks.api;
      if (groups.length > 0 && plan.cloud) {
        await runApiChecks(plan.cloud, plan.catalog, groups);
      }
    },
  });

  if (cell.upgradeTo) {
    const to = cell.upgradeTo;
    const spec = cell.scenario.spec.upgrade!;
    runner.add({
      title: 'upgrade',
      timeoutMs: options.timeouts.deploy + options.timeouts.checks,
      async setup(s, signal) {
        const from = s.plan!;
        // The same deployment rendered for the new release: same secrets, ports and volumes.
        const target = buildPlan({
          scenario: cell.scenario, releaseName: to.releaseName, release: to.release, images: new Map([...s.images, ...s.targetImages]),
          secrets: s.secrets, hostPorts: from.hostPorts, runId: options.runId, cellId: cell.id,
        });
        log(`upgrade ${spec.services.join(', ')}: ${cell.releaseName} → ${to.releaseName}`);
        const upgradeChecks = await runUpgrade({
          env: s.env!, from, to: target, fromRelease: cell.releaseName, toRelease: to.releaseName, services: spec.services,
          probe: spec.probe, resources: spec.resources, maxDowntimeSeconds: spec.maxDowntimeSeconds, cloud: from.cloud, actions: options.actions, log, signal,
        });
        addChecks(upgradeChecks);
        upgradeSummary = summarizeUpgrade(cell.releaseName, to.releaseName, upgradeChecks);
        log(`upgrade: ${upgradeSummary.message}`);
        // The native API checks once more, against the upgraded deployment.
        const groups = cell.scenario.spec.checks.api;
        if (groups.length > 0 && from.cloud) {
          await runApiChecks(from.cloud, from.catalog, groups, (check) => ({ ...check, id: `upgrade.${check.id}`, kind: 'upgrade' }));
        }
      },
    });
  }

  runner.add({
    title: 'tempest',
    timeoutMs: (cell.scenario.spec.tempest.timeoutSeconds + 600) * 1000,
    async setup(s) {
      if (cell.tempest.kind === 'none') return;
      if (!s.plan?.cloud) throw new DeploymentError('Tempest needs the cloud credentials of an identity service, and this scenario has none');
      // After a partly failed deploy, Tempest runs against what came up only: its failures would
      // otherwise just echo the deploy's. Without identity, nothing can be tested.
      const passed = new Set(s.steps.filter((st) => st.status === 'passed').map((st) => st.name));
      if (s.plan.cloudService && !passed.has(s.plan.cloudService)) {
        tempestPhase = { name: 'tempest', status: 'skipped', durationMs: 0, message: `not run: the identity service (${s.plan.cloudService}) did not deploy` };
        return;
      }
      const registered = s.plan.steps.flatMap((st) => (st.kind === 'action' && passed.has(st.name) ? [st.catalog.service.type] : []));
      const missing = s.plan.catalog.map((c) => c.service.type).filter((type) => !registered.includes(type));
      if (missing.length > 0) log(`tempest: against what deployed only; not available: ${missing.join(', ')}`);
      const outcome = await runTempest({
        env: s.env!, image: s.images.get(TEMPEST_IMAGE)!, cloud: s.plan.cloud, scenario: cell.scenario.spec, release: cell.releaseName,
        serviceTypes: ['identity', ...registered], selection: cell.tempest, rerunFailed: options.rerunTempest,
        artifactDir: path.join(options.outDir, result.artifacts.logs, 'tempest'), secrets: s.secrets, log,
      });
      result.artifacts.tempest = path.join(result.artifacts.logs, 'tempest/');
      addChecks(outcome.checks);
      tempestPhase = outcome.phase;
    },
  });

  runner.add({
    title: 'logs',
    async setup(s) {
      if (!cell.scenario.spec.checks.logs || !s.env || !s.plan) return;
      await new Promise((r) => setTimeout(r, 300)); // let log streams catch up
      const env = s.env;
      // The deployment's containers only: the harness's own (Tempest) print test tracebacks by design.
      const deployed = env.containers().filter((n) => s.plan!.owners.has(n));
      addChecks(await runAll(logChecks(deployed, s.plan.owners, s.plan.allow), { logFile: (n: string) => env.logFile(n) }));
    },
  });

  const outcome = await runner.run(state, options.signal);
  result.durationMs = Date.now() - started;
  result.status = cellStatus(result, outcome.status, harnessErrors);
  if (result.status !== 'passed') result.reason = state.secrets.redact(reasonOf(result, harnessErrors, outcome.status));
  options.update(result);
  return result;
}

/** The verdict of a phase from the checks it produced: error beats failed; skipped checks are red too. */
function verdictOf(checks: readonly CheckResult[]): Partial<PhaseResult> {
  const bad = checks.filter((c) => c.status === 'error' || c.status === 'failed' || c.status === 'skipped');
  if (bad.length === 0) return {};
  return { status: bad.some((c) => c.status === 'error') ? 'error' : 'failed', message: `${bad.length} of ${checks.length} checks not passed, first ${bad[0]!.id}` };
}

async function runAll<C>(checks: Check<C>[], ctx: C): Promise<CheckResult[]> {
  return Promise.all(checks.map((c) => runCheck(c, ctx)));
}

function phase(name: string, status: TaskStatus, durationMs: number, error: unknown): PhaseResult {
  const mapped = status === 'timedout' ? 'error' : status === 'failed' ? (isDeploymentError(error) ? 'failed' : 'error') : status;
  return {
    name, status: mapped as PhaseResult['status'], startedAt: new Date(Date.now() - durationMs).toISOString(), durationMs,
    ...(error !== undefined && status !== 'passed' ? { message: errorMessage(error) } : {}),
  };
}

/** `error` beats `failed`: a broken harness says nothing about the deployment. */
function cellStatus(result: CellResult, run: string, harnessErrors: readonly string[]): CellStatus {
  if (run === 'interrupted' || harnessErrors.length > 0) return 'error';
  if (result.checks.some((c) => c.status === 'error')) return 'error';
  if (result.checks.some((c) => c.status === 'failed')) return 'failed';
  if (result.phases.some((p) => p.status === 'failed' || p.status === 'error')) return 'failed';
  if (result.checks.some((c) => c.status === 'flaky')) return 'flaky';
  return 'passed';
}

function reasonOf(result: CellResult, harnessErrors: readonly string[], run: string): string {
  if (run === 'interrupted') return 'interrupted';
  if (harnessErrors.length > 0) return harnessErrors[0]!;
  const bad = result.checks.find((c) => c.status === 'error') ?? result.checks.find((c) => c.status === 'failed');
  if (bad) return `${bad.id}: ${bad.message ?? bad.status}`;
  return result.phases.find((p) => p.status !== 'passed')?.message ?? 'failed';
}

/** For a kept cell: endpoints plus an openrc and a clouds.yaml to reach it by hand. */
async function writeKeptEnvironment(options: CellRunOptions, result: CellResult, s: CellState): Promise<void> {
  const dir = path.join(options.outDir, 'kept', cellDir(result.id));
  await mkdir(dir, { recursive: true });
  const cloud = s.plan?.cloud;
  if (cloud) {
    await writeFile(path.join(dir, 'openrc'), [
      `export OS_AUTH_URL=${cloud.authUrl}`, `export OS_USERNAME=${cloud.username}`, `export OS_PASSWORD=${cloud.password}`,
      `export OS_PROJECT_NAME=${cloud.projectName}`, `export OS_USER_DOMAIN_NAME=${cloud.userDomainName}`,
      `export OS_PROJECT_DOMAIN_NAME=${cloud.projectDomainName}`, `export OS_REGION_NAME=${cloud.region}`, 'export OS_IDENTITY_API_VERSION=3', '',
    ].join('\n'), { mode: 0o600 });
    await writeFile(path.join(dir, 'clouds.yaml'), [
      'clouds:', `  ${cellDir(result.id)}:`, '    auth:', `      auth_url: ${cloud.authUrl}`, `      username: ${cloud.username}`,
      `      password: ${cloud.password}`, `      project_name: ${cloud.projectName}`, `      user_domain_name: ${cloud.userDomainName}`,
      `      project_domain_name: ${cloud.projectDomainName}`, `    region_name: ${cloud.region}`, '    identity_api_version: 3', '',
    ].join('\n'), { mode: 0o600 });
  }
  result.artifacts.kept = path.relative(options.outDir, dir);
}
