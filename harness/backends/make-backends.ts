import os from 'node:os';
import path from 'node:path';
import type { KubernetesConfig } from '../config/schemas.ts';
import type { Backend } from './backend.ts';
import { DockerBackend } from './docker/docker-backend.ts';
import { KubernetesBackend } from './kubernetes/kubernetes-backend.ts';
import { KindProvider } from './kubernetes/providers/kind-provider.ts';
import { KubeconfigProvider } from './kubernetes/providers/kubeconfig-provider.ts';
import { LocalProvider } from './kubernetes/providers/local-provider.ts';
import type { ClusterProvider } from './kubernetes/providers/provider.ts';

export const BACKEND_NAMES = ['docker', 'kubernetes'] as const;

/** The cluster provider the config (and the CLI's overrides) chose for the kubernetes backend. */
export function makeProvider(k: KubernetesConfig): ClusterProvider {
  switch (k.provider) {
    case 'local': return new LocalProvider();
    case 'kind': return new KindProvider({ clusterName: k.kind.clusterName, nodeImage: k.kind.nodeImage, workers: k.kind.workers });
    case 'kubeconfig': return new KubeconfigProvider({
      file: k.kubeconfig.file ?? process.env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), '.kube', 'config'),
      context: k.kubeconfig.context, registry: k.kubeconfig.registry!, storageClass: k.kubeconfig.storageClass, hostPathVolumes: k.kubeconfig.hostPathVolumes,
    });
  }
}

export function makeBackends(k: KubernetesConfig): Map<string, Backend> {
  return new Map<string, Backend>([['docker', new DockerBackend()], ['kubernetes', new KubernetesBackend(makeProvider(k))]]);
}
