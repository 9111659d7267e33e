import { poll } from '../../util/poll.ts';
import { errorMessage, InfraError } from '../../errors.ts';
import { docker, labelValues, listByLabel, networkExists, type ResourceKind } from '../../docker-cli.ts';
import { LABEL_HOST, LABEL_PID, LABEL_RUN } from '../../labels.ts';
import type { Owner, Removal } from '../backend.ts';
import { sweepEgressRules } from './egress-firewall.ts';

/**
 * Removes every container, then network, then volume carrying all the labels. Returns what was
 * removed. A container another caller is already removing (`docker rm` then says "removal already
 * in progress" and returns at once) still holds its network endpoint and volumes: they are removed
 * once it is gone, each try bounded (20 tries, 250 ms apart). What still cannot be removed after
 * that is an error naming it, never silence.
 */
export async function removeByLabel(labels: readonly string[]): Promise<Record<ResourceKind, number>> {
  const removed = await removeObjects(labels);
  // The host firewall rules that closed the removed networks' way out go with them.
  if (removed.network > 0) await sweepEgressRules(networkExists);
  return removed;
}

/** removeByLabel without the firewall sweep, for a caller that sweeps once after many removals. */
async function removeObjects(labels: readonly string[]): Promise<Record<ResourceKind, number>> {
  const removed: Record<ResourceKind, number> = { container: 0, network: 0, volume: 0 };
  const containers = await listByLabel('container', labels);
  if (containers.length > 0) {
    await docker(['rm', '-f', '-v', ...containers], { allowFailure: true });
    removed.container = containers.length;
  }
  const problems: string[] = [];
  for (const kind of ['network', 'volume'] as const) {
    let ids = await listByLabel(kind, labels);
    if (ids.length === 0) continue;
    const cleared = await poll(async () => {
      const r = await docker([kind, 'rm', ...ids], { allowFailure: true });
      const left = await listByLabel(kind, labels);
      removed[kind] += ids.length - left.filter((id) => ids.includes(id)).length;
      ids = left;
      if (ids.length === 0) return { done: true };
      // A straggling container (removed by someone else meanwhile, or started after the listing).
      const stragglers = await listByLabel('container', labels);
      if (stragglers.length > 0) await docker(['rm', '-f', '-v', ...stragglers], { allowFailure: true });
      else if (kind === 'network' && /has active endpoints/.test(r.stderr)) await dropStaleEndpoints(ids);
      return { again: r.stderr.trim() || 'still present' };
    }, { timeoutMs: 60_000, intervalMs: 250, tries: 20 });
    if (!cleared.ok) problems.push(`${kind}(s) ${ids.join(', ')}: ${cleared.last}`);
  }
  if (problems.length > 0) throw new InfraError(`could not remove what carries ${labels.join(', ')}: ${problems.join('; ')}`);
  return removed;
}

/**
 * A network of ours whose containers are all gone that Docker still will not remove ("has active
 * endpoints"): the engine kept an endpoint of a container that is no more (seen after containers
 * sharing another's network namespace were replaced in an upgrade). Each endpoint it still lists
 * on that network is disconnected by force, as Docker's documentation says for stale endpoints;
 * nothing but our own labelled networks is touched.
 */
async function dropStaleEndpoints(networks: readonly string[]): Promise<void> {
  for (const network of networks) {
    const listed = await docker(['network', 'inspect', '--format', '{{range $id, $e := .Containers}}{{$e.Name}}\n{{end}}', network], { allowFailure: true });
    for (const endpoint of listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
      await docker(['network', 'disconnect', '--force', network, endpoint], { allowFailure: true });
    }
  }
}

/**
 * The Docker backend's removal by label: every run's containers, networks and volumes carrying all
 * the labels, run by run, but the runs `keep` spares (asked with each run's owner labels); then, in
 * one sweep, the firewall rules of every network now gone (those just removed, and those a crash
 * left between the two removals). One run Docker refuses to clear does not keep the others': every
 * refusal is said at the end, as one error.
 */
export async function removeRuns(labels: Readonly<Record<string, string>>, keep?: (owner: Owner) => boolean): Promise<Removal> {
  const filters = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const total: Record<ResourceKind, number> = { container: 0, network: 0, volume: 0 };
  const add = (removed: Record<ResourceKind, number>) => { for (const k of ['container', 'network', 'volume'] as const) total[k] += removed[k]; };
  if (!keep) {
    add(await removeObjects(filters));
    return { removed: { ...total, ...(await sweptRules()) }, spared: [] };
  }
  const seen = new Set<string>();
  const spared: string[] = [];
  const failed: string[] = [];
  for (const kind of ['container', 'network', 'volume'] as const) {
    for (const run of await labelValues(kind, filters, LABEL_RUN)) {
      if (seen.has(run)) continue;
      seen.add(run);
      if (keep(await runOwner(kind, run))) {
        spared.push(run);
        continue;
      }
      try {
        add(await removeObjects([...filters, `${LABEL_RUN}=${run}`]));
      } catch (error) {
        failed.push(`run ${run}: ${errorMessage(error)}`);
      }
    }
  }
  const removed = { ...total, ...(await sweptRules()) };
  if (failed.length > 0) throw new InfraError(`removed ${removed.container} container(s), ${removed.network} network(s), ${removed.volume} volume(s), but not everything of ${failed.join('; ')}`, { details: { removed } });
  return { removed, spared: spared.sort() };
}

/** The egress rules of networks that no longer exist, removed: their count, when any. */
async function sweptRules(): Promise<Record<string, number>> {
  const swept = await sweepEgressRules(networkExists);
  return swept > 0 ? { 'egress rule set': swept } : {};
}

/** A run's owner, from the labels of its objects of a kind. */
export async function runOwner(kind: ResourceKind, run: string): Promise<Owner> {
  const [pid] = await labelValues(kind, `${LABEL_RUN}=${run}`, LABEL_PID);
  const [host] = await labelValues(kind, `${LABEL_RUN}=${run}`, LABEL_HOST);
  return { [LABEL_RUN]: run, [LABEL_PID]: pid, [LABEL_HOST]: host };
}
