import { runCheck, runChecks, type Check } from '../../checks/check.ts';
import { smokeChecks } from '../../checks/smoke-checks.ts';
import type { CatalogSpec, CloudSpec } from '../../config/schemas.ts';
import { apiChecks, apiContext, type ApiContext, type ApiGroup } from '../../openstack/api-checks.ts';
import { verdictOf, type CellPhase, type CellRun } from './cell-run.ts';
import { hostname } from 'node:os';
import { readImageFiles } from '../../images/image-files.ts';
import { runLabels } from '../../labels.ts';
import type { WorkloadHooks } from '../../openstack/workload-checks.ts';
import { InfraError } from '../../errors.ts';

/** Smoke checks (every step, service and endpoint) and the native API checks. */
export function checksPhase(run: CellRun): CellPhase {
  const { cell, options, result } = run;
  return {
    title: 'checks',
    timeoutMs: options.timeouts.checks,
    async setup(r) {
      const plan = r.plan!;
      if (cell.scenario.spec.checks.smoke) {
        const ctx = { env: r.env!, steps: r.steps, endpoints: plan.endpoints };
        r.addChecks(await runChecks(smokeChecks(r.steps, plan.endpoints), ctx));
      }
      const groups = cell.scenario.spec.checks.api;
      if (groups.length > 0 && plan.cloud) await runApiChecks(r, plan.cloud, plan.catalog, groups);
    },
    verdict: () => verdictOf(result.checks.filter((c) => c.kind === 'smoke' || c.kind === 'api')),
  };
}

/** API checks run one after another: they share keystone, the CPU bottleneck on 2 cores. */
export async function runApiChecks(r: CellRun, cloud: CloudSpec, catalog: readonly CatalogSpec[], groups: readonly ApiGroup[], as = (c: Check<ApiContext>) => c): Promise<void> {
  const ctx = apiContext(cloud, catalog, workloadHooks(r));
  for (const check of apiChecks(groups)) r.addChecks([await runCheck(as(check), ctx)]);
}

/** What the workload checks take from the run: the guest's files from its built image, the probe's container, the redaction point. */
function workloadHooks(r: CellRun): WorkloadHooks | undefined {
  const workload = r.cell.scenario.spec.workload;
  if (!workload) return undefined;
  return {
    external: workload.external,
    async guestFiles() {
      const tag = r.images.get(workload.guestImage);
      if (!tag) throw new InfraError(`the guest image ${workload.guestImage} was not built for this cell`);
      const files = await readImageFiles(tag, ['/guest/vmlinuz', '/guest/initrd.img'], runLabels(r.options.runId, r.cell.id, hostname()));
      return { kernel: files.get('/guest/vmlinuz')!, ramdisk: files.get('/guest/initrd.img')! };
    },
    probe: (command, timeoutMs, env) => r.env!.exec(workload.probe, command, timeoutMs, env),
    secret: (name, value) => r.options.redactor?.add(name, value),
  };
}
