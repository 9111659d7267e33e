import type { KubeConfig } from '@kubernetes/client-node';
import { docker } from '../../../docker-cli.ts';
import { withFileLock } from '../../../util/file-lock.ts';
import { loadKubeConfig } from '../kube-api.ts';
import type { VolumeMode } from '../manifests.ts';
import { once, type ClusterProvider } from './provider.ts';

export interface KubeconfigOptions {
  readonly file: string;
  readonly context?: string | undefined;
  /** Where images are pushed for the cluster to pull (`127.0.0.1:5000`, `registry.example.org/ci`). */
  readonly registry: string;
  readonly storageClass?: string | undefined;
  /** Volumes as hostPath folders under this node path instead of claims (single-node clusters without a provisioner). */
  readonly hostPathVolumes?: string | undefined;
  /** Where the push lock lives (tests); default: the machine's gategrid lock folder. */
  readonly lockRoot?: string | undefined;
}

/**
 * Any existing cluster: gategrid creates and deletes only its own labelled namespaces there, and
 * pushes the images it built to the registry the user names, tagged by their content hash.
 */
export class KubeconfigProvider implements ClusterProvider {
  readonly name = 'kubeconfig';
  readonly volumes: VolumeMode;
  readonly #options: KubeconfigOptions;

  constructor(options: KubeconfigOptions) {
    this.#options = options;
    this.volumes = options.hostPathVolumes
      ? { kind: 'hostPath', root: options.hostPathVolumes }
      : { kind: 'pvc', size: '1Gi', ...(options.storageClass ? { storageClass: options.storageClass } : {}) };
  }

  async connect(): Promise<KubeConfig> {
    return loadKubeConfig(this.#options.file, this.#options.context);
  }

  // The registry's name is a local tag only for the push: it is removed after it (every run would
  // otherwise leave one more name per image and registry in `docker images`). Another gategrid
  // process pushing the same image to the same registry waits for the lock, so that one never
  // removes the tag the other is pushing.
  readonly #push = once(async (tag: string) => {
    const ref = registryRef(this.#options.registry, tag);
    await withFileLock(`push-${ref}`, 25 * 60_000, async () => {
      await docker(['tag', tag, ref]);
      const pushError = await docker(['push', ref], { timeout: 20 * 60_000 }).then(() => undefined, (error: unknown) => error);
      // After a failed push, the push's error is the one to tell (a failing untag too is secondary).
      await docker(['rmi', '--no-prune', ref], { allowFailure: pushError !== undefined });
      if (pushError !== undefined) throw pushError;
    }, this.#options.lockRoot);
    return { ref, pullPolicy: 'IfNotPresent' as const };
  });

  image(tag: string): Promise<{ ref: string; pullPolicy: 'IfNotPresent' }> {
    return this.#push(tag);
  }

  async collect(): Promise<void> {}

  async close(): Promise<undefined> {
    return undefined;
  }
}

/** `gategrid/keystone:abc123` pushed to `127.0.0.1:5000` is `127.0.0.1:5000/gategrid/keystone:abc123`. */
export function registryRef(registry: string, tag: string): string {
  return `${registry.replace(/\/+$/, '')}/${tag.replace(/^[^/]+\.[^/]+\//, '')}`;
}
