import type { Environment } from '../backends/backend.ts';
import type { CloudSpec } from '../config/schemas.ts';
import { CheckFailed, runCheck, verify, type Check } from '../checks/check.ts';
import { pollUntil } from '../checks/poll.ts';
import { DeploymentError, errorMessage } from '../errors.ts';
import type { ActionHandlers } from '../deploy/execute.ts';
import { performStep } from '../deploy/execute.ts';
import { nextSlot, type DeploymentPlan, type ServiceUpgrade, type Step } from '../deploy/plan.ts';
import type { ServiceSpec } from '../backends/backend.ts';
import { FrontendSocket, type SlotStat } from './frontend-socket.ts';
import { afterUpgradeCheck, makeResources } from '../openstack/upgrade-resources.ts';
import { createData, verifiableWhileDown, verifyAndCleanData, verifyDataWhileDown } from './upgrade-data.ts';
import type { MadeResources, ResourceGroup } from '../openstack/made-resources.ts';
import { Session } from '../openstack/rest-client.ts';
import type { WorkloadHooks } from '../openstack/workload-hooks.ts';
import type { CheckResult } from '../results/model.ts';
import { DowntimeProbe } from './downtime-probe.ts';
import { downtimeCheck, type DataPlaneBudget } from './downtime-check.ts';
import { windowsOf } from '../checks/stop-windows.ts';
import { downtimeCheckId, downtimeOf } from '../results/downtime.ts';

export interface UpgradeInput {
  readonly env: Environment;
  /** The deployment as it runs (release N) and as it is to become (release N+1): same secrets, ports and volumes. */
  readonly from: DeploymentPlan;
  readonly to: DeploymentPlan;
  readonly fromRelease: string;
  readonly toRelease: string;
  /** Upgraded one at a time, in this order; the others stay at release N. */
  readonly services: readonly string[];
  readonly probe: readonly string[];
  /** in-place (Kolla's way) or rolling (behind the plan's frontend; services that cannot roll go in place). */
  readonly strategy?: 'in-place' | 'rolling';
  readonly resources: readonly ResourceGroup[];
  readonly maxDowntimeSeconds?: number | undefined;
  readonly maxGuestDowntimeSeconds?: number | undefined;
  /** Upgraded services that carry the guests' packets: the kept guest's SSH is not asked while one is down, and its outages then have the service's own budget. */
  readonly dataPlane?: Readonly<Record<string, DataPlaneBudget>>;
  /** The scenario's workload (guest files, the probe), for the `workload` resources. */
  readonly workload?: WorkloadHooks | undefined;
  readonly cloud: CloudSpec | undefined;
  readonly actions: ActionHandlers;
  readonly log: (line: string) => void;
  /** How long a stopping service gets to finish its requests before it is killed. */
  readonly graceMs?: number;
  /** The phase's deadline or Ctrl-C: no further service is upgraded, and the probes stop. */
  readonly signal?: AbortSignal;
  /** Fault injection: this service's new release runs a command that never answers, its readiness given `withinMs`. */
  readonly silence?: { readonly service: string; readonly withinMs: number };
}

/** The new release's container as the upgrade starts it (silenced by an injected fault). */
function newRelease(input: UpgradeInput, name: string, spec: ServiceSpec): ServiceSpec {
  if (input.silence?.service !== name) return spec;
  input.log(`upgrade: ${name}: fault injected: its ${input.toRelease} release runs "sleep 3600" and is given ${input.silence.withinMs / 1000} s to answer`);
  return { ...spec, command: ['sleep', '3600'], timeoutMs: input.silence.withinMs };
}

/**
 * An upgrade test, Kolla-style (a container replaced in place, service by service): make the
 * resources, start the downtime probes, then for each service stop it, run its upgrade jobs from
 * the new release's image and start the new release with the same config, volumes, alias and
 * ports. Every outcome is a check of kind `upgrade`; a failed service stops the upgrade there.
 */
export async function runUpgrade(input: UpgradeInput): Promise<CheckResult[]> {
  const { log } = input;
  const checks: CheckResult[] = [];
  const made: MadeResources[] = [];
  for (const group of input.resources) {
    const started = Date.now();
    try {
      if (!input.cloud) throw new DeploymentError('resources need the cloud credentials of an identity service');
      made.push(await makeResources(group, input.cloud, input.workload));
      log(`upgrade: ${group} resources made on ${input.fromRelease}`);
    } catch (error) {
      checks.push({ id: `upgrade.resources.${group}`, kind: 'upgrade', status: 'failed', durationMs: Date.now() - started, message: `could not be made before the upgrade: ${errorMessage(error)}` });
    }
  }

  // What must survive, as the scenario's own probes: made before the upgrade like the resources.
  // Made as the release it starts from renders it; verified as the one it moves to does.
  const data = input.to.upgradeData;
  let dataMade = false;
  if (data && input.from.upgradeData) {
    const created = await createData(input.from.upgradeData, input.env, input.signal);
    checks.push(...created);
    dataMade = created.every((c) => c.status === 'passed');
    log(`upgrade: data ${dataMade ? 'made' : 'not made'} on ${input.fromRelease} (${created.length} step(s))`);
  }

  const probes = input.probe.map((name) => {
    const endpoint = input.from.endpoints.find((e) => e.name === name)!;
    const probe = new DowntimeProbe(endpoint.url, { ok: (status) => endpoint.status.includes(status) });
    probe.start(input.signal);
    return { name, probe };
  });

  // Service → the container that serves it now (`<name>-next` after a rolling upgrade).
  const live = new Map<string, string>();
  for (const name of input.services) {
    const started = Date.now();
    const id = `upgrade.service.${name}`;
    if (input.signal?.aborted) {
      checks.push({ id, kind: 'upgrade', status: 'skipped', durationMs: 0, message: 'not upgraded: the upgrade was interrupted' });
      continue;
    }
    try {
      let unverified: string | undefined;
      const window: { from?: number; to?: number } = {};
      const how = await upgradeService(input, name, window, async (state) => {
        const verified = await verifyWhileDown(input, name, state, made);
        if (typeof verified === 'string') unverified = verified;
        else if (verified) checks.push(verified);
        if (data && dataMade && verifiableWhileDown(data, name)) checks.push(await verifyDataWhileDown(data, input.env, name, state, input.signal));
      });
      live.set(name, how.container);
      const message = `${input.fromRelease} → ${input.toRelease} ${how.said} in ${((Date.now() - started) / 1000).toFixed(1)} s${unverified ? `; ${unverified}` : ''}`;
      log(`upgrade: ${name} ${message}`);
      checks.push({ id, kind: 'upgrade', status: 'passed', durationMs: Date.now() - started, message, details: { strategy: how.strategy, container: how.container, startedAt: new Date(started).toISOString(), ...windowDetail(window) } });
    } catch (error) {
      log(`upgrade: ${name} failed: ${errorMessage(error)}`);
      checks.push({ id, kind: 'upgrade', status: 'failed', durationMs: Date.now() - started, message: errorMessage(error), details: { startedAt: new Date(started).toISOString() } });
      for (const rest of input.services.slice(input.services.indexOf(name) + 1)) {
        checks.push({ id: `upgrade.service.${rest}`, kind: 'upgrade', status: 'skipped', durationMs: 0, message: `not upgraded: ${name} failed first` });
      }
      break;
    }
  }

  // The stop windows the service checks recorded (the names do not matter here).
  const windows = windowsOf(checks, () => []);
  for (const { name, probe } of probes) checks.push(downtimeCheck(name, await probe.stop(), input.maxDowntimeSeconds, windows));
  for (const { watch } of made) {
    if (!watch) continue;
    try {
      checks.push(downtimeCheck(watch.name, await watch.stop(), input.maxGuestDowntimeSeconds, windows, input.dataPlane));
    } catch (error) {
      checks.push({ id: downtimeCheckId(watch.name), kind: 'upgrade', status: 'failed', durationMs: 0, message: errorMessage(error) });
    }
  }
  for (const m of made) checks.push(await runCheck(afterUpgradeCheck(m, input.cloud!), undefined, input.signal));
  if (data && dataMade) checks.push(...await verifyAndCleanData(data, input.env, input.signal));
  // A new release that answered its readiness probe and died after it (nova-compute refusing the
  // old computes' service records) is red here, not only through whichever API call notices.
  for (const name of input.services.filter((n) => checks.some((c) => c.id === `upgrade.service.${n}` && c.status === 'passed'))) {
    checks.push(await runCheck(healthCheck(input.env, name, live.get(name) ?? name, input.toRelease), undefined, input.signal));
  }
  return checks;
}

function healthCheck(env: Environment, name: string, container: string, release: string): Check<void> {
  return {
    id: `upgrade.health.${name}`, kind: 'upgrade',
    async run() {
      const state = await env.state(container);
      verify(state.status === 'running', `${name} (${release}) is ${state.status} after the upgrade${state.exitCode ? ` (exit code ${state.exitCode})` : ''}: see its log`);
      verify(state.restarts === 0, `${name} (${release}) restarted ${state.restarts} time(s) after the upgrade${state.lastExit ? `; its previous run ${state.lastExit}` : ''}`);
      return { message: `${name} (${release}) still running after the whole upgrade` };
    },
  };
}

interface Upgraded {
  readonly strategy: 'in-place' | 'rolling';
  /** The container serving the service now. */
  readonly container: string;
  /** How, for the check's message. */
  readonly said: string;
}

/** Runs grenade's verify-while-down once the old release is stopped (in place) or drained (rolling). */
type WhileDown = (state: 'stopped' | 'drained') => Promise<void>;

/**
 * When the service was deliberately out: from the old release's stop to the new release answering
 * (in place), or the old slot's stop (rolling, the new release already serving). Recorded in the
 * service's check as evidence for other services' log lines (harness/checks/stop-windows.ts).
 */
interface StopWindowTimes { from?: number; to?: number }

function windowDetail(w: StopWindowTimes): { window?: { from: string; to: string } } {
  return w.from !== undefined && w.to !== undefined ? { window: { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() } } : {};
}

async function upgradeService(input: UpgradeInput, name: string, window: StopWindowTimes, whileDown: WhileDown): Promise<Upgraded> {
  const service = input.to.steps.find((s) => s.kind === 'service' && s.name === name);
  if (!service || service.kind !== 'service') throw new DeploymentError(`no service ${name} in the plan of ${input.toRelease}`);
  const upgrade = input.to.upgrades.get(name) ?? NO_UPGRADE;
  if (input.strategy === 'rolling') {
    const backend = input.to.frontend?.backends.get(name);
    if (backend !== undefined && upgrade.offline === undefined) {
      await rollService(input, name, service.spec, backend, upgrade, window, whileDown);
      return { strategy: 'rolling', container: nextSlot(name), said: `rolling behind ${input.to.frontend!.service}` };
    }
    const why = upgrade.offline ?? `not behind the frontend ${input.to.frontend?.service ?? ''}`.trim();
    input.log(`upgrade: ${name}: in place (${why})`);
    await inPlace(input, name, service.spec, upgrade, window, whileDown);
    return { strategy: 'in-place', container: name, said: `in place (cannot roll: ${why})` };
  }
  await inPlace(input, name, service.spec, upgrade, window, whileDown);
  return { strategy: 'in-place', container: name, said: 'in place' };
}

const NO_UPGRADE: ServiceUpgrade = { jobs: [], expand: [], contract: [], after: [] };

async function runJobs(input: UpgradeInput, name: string, jobs: readonly Step[]): Promise<void> {
  for (const job of jobs) {
    const started = Date.now();
    await performStep(job, input.env, input.to, input.actions);
    input.log(`upgrade: ${name}: ${job.name} passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * Kolla's way: stop, migrate from the new image, start the new release in the old one's place,
 * then its `after` jobs. The other services' resources are verified while it is down, beside the
 * migration (the service stays down until both are done).
 */
async function inPlace(input: UpgradeInput, name: string, spec: ServiceSpec, upgrade: ServiceUpgrade, window: StopWindowTimes, whileDown: WhileDown): Promise<void> {
  window.from = Date.now();
  await input.env.stopService(name, input.graceMs ?? 30_000);
  const jobs = runJobs(input, name, upgrade.jobs);
  await Promise.allSettled([whileDown('stopped'), jobs]);
  await jobs;
  await input.env.startService(newRelease(input, name, spec));
  window.to = Date.now();
  await runJobs(input, name, upgrade.after);
}

/**
 * Zero downtime behind the frontend: expand while the old release serves; start the new release
 * beside it (`<name>-next`, the backend's second slot, disabled until then); enable it once it
 * answers (its own readiness probe, from inside); drain the old slot to 0 sessions, take it out
 * and stop it; contract while the new release serves. Every wait is bounded.
 */
async function rollService(input: UpgradeInput, name: string, spec: ServiceSpec, backend: string, upgrade: ServiceUpgrade, window: StopWindowTimes, whileDown: WhileDown): Promise<void> {
  const socket = new FrontendSocket(input.env, input.to.frontend!);
  const next = nextSlot(name);
  await runJobs(input, name, upgrade.expand);
  // The new slot is never published: its readiness is asked from inside it (the plan's slot probe).
  await input.env.startService({ ...newRelease(input, name, spec), name: next, ports: [], ready: input.to.frontend!.slotReady.get(name) ?? spec.ready });
  await socket.setState(backend, next, 'ready');
  await waitSlot(socket, backend, next, (st) => st.status.startsWith('UP'), 'to be UP in the frontend', 30_000);
  input.log(`upgrade: ${name}: ${input.toRelease} serves beside ${input.fromRelease}; draining the old slot`);
  await socket.setState(backend, name, 'drain');
  await waitSlot(socket, backend, name, (st) => st.sessions === 0, 'to drain to 0 sessions', 30_000);
  await socket.setState(backend, name, 'maint');
  await whileDown('drained');
  window.from = Date.now();
  await input.env.stopService(name, input.graceMs ?? 30_000);
  window.to = Date.now();
  await runJobs(input, name, upgrade.contract);
  await runJobs(input, name, upgrade.after);
}

/**
 * The APIs a service's downtime takes away: its own endpoints and those of the services that start
 * after it (mariadb's downtime takes every API). A drained service takes none: its new release serves.
 */
export function apisDownWith(plan: DeploymentPlan, service: string): Set<string> {
  const dependents = new Set([service, ...plan.steps.filter((s) => s.kind === 'service' && s.deps.includes(service)).map((s) => s.name)]);
  return new Set(plan.endpoints.filter((e) => dependents.has(e.service)).map((e) => e.name));
}

/**
 * Grenade's verify-while-down: while a service is stopped (in place) or drained (rolling), the
 * resources whose APIs still serve are verified (read-only). One check per service; none, and a
 * note in the service's own check, when its downtime takes every API the resources need.
 */
async function verifyWhileDown(input: UpgradeInput, service: string, state: 'stopped' | 'drained', made: readonly MadeResources[]): Promise<CheckResult | string | undefined> {
  if (made.length === 0 || !input.cloud) return undefined;
  const id = `upgrade.while-down.${service}`;
  const down = state === 'drained' ? new Set<string>() : apisDownWith(input.to, service);
  // A data-plane service carries the kept guest's packets: its pings measure that step, not SSH.
  const carries = state === 'stopped' && input.dataPlane?.[service] !== undefined;
  const verifiable = made.filter((m) => !m.needs.some((api) => down.has(api)) && !(carries && m.watch));
  const why = [...(down.size > 0 ? [`${service}'s downtime takes ${[...down].join(', ')}`] : []), ...(carries ? [`${service} carries the guest's packets: its pings measure it`] : [])].join('; ');
  // Not a check: one that verifies nothing cannot fail. The service's own check says it.
  if (verifiable.length === 0) return `nothing verifiable while it was ${state} (${why})`;
  const cloud = input.cloud;
  const left = made.filter((m) => !verifiable.includes(m)).map((m) => m.group);
  return runCheck({
    id, kind: 'upgrade',
    async run() {
      const session = await Session.login(cloud);
      const said: string[] = [];
      for (const m of verifiable) {
        try {
          await m.verify(session);
          said.push(m.group);
        } catch (error) {
          throw new CheckFailed(`while ${service} was ${state}, the ${m.group} resources made before the upgrade: ${errorMessage(error)}`, { cause: error });
        }
      }
      return {
        message: `while ${service} was ${state}: ${said.join(', ')} resources intact${left.length > 0 ? ` (${left.join(', ')} not verifiable: ${why})` : ''}`,
        details: { state, verified: said, notVerifiable: left },
      };
    },
  }, undefined, input.signal);
}

function waitSlot(socket: FrontendSocket, backend: string, server: string, ok: (st: SlotStat) => boolean, what: string, timeoutMs: number): Promise<SlotStat | undefined> {
  return pollUntil(`${backend}/${server} ${what}`, () => socket.stat(backend, server), (st) => st !== undefined && ok(st),
    { timeoutMs, intervalMs: 250, describe: (st) => (st ? `${st.status}, ${st.sessions} sessions` : 'not listed') });
}

/** One line for the upgrade phase: which services moved, and each probed endpoint's downtime. */
export function summarizeUpgrade(from: string, to: string, checks: readonly CheckResult[]): { message: string; details: Record<string, unknown> } {
  const upgraded = checks.filter((c) => c.id.startsWith('upgrade.service.') && c.status === 'passed').map((c) => c.id.slice('upgrade.service.'.length));
  const downtime = Object.fromEntries(downtimeOf({ checks }).map((d) => [d.endpoint, d.downtimeMs]));
  const said = Object.entries(downtime).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ');
  return {
    message: `${upgraded.length > 0 ? upgraded.join(', ') : 'nothing'} upgraded ${from} → ${to}${said ? `; downtime: ${said}` : ''}`,
    details: { from, to, upgraded, downtimeMs: downtime },
  };
}
