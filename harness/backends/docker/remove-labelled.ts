import { InfraError } from '../../errors.ts';
import { docker, listByLabel, networkExists, type ResourceKind } from '../../docker-cli.ts';
import { sweepEgressRules } from './egress-firewall.ts';

/**
 * Removes every container, then network, then volume carrying all the labels. Returns what was
 * removed. A container another caller is already removing (`docker rm` then says "removal already
 * in progress" and returns at once) still holds its network endpoint and volumes: they are removed
 * once it is gone, each try bounded (20 tries, 250 ms apart). What still cannot be removed after
 * that is an error naming it, never silence.
 */
export async function removeByLabel(labels: readonly string[]): Promise<Record<ResourceKind, number>> {
  const removed: Record<ResourceKind, number> = { container: 0, network: 0, volume: 0 };
  const containers = await listByLabel('container', labels);
  if (containers.length > 0) {
    await docker(['rm', '-f', '-v', ...containers], { allowFailure: true });
    removed.container = containers.length;
  }
  const problems: string[] = [];
  for (const kind of ['network', 'volume'] as const) {
    let ids = await listByLabel(kind, labels);
    let last = '';
    for (let attempt = 1; ids.length > 0; attempt++) {
      const r = await docker([kind, 'rm', ...ids], { allowFailure: true });
      const left = await listByLabel(kind, labels);
      removed[kind] += ids.length - left.filter((id) => ids.includes(id)).length;
      ids = left;
      last = r.stderr.trim();
      if (ids.length === 0 || attempt >= 20) break;
      // A straggling container (removed by someone else meanwhile, or started after the listing).
      const stragglers = await listByLabel('container', labels);
      if (stragglers.length > 0) await docker(['rm', '-f', '-v', ...stragglers], { allowFailure: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (ids.length > 0) problems.push(`${kind}(s) ${ids.join(', ')}: ${last || 'still present'}`);
  }
  // The host firewall rules that closed the removed networks' way out go with them.
  if (removed.network > 0) await sweepEgressRules(networkExists);
  if (problems.length > 0) throw new InfraError(`could not remove what carries ${labels.join(', ')}: ${problems.join('; ')}`);
  return removed;
}
