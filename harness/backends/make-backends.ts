import os from 'node:os';
import path from 'node:path';
import type { KubernetesConfig } from '../config/schemas.ts';
import { UsageError } from '../errors.ts';
import type { Backend } from './backend.ts';
import type { KubernetesBackend } from './kubernetes/kubernetes-backend.ts';
import type { ClusterProvider } from './kubernetes/providers/provider.ts';

export const BACKEND_NAMES = ['docker', 'kubernetes'] as const;

/** The cluster provider the config (and the CLI's overrides) chose for the kubernetes backend. */
export async function makeProvider(k: KubernetesConfig): Promise<ClusterProvider> {
  switch (k.provider) {
    case 'local': return new (await import('./kubernetes/providers/local-provider.ts')).LocalProvider();
    case 'kind': return new (await import('./kubernetes/providers/kind-provider.ts')).KindProvider({ clusterName: k.kind.clusterName, nodeImage: k.kind.nodeImage, workers: k.kind.workers });
    case 'kubeconfig': return new (await import('./kubernetes/providers/kubeconfig-provider.ts')).KubeconfigProvider({
      file: k.kubeconfig.file ?? process.env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), '.kube', 'config'),
      context: k.kubeconfig.context, registry: k.kubeconfig.registry!, storageClass: k.kubeconfig.storageClass, hostPathVolumes: k.kubeconfig.hostPathVolumes,
    });
  }
}

/** The kubernetes backend on the configured cluster. */
export async function makeKubernetesBackend(k: KubernetesConfig): Promise<KubernetesBackend> {
  const { KubernetesBackend } = await import('./kubernetes/kubernetes-backend.ts');
  return new KubernetesBackend(await makeProvider(k));
}

/**
 * The backends a run's cells use, and only those: each is loaded when asked for (the Kubernetes
 * client is ~0.4 s of CPU to load, testcontainers ~0.3 s), so a Docker run never loads the
 * Kubernetes client, and a command that deploys nothing loads neither.
 */
export async function makeBackends(k: KubernetesConfig, names: Iterable<string>, docker: { egress?: 'closed' | 'open' } = {}): Promise<Map<string, Backend>> {
  const backends = new Map<string, Backend>();
  for (const name of new Set(names)) {
    switch (name) {
      case 'docker': backends.set(name, new (await import('./docker/docker-backend.ts')).DockerBackend(docker)); break;
      case 'kubernetes': backends.set(name, await makeKubernetesBackend(k)); break;
      default: throw new UsageError(`backend "${name}" is unknown: available are ${BACKEND_NAMES.join(', ')}`);
    }
  }
  return backends;
}
