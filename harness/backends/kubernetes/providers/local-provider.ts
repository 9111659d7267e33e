import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { InfraError } from '../../../errors.ts';
import { loadKubeConfig } from '../kube-api.ts';
import type { VolumeMode } from '../manifests.ts';
import type { ClusterProvider } from './provider.ts';

/** Where scripts/cluster.sh keeps the running cluster (its kubeconfig, the volumes of its pods). */
export function localClusterState(): string {
  return process.env.GATEGRID_K8S_STATE ?? '/var/lib/gategrid-k8s';
}

/**
 * The local cluster: Kubernetes 1.20 built from Debian's source, its kubelet running pods on this
 * host's Docker engine (dockershim), so the images gategrid built are used as they are, never pulled.
 */
export class LocalProvider implements ClusterProvider {
  readonly name = 'local';
  readonly volumes: VolumeMode;
  readonly #state: string;

  constructor(state = localClusterState()) {
    this.#state = state;
    this.volumes = { kind: 'hostPath', root: path.join(state, 'volumes') };
  }

  async connect(): Promise<KubeConfig> {
    const file = path.join(this.#state, 'kubeconfig');
    if (!existsSync(file)) throw new InfraError(`the local Kubernetes cluster is not up (no ${file}): start it with npm run cluster -- up`);
    return loadKubeConfig(file);
  }

  async image(tag: string): Promise<{ ref: string; pullPolicy: 'Never' }> {
    return { ref: tag, pullPolicy: 'Never' };
  }

  async collect(): Promise<void> {}

  async close(): Promise<undefined> {
    return undefined;
  }
}
