import type { KubeConfig } from '@kubernetes/client-node';
import type { KUBE_PROVIDERS } from '../../../config/schemas.ts';
import type { VolumeMode } from '../manifests.ts';

/**
 * Where a Kubernetes cell's cluster comes from (after kind's provider interface: small, one screen).
 * - `local`: the single-node cluster `npm run cluster -- up` runs on this host's Docker engine;
 * - `kind`: a kind cluster, created by the kind CLI when it does not exist;
 * - `kubeconfig`: any existing cluster, images pushed to a registry the user names.
 */
export interface ClusterProvider {
  readonly name: (typeof KUBE_PROVIDERS)[number];
  /** Makes sure the cluster exists; returns how to reach it. */
  connect(): Promise<KubeConfig>;
  /** Makes a locally built image available to the cluster's nodes; returns the reference pods use. */
  image(tag: string): Promise<{ ref: string; pullPolicy: 'Never' | 'IfNotPresent' }>;
  readonly volumes: VolumeMode;
  /** Anything the provider can add to a red cell's artifacts (kind's node logs). */
  collect(dir: string): Promise<void>;
  /** At the end of the run: undo what connect made (a kind cluster it created), unless kept; returns what it left up and why. */
  close(keep: boolean): Promise<string | undefined>;
}

/** Memoises a per-image step (a load, a push): each image once per run, however many cells use it. */
export function once<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const done = new Map<string, Promise<T>>();
  return (key) => {
    let p = done.get(key);
    if (!p) {
      p = make(key);
      done.set(key, p);
      p.catch(() => done.delete(key));
    }
    return p;
  };
}
