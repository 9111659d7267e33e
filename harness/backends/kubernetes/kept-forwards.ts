/**
 * A kept Kubernetes cell outlives its run, but its published ports were the run's port-forwards
 * and died with it. `gategrid forward RUN` opens them again: each workload of the run's namespaces
 * that published ports (their `container:host` pairs in an annotation) gets a listener on
 * 127.0.0.1, on the same host port when it is free, else on another, which the caller then writes
 * into the kept credentials.
 */
import type { KubeApi } from './kube-api.ts';
import { PortForwarder } from './port-forwarder.ts';
import { NAME_LABEL, PUBLISHED_ANNOTATION, parsePublished } from './manifests.ts';
import { LABEL_RUN } from '../../labels.ts';
import { freeLoopbackPort } from '../../util/free-port.ts';
import { InfraError } from '../../errors.ts';

export interface KeptForward {
  readonly namespace: string;
  readonly service: string;
  readonly container: number;
  /** The port the run published it on. */
  readonly was: number;
  /** Where it answers now. */
  readonly host: number;
}

export interface KeptForwards {
  readonly forwards: readonly KeptForward[];
  close(): Promise<void>;
}

/** Whether 127.0.0.1:port can be listened on now. */
async function isFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function forwardKept(api: KubeApi, runId: string): Promise<KeptForwards> {
  const namespaces = (await api.core.listNamespace({ labelSelector: `${LABEL_RUN}=${runId}` })).items.map((n) => n.metadata!.name!);
  if (namespaces.length === 0) throw new InfraError(`run ${runId} has no namespace on this cluster: nothing was kept, or it was removed (gategrid down)`);
  const forwarders: PortForwarder[] = [];
  const forwards: KeptForward[] = [];
  try {
    for (const namespace of namespaces.sort()) {
      const workloads = [...(await api.apps.listNamespacedDeployment({ namespace })).items, ...(await api.apps.listNamespacedStatefulSet({ namespace })).items];
      for (const w of workloads) {
        const service = w.metadata?.labels?.[NAME_LABEL] ?? w.metadata!.name!;
        for (const p of parsePublished(w.metadata?.annotations?.[PUBLISHED_ANNOTATION])) {
          const host = (await isFree(p.host)) ? p.host : await freeLoopbackPort();
          const currentPod = async () => (await api.core.listNamespacedPod({ namespace, labelSelector: `${NAME_LABEL}=${service}` })).items
            .filter((pod) => pod.status?.phase === 'Running').at(-1)?.metadata?.name;
          forwarders.push(await PortForwarder.listen(api.kc, namespace, host, p.container, currentPod));
          forwards.push({ namespace, service, container: p.container, was: p.host, host });
        }
      }
    }
  } catch (cause) {
    await Promise.all(forwarders.map((f) => f.close()));
    throw cause instanceof InfraError ? cause : new InfraError(`the kept cells of run ${runId} could not be forwarded: ${(cause as Error).message}`, { cause });
  }
  return { forwards, close: async () => { await Promise.all(forwarders.map((f) => f.close())); } };
}

/** A kept cell's credentials with each moved port's old address replaced by its new one. */
export function movedPorts(text: string, forwards: readonly KeptForward[]): string {
  const moved = new Map(forwards.filter((f) => f.was !== f.host).map((f) => [String(f.was), f.host]));
  return text.replace(/127\.0\.0\.1:(\d{1,5})\b/g, (whole, port: string) => (moved.has(port) ? `127.0.0.1:${moved.get(port)}` : whole));
}
