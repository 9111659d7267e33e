import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { InfraError, errorMessage } from '../../../errors.ts';
import type { VolumeMode } from '../manifests.ts';
import { once, type ClusterProvider } from './provider.ts';
import { holdKindCluster, releaseKindCluster } from './kind-holders.ts';

export interface KindOptions {
  readonly clusterName: string;
  /** The node image (`kindest/node:v1.xx`); kind's default when absent. */
  readonly nodeImage?: string | undefined;
  readonly workers: number;
  /** The kind binary (tests point it at a recorder). */
  readonly binary?: string;
  /** Where the record of who holds which cluster lives (tests); default: the machine's temp folder. */
  readonly stateRoot?: string;
}

/** The cluster config kind is given: one control plane and `workers` workers, nothing else. */
export function kindClusterConfig(options: KindOptions): string {
  const nodes = ['- role: control-plane', ...Array.from({ length: options.workers }, () => '- role: worker')];
  return ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'nodes:', ...nodes, ''].join('\n');
}

/**
 * A kind cluster through the kind CLI (execa): created with `kind create cluster --config` when it
 * does not exist, images put on its nodes with `kind load docker-image`, node logs exported on a
 * red cell. Runs on one machine share a cluster by name: each holds it while it runs, and the last
 * to let go deletes it, only if gategrid made it and no run kept it (kind-holders.ts). Checked by
 * contract in the tests (the exact commands and config): kind cannot be installed where gategrid
 * is developed.
 */
export class KindProvider implements ClusterProvider {
  readonly name = 'kind';
  readonly volumes: VolumeMode = { kind: 'pvc', storageClass: 'standard', size: '1Gi' };
  readonly #options: KindOptions;
  #held = false;

  constructor(options: KindOptions) {
    this.#options = options;
  }

  async #kind(args: readonly string[], timeoutMs = 10 * 60_000): Promise<string> {
    const bin = this.#options.binary ?? 'kind';
    try {
      const r = await execa(bin, args, { timeout: timeoutMs, reject: false });
      if (r.failed && r.exitCode === undefined) throw new Error(r.message);
      if (r.exitCode !== 0) throw new InfraError(`kind ${args.slice(0, 2).join(' ')} failed (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      return String(r.stdout);
    } catch (cause) {
      if (cause instanceof InfraError) throw cause;
      throw new InfraError(`the kind CLI could not run (${bin}): install kind, or choose another provider (kubernetes.provider in gategrid.config.yaml)`, { cause });
    }
  }

  async connect(): Promise<KubeConfig> {
    const name = this.#options.clusterName;
    const exists = async () => (await this.#kind(['get', 'clusters'], 60_000)).split('\n').map((s) => s.trim()).includes(name);
    const create = async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'gategrid-kind-'));
      try {
        const config = path.join(dir, 'kind.yaml');
        await writeFile(config, kindClusterConfig(this.#options));
        await this.#kind(['create', 'cluster', '--name', name, '--config', config, '--wait', '180s',
          ...(this.#options.nodeImage ? ['--image', this.#options.nodeImage] : [])]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    await holdKindCluster(name, exists, create, this.#options.stateRoot);
    this.#held = true;
    const kc = new KubeConfig();
    try {
      kc.loadFromString(await this.#kind(['get', 'kubeconfig', '--name', name], 60_000));
    } catch (cause) {
      throw new InfraError(`kind get kubeconfig --name ${name} gave no usable kubeconfig: ${errorMessage(cause)}`, { cause });
    }
    return kc;
  }

  readonly #load = once(async (tag: string) => {
    await this.#kind(['load', 'docker-image', tag, '--name', this.#options.clusterName]);
    return { ref: tag, pullPolicy: 'Never' as const };
  });

  image(tag: string): Promise<{ ref: string; pullPolicy: 'Never' }> {
    return this.#load(tag);
  }

  async collect(dir: string): Promise<void> {
    await this.#kind(['export', 'logs', dir, '--name', this.#options.clusterName], 5 * 60_000);
  }

  /** Lets go of the cluster; the last run to let go of one gategrid made deletes it. Returns why it stays, if it does. */
  async close(keep: boolean): Promise<string | undefined> {
    if (!this.#held) return undefined;
    this.#held = false;
    const name = this.#options.clusterName;
    const stays = await releaseKindCluster(name, keep, async () => { await this.#kind(['delete', 'cluster', '--name', name], 5 * 60_000); }, this.#options.stateRoot);
    return stays === undefined ? undefined : `kind cluster ${name} stays: ${stays}`;
  }
}
