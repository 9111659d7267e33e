import { hostname } from 'node:os';
import { InfraError } from '../../errors.ts';
import { readImageFiles } from '../../images/image-files.ts';
import { runLabels } from '../../labels.ts';
import type { WorkloadHooks } from '../../openstack/workload-hooks.ts';
import type { CellRun } from './cell-run.ts';
import { collectDiagnostics } from './recipe-diagnostics.ts';

/**
 * What a real workload takes from the run (the workload checks and Tempest's validation alike):
 * the guest's files from its built image, the probe's container, the redaction point. Undefined
 * for a scenario without a `workload`.
 */
export function workloadHooks(r: CellRun): WorkloadHooks | undefined {
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
    diagnose: (label) => collectDiagnostics(r.env!, r.cell.scenario.services, r.logDir, (text) => r.secrets.redact(text), label),
  };
}

/**
 * The network namespace a container must join to stand where the probe stands (on the external
 * network, floating IPs reachable): the one the probe itself joins, or the probe's own.
 */
export function probeNamespace(r: CellRun): string | undefined {
  const workload = r.cell.scenario.spec.workload;
  if (!workload) return undefined;
  const probe = r.cell.scenario.services.find((s) => s.spec.name === workload.probe);
  return probe?.spec.namespaces?.network ?? workload.probe;
}
