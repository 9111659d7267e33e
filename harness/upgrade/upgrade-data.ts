/** An upgrade's data as probes (issue 24): made before, verified while services are down and after, cleaned up once verified. */
import type { Environment } from '../backends/backend.ts';
import { probeChecks } from '../checks/probes/probe-checks.ts';
import { CheckFailed, runCheck, runChecks, runChecksInOrder } from '../checks/check.ts';
import type { UpgradeData } from '../deploy/plan.ts';
import type { CheckResult } from '../results/model.ts';

/** The `create` probes, before the upgrade: checks `upgrade.data.create.NAME`, kind upgrade. */
export async function createData(data: UpgradeData, env: Environment, signal?: AbortSignal): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  // One after another: a later step may read what an earlier one wrote.
  await runChecksInOrder(probeChecks(data.create), { env }, signal, (r) => results.push({ ...r, kind: 'upgrade' }));
  return results;
}

/** Whether the data can be verified while `service` is down (it needs none of it). */
export function verifiableWhileDown(data: UpgradeData, service: string): boolean {
  return !data.needs.includes(service);
}

/** The `verify` probes while `service` is `state`: one check, `upgrade.while-down.SERVICE.data`. */
export function verifyDataWhileDown(data: UpgradeData, env: Environment, service: string, state: 'stopped' | 'drained', signal?: AbortSignal): Promise<CheckResult> {
  const probes = probeChecks(data.verify);
  return runCheck({
    id: `upgrade.while-down.${service}.data`, kind: 'upgrade',
    async run() {
      const said: string[] = [];
      for (const probe of probes) {
        const r = await runCheck(probe, { env }, signal);
        if (r.status !== 'passed') throw new CheckFailed(`while ${service} was ${state}, ${probe.id}: ${r.message ?? r.status}`);
        said.push(probe.id.slice('upgrade.data.verify.'.length));
      }
      return { message: `while ${service} was ${state}: the data verified (${said.join(', ')})`, details: { state, verified: said } };
    },
  }, { env }, signal);
}

/** After the whole upgrade: each `verify` probe a check, then `cleanup` once every one passed. */
export async function verifyAndCleanData(data: UpgradeData, env: Environment, signal?: AbortSignal): Promise<CheckResult[]> {
  const verified = (await runChecks(probeChecks(data.verify), { env }, signal)).map((r) => ({ ...r, kind: 'upgrade' as const }));
  if (verified.some((r) => r.status !== 'passed')) return verified;
  const cleaned: CheckResult[] = [];
  await runChecksInOrder(probeChecks(data.cleanup), { env }, signal, (r) => cleaned.push({ ...r, kind: 'upgrade' }));
  return [...verified, ...cleaned];
}
