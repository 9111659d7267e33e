import { buildPlan } from '../../deploy/plan.ts';
import type { PhaseResult } from '../../results/model.ts';
import { runUpgrade, summarizeUpgrade } from '../../upgrade/run-upgrade.ts';
import { phaseVerdict } from '../../results/verdicts.ts';
import type { CellPhase, CellRun } from './cell-run.ts';
import { runApiChecks } from './checks-phase.ts';
import { workloadHooks } from './workload-hooks.ts';

/** An upgrade cell: its services moved one by one to the next release, resources and downtime checked. */
export function upgradePhase(run: CellRun): CellPhase | undefined {
  const { cell, options, result } = run;
  const to = cell.upgradeTo;
  const spec = cell.scenario.spec.upgrade;
  if (!to || !spec) return undefined;
  let summary: { message: string; details: Record<string, unknown> } | undefined;
  return {
    title: 'upgrade',
    timeoutMs: options.timeouts.deploy + options.timeouts.checks,
    async setup(r, signal) {
      const from = r.plan!;
      // The same deployment rendered for the new release: same secrets, ports and volumes.
      const target = buildPlan({
        scenario: cell.scenario, releaseName: to.releaseName, release: to.release, images: new Map([...r.images, ...r.targetImages]),
        secrets: r.secrets, hostPorts: from.hostPorts, runId: options.runId, cellId: cell.id, backend: cell.backend,
      });
      r.log(`upgrade ${spec.services.join(', ')} (${spec.strategy}): ${cell.releaseName} → ${to.releaseName}`);
      const checks = await runUpgrade({
        env: r.env!, from, to: target, fromRelease: cell.releaseName, toRelease: to.releaseName, services: spec.services,
        probe: spec.probe, strategy: spec.strategy, resources: spec.resources, maxDowntimeSeconds: spec.maxDowntimeSeconds,
        maxGuestDowntimeSeconds: spec.maxGuestDowntimeSeconds, dataPlane: spec.dataPlane, workload: workloadHooks(r), cloud: from.cloud, actions: options.actions, log: r.log, signal,
        ...(options.upgradeFault ? { silence: options.upgradeFault } : {}),
      });
      r.addChecks(checks);
      summary = summarizeUpgrade(cell.releaseName, to.releaseName, checks);
      r.log(`upgrade: ${summary.message}`);
      // The native API checks once more, against the upgraded deployment.
      const groups = cell.scenario.spec.checks.api;
      if (groups.length > 0 && from.cloud) {
        await runApiChecks(r, from.cloud, from.catalog, groups, signal, (check) => ({ ...check, id: `upgrade.${check.id}`, kind: 'upgrade' }));
      }
    },
    verdict(): Partial<PhaseResult> {
      const verdict = phaseVerdict(result.checks.filter((c) => c.kind === 'upgrade'));
      if (!summary) return verdict;
      return { ...verdict, message: verdict.message ? `${verdict.message}; ${summary.message}` : summary.message, details: summary.details };
    },
  };
}
