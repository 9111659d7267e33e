import { mkdir } from 'node:fs/promises';
import { InfraError } from '../../errors.ts';
import { poll } from '../../util/poll.ts';
import type { Backend, Environment, EnvironmentSpec, Owner, Removal } from '../backend.ts';
import { LABEL_RUN } from '../../labels.ts';
import { KubeApi, apiMessage, isNotFound } from './kube-api.ts';
import { KubernetesEnvironment } from './kubernetes-environment.ts';
import { namespaceManifest, namespaceName, labelValue } from './manifests.ts';
import type { ClusterProvider } from './providers/provider.ts';

/**
 * Cells as namespaces of a Kubernetes cluster, through @kubernetes/client-node only. The cluster
 * comes from a provider (local, kind, kubeconfig); an unreachable one makes the cell `error` with
 * the reason, never a silent skip.
 */
export class KubernetesBackend implements Backend {
  readonly name = 'kubernetes';
  readonly provider: ClusterProvider;
  #api: Promise<KubeApi> | undefined;

  constructor(provider: ClusterProvider) {
    this.provider = provider;
  }

  /** Connects once per run; the server's version is asked, so an unreachable cluster says so now. */
  api(): Promise<KubeApi> {
    this.#api ??= (async () => {
      const api = new KubeApi(await this.provider.connect());
      await api.version();
      return api;
    })();
    this.#api.catch(() => { this.#api = undefined; });
    return this.#api;
  }

  async provision(spec: EnvironmentSpec): Promise<Environment> {
    const api = await this.api();
    await mkdir(spec.logDir, { recursive: true });
    const namespace = namespaceName(spec.runId, spec.cellId);
    try {
      await api.core.createNamespace({ body: namespaceManifest(namespace, spec.labels) });
    } catch (cause) {
      throw new InfraError(`namespace ${namespace} could not be created on ${api.server}: ${apiMessage(cause)}`, { cause });
    }
    const env = new KubernetesEnvironment(api, this.provider, spec, namespace);
    // Pods cannot be created before the namespace's default service account exists.
    let failure: unknown;
    const outcome = await poll(async () => {
      try {
        await api.core.readNamespacedServiceAccount({ name: 'default', namespace });
        return { done: true };
      } catch (cause) {
        failure = cause;
        if (!isNotFound(cause)) throw cause;
        return { again: apiMessage(cause) };
      }
    }, { timeoutMs: 60_000, intervalMs: 250 }).catch((cause: unknown) => ({ ok: false as const, last: apiMessage(cause) }));
    if (!outcome.ok) {
      await env.teardown().catch(() => undefined);
      throw new InfraError(`namespace ${namespace} got no default service account within 60 s: ${outcome.last}`, { cause: failure });
    }
    return env;
  }

  /**
   * How many cells fit at once: 80 % of the memory the cluster's nodes offer pods, in MiB, and their
   * allocatable cores. The cores matter as much: the local cluster's node is this 2-core machine,
   * and by memory alone 8 compute cells would start at once.
   */
  async capacity(): Promise<{ memoryMiB: number; cores?: number }> {
    const api = await this.api();
    const nodes = await api.core.listNode();
    const cores = nodes.items.reduce((sum, n) => sum + cpuCores(n.status?.allocatable?.cpu ?? '0'), 0);
    return { memoryMiB: nodes.items.reduce((sum, n) => sum + memoryMiB(n.status?.allocatable?.memory ?? '0'), 0) * 0.8, ...(cores >= 1 ? { cores: Math.floor(cores) } : {}) };
  }

  /** Deletes every namespace carrying all the labels (`key=value`), but those whose run `keep` spares (given the namespace's labels). */
  async removeByLabel(labels: Readonly<Record<string, string>>, keep: (owner: Owner) => boolean = () => false): Promise<Removal> {
    const api = await this.api();
    const selector = Object.entries(labels).map(([k, v]) => `${k}=${labelValue(v)}`).join(',');
    const list = await api.core.listNamespace({ labelSelector: selector });
    const spared = new Set<string>();
    const names: string[] = [];
    for (const n of list.items) {
      // The labels, and the annotations beside them: the raw values (a host name as written) and the heartbeat.
      const own = { ...n.metadata?.labels, ...n.metadata?.annotations };
      if (keep(own)) spared.add(own[LABEL_RUN] ?? n.metadata!.name!);
      else names.push(n.metadata!.name!);
    }
    for (const name of names) {
      await api.core.deleteNamespace({ name, propagationPolicy: 'Background' }).catch((cause: unknown) => {
        if (!isNotFound(cause)) throw new InfraError(`namespace ${name} could not be deleted: ${apiMessage(cause)}`, { cause });
      });
    }
    return { removed: { namespace: names.length }, spared: [...spared].sort() };
  }

  close(keepCells: boolean): Promise<string | undefined> {
    return this.provider.close(keepCells);
  }
}

/** A Kubernetes CPU quantity ("2", "1500m", "0.5") in cores; 0 when unreadable. */
export function cpuCores(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity.trim());
  if (!m) return 0;
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/** A Kubernetes memory quantity (`8046392Ki`, `16Gi`, `1e9`) in MiB. */
export function memoryMiB(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|e\d+)?$/.exec(quantity.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factor: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const bytes = unit.startsWith('e') ? n * 10 ** Number(unit.slice(1)) : n * (factor[unit] ?? 1);
  return Math.floor(bytes / 1024 / 1024);
}
