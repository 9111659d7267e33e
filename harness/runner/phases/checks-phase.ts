import { runChecks, runChecksInOrder, type Check } from '../../checks/check.ts';
import { smokeChecks } from '../../checks/smoke-checks.ts';
import { probeChecks } from '../../checks/probes/probe-checks.ts';
import { runnerChecks } from '../../checks/runners/runner-checks.ts';
import path from 'node:path';
import type { CatalogSpec, CloudSpec } from '../../config/schemas.ts';
import { apiChecks, apiContext, type ApiGroup } from '../../openstack/api-checks.ts';
import type { ApiContext } from '../../openstack/api-context.ts';
import { phaseVerdict } from '../../results/verdicts.ts';
import type { CellPhase, CellRun } from './cell-run.ts';
import { workloadHooks } from './workload-hooks.ts';

/** Smoke checks (every step, service and endpoint), the checks as data (probes) and the native API checks. */
export function checksPhase(run: CellRun): CellPhase {
  const { cell, options, result } = run;
  return {
    title: 'checks',
    timeoutMs: options.timeouts.checks,
    async setup(r, signal) {
      const plan = r.plan!;
      if (cell.scenario.spec.checks.smoke) {
        const ctx = { env: r.env!, steps: r.steps, endpoints: plan.endpoints };
        r.addChecks(await runChecks(smokeChecks(r.steps, plan.endpoints), ctx, signal));
      }
      // In the order written, one after another: a probe may write what the next one reads back.
      await runChecksInOrder(probeChecks(plan.probes), { env: r.env! }, signal, (c) => r.addChecks([c]));
      const artifactDir = path.join(options.outDir, result.artifacts.logs, 'runners');
      for (const runner of plan.runners) if (!signal.aborted) r.addChecks(await runnerChecks(runner, { env: r.env!, artifactDir, redact: (text) => r.secrets.redact(text) }));
      const groups = cell.scenario.spec.checks.api;
      if (groups.length > 0 && plan.cloud) await runApiChecks(r, plan.cloud, plan.catalog, groups, signal);
    },
    verdict: () => phaseVerdict(result.checks.filter((c) => c.kind === 'smoke' || c.kind === 'probe' || c.kind === 'runner' || c.kind === 'api')),
  };
}

/** API checks run one after another: they share keystone, the CPU bottleneck on 2 cores. */
export async function runApiChecks(r: CellRun, cloud: CloudSpec, catalog: readonly CatalogSpec[], groups: readonly ApiGroup[], signal: AbortSignal, as = (c: Check<ApiContext>) => c): Promise<void> {
  const ctx = apiContext(cloud, catalog, workloadHooks(r));
  await runChecksInOrder(apiChecks(groups).map(as), ctx, signal, (c) => r.addChecks([c]));
}
