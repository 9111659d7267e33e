import type { Environment } from '../backends/backend.ts';
import type { CloudSpec } from '../config/schemas.ts';
import { runCheck, verify, type Check } from '../checks/check.ts';
import { DeploymentError, errorMessage } from '../errors.ts';
import type { ActionHandlers } from '../deploy/execute.ts';
import { performStep } from '../deploy/execute.ts';
import type { DeploymentPlan } from '../deploy/plan.ts';
import { makeResources, type MadeResources, type ResourceGroup } from '../openstack/upgrade-resources.ts';
import type { CheckResult } from '../results/model.ts';
import { DowntimeProbe, type DowntimeReport } from './downtime-probe.ts';

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
  readonly resources: readonly ResourceGroup[];
  readonly maxDowntimeSeconds?: number | undefined;
  readonly cloud: CloudSpec | undefined;
  readonly actions: ActionHandlers;
  readonly log: (line: string) => void;
  /** How long a stopping service gets to finish its requests before it is killed. */
  readonly graceMs?: number;
  /** The phase's deadline or Ctrl-C: no further service is upgraded, and the probes stop. */
  readonly signal?: AbortSignal;
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
      made.push(await makeResources(group, input.cloud));
      log(`upgrade: ${group} resources made on ${input.fromRelease}`);
    } catch (error) {
      checks.push({ id: `upgrade.resources.${group}`, kind: 'upgrade', status: 'failed', durationMs: Date.now() - started, message: `could not be made before the upgrade: ${errorMessage(error)}` });
    }
  }

  const probes = input.probe.map((name) => {
    const endpoint = input.from.endpoints.find((e) => e.name === name)!;
    const probe = new DowntimeProbe(endpoint.url, { ok: (status) => endpoint.status.includes(status) });
    probe.start(input.signal);
    return { name, probe };
  });

  for (const name of input.services) {
    const started = Date.now();
    const id = `upgrade.service.${name}`;
    if (input.signal?.aborted) {
      checks.push({ id, kind: 'upgrade', status: 'skipped', durationMs: 0, message: 'not upgraded: the upgrade was interrupted' });
      continue;
    }
    try {
      await upgradeService(input, name);
      const message = `${input.fromRelease} → ${input.toRelease} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      log(`upgrade: ${name} ${message}`);
      checks.push({ id, kind: 'upgrade', status: 'passed', durationMs: Date.now() - started, message });
    } catch (error) {
      log(`upgrade: ${name} failed: ${errorMessage(error)}`);
      checks.push({ id, kind: 'upgrade', status: 'failed', durationMs: Date.now() - started, message: errorMessage(error) });
      for (const rest of input.services.slice(input.services.indexOf(name) + 1)) {
        checks.push({ id: `upgrade.service.${rest}`, kind: 'upgrade', status: 'skipped', durationMs: 0, message: `not upgraded: ${name} failed first` });
      }
      break;
    }
  }

  for (const { name, probe } of probes) checks.push(downtimeCheck(name, await probe.stop(), input.maxDowntimeSeconds));
  for (const m of made) checks.push(await runCheck(m.check, undefined));
  // A new release that answered its readiness probe and died after it (nova-compute refusing the
  // old computes' service records) is red here, not only through whichever API call notices.
  for (const name of input.services.filter((n) => checks.some((c) => c.id === `upgrade.service.${n}` && c.status === 'passed'))) {
    checks.push(await runCheck(healthCheck(input.env, name, input.toRelease), undefined));
  }
  return checks;
}

function healthCheck(env: Environment, name: string, release: string): Check<void> {
  return {
    id: `upgrade.health.${name}`, kind: 'upgrade',
    async run() {
      const state = await env.state(name);
      verify(state.status === 'running', `${name} (${release}) is ${state.status} after the upgrade${state.exitCode ? ` (exit code ${state.exitCode})` : ''}: see its log`);
      verify(state.restarts === 0, `${name} (${release}) restarted ${state.restarts} time(s) after the upgrade${state.lastExit ? `; its previous run ${state.lastExit}` : ''}`);
      return { message: `${name} (${release}) still running after the whole upgrade` };
    },
  };
}

async function upgradeService(input: UpgradeInput, name: string): Promise<void> {
  const service = input.to.steps.find((s) => s.kind === 'service' && s.name === name);
  if (!service || service.kind !== 'service') throw new DeploymentError(`no service ${name} in the plan of ${input.toRelease}`);
  await input.env.stopService(name, input.graceMs ?? 30_000);
  for (const job of input.to.upgradeJobs.get(name) ?? []) {
    const started = Date.now();
    await performStep(job, input.env, input.to, input.actions);
    input.log(`upgrade: ${name}: ${job.name} passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await input.env.startService(service.spec);
}

/** The measured downtime of one endpoint: failed only when the scenario sets a budget and it was exceeded. */
export function downtimeCheck(name: string, report: DowntimeReport, maxDowntimeSeconds: number | undefined): CheckResult {
  const seconds = report.downtimeMs / 1000;
  const outages = report.outages.length;
  const message = outages === 0
    ? `no downtime: ${report.requests} requests over ${(report.observedMs / 1000).toFixed(1)} s all answered`
    : `unavailable ${seconds.toFixed(1)} s in ${outages} outage(s) (first: ${report.outages[0]!.first}); ${report.failed} of ${report.requests} requests failed over ${(report.observedMs / 1000).toFixed(1)} s`;
  const over = maxDowntimeSeconds !== undefined && seconds > maxDowntimeSeconds;
  return {
    id: `upgrade.downtime.${name}`, kind: 'upgrade', status: over ? 'failed' : 'passed', durationMs: report.observedMs,
    message: over ? `${message}: over the budget of ${maxDowntimeSeconds} s` : message,
    details: { url: report.url, downtimeMs: report.downtimeMs, requests: report.requests, failed: report.failed, outages: report.outages },
  };
}

/** One line for the upgrade phase: which services moved, and each probed endpoint's downtime. */
export function summarizeUpgrade(from: string, to: string, checks: readonly CheckResult[]): { message: string; details: Record<string, unknown> } {
  const upgraded = checks.filter((c) => c.id.startsWith('upgrade.service.') && c.status === 'passed').map((c) => c.id.slice('upgrade.service.'.length));
  const downtime = Object.fromEntries(checks.filter((c) => c.id.startsWith('upgrade.downtime.'))
    .map((c) => [c.id.slice('upgrade.downtime.'.length), (c.details as { downtimeMs?: number } | undefined)?.downtimeMs ?? 0]));
  const said = Object.entries(downtime).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ');
  return {
    message: `${upgraded.length > 0 ? upgraded.join(', ') : 'nothing'} upgraded ${from} → ${to}${said ? `; downtime: ${said}` : ''}`,
    details: { from, to, upgraded, downtimeMs: downtime },
  };
}
