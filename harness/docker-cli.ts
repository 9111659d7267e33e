import type { getContainerRuntimeClient } from 'testcontainers';
import { execa, type Options } from 'execa';
import { InfraError, UsageError } from './errors.ts';

/**
 * The docker CLI, wrapped: image builds, imports, labelled networks and volumes, listings by label.
 * Containers are started through testcontainers (backends/docker); everything else that needs the
 * engine goes through here, so there is one place that knows the CLI's arguments.
 */
export interface DockerResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function docker(args: readonly string[], options: Options & { allowFailure?: boolean } = {}): Promise<DockerResult> {
  const { allowFailure, ...rest } = options;
  try {
    const result = await execa('docker', args, { reject: false, timeout: 10 * 60_000, ...rest, env: { DOCKER_BUILDKIT: '0', ...rest.env } });
    const out = { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
    if (out.exitCode !== 0 && !allowFailure) {
      throw new InfraError(`docker ${args.slice(0, 3).join(' ')} failed (exit ${out.exitCode}): ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`, { details: { args } });
    }
    return out;
  } catch (cause) {
    if (cause instanceof InfraError) throw cause;
    throw new InfraError(`docker ${args.slice(0, 3).join(' ')} could not run: is the Docker engine up? (npm run setup)`, { cause });
  }
}

/** A Docker engine answers, or the command stops here with the fix. */
export async function requireEngine(): Promise<void> {
  await docker(['info', '--format', '{{.ServerVersion}}']).catch((cause: unknown) => {
    throw new UsageError('no Docker engine answers: run `npm run setup` first (it installs and starts one on Debian)', { cause });
  });
}

/**
 * The id of a local image, or undefined when the engine has none of that name. Asked over the
 * engine's socket (testcontainers' client, as the backend's), not with a `docker image inspect`
 * process: a run asks it for every recipe of every cell, and each CLI process is ~40 ms of CPU.
 */
export async function imageId(ref: string): Promise<string | undefined> {
  let client: Awaited<ReturnType<typeof getContainerRuntimeClient>>;
  try {
    // testcontainers (~0.3 s of CPU to load) only when an image is looked up, not for every command.
    client = await (await import('testcontainers')).getContainerRuntimeClient();
  } catch (cause) {
    throw new InfraError(`the Docker engine did not answer (looking up image ${ref}): is it up? (npm run setup)`, { cause });
  }
  try {
    return (await client.container.dockerode.getImage(ref).inspect()).Id;
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw new InfraError(`looking up image ${ref} failed: ${(cause as Error).message}`, { cause });
  }
}

/** An image's own user (its Dockerfile's USER: `42425:42425`, `nova`), '' for root by default; undefined when the engine has no such image. */
export async function imageUser(ref: string): Promise<string | undefined> {
  const client = await (await import('testcontainers')).getContainerRuntimeClient();
  try {
    return (await client.container.dockerode.getImage(ref).inspect()).Config?.User ?? '';
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw new InfraError(`looking up image ${ref} failed: ${(cause as Error).message}`, { cause });
  }
}

export type ResourceKind = 'container' | 'network' | 'volume';

/** IDs of every resource of a kind carrying all the labels (`key` or `key=value`). */
export async function listByLabel(kind: ResourceKind, labels: readonly string[]): Promise<string[]> {
  const filters = labels.flatMap((l) => ['--filter', `label=${l}`]);
  const args = kind === 'container' ? ['ps', '-a', ...filters, '--format', `{{.ID}}|{{.Label "${KUBELET_POD}"}}`] : [kind, 'ls', '-q', ...filters];
  const r = await docker(args);
  return ownLines(kind, r.stdout);
}

/**
 * A pod's containers on a Docker-run kubelet (the local cluster) carry the pod's labels, gategrid's
 * among them: they are the Kubernetes backend's (its namespaces), and kubelet removes them with
 * their pods, so Docker-side listings leave them out.
 */
const KUBELET_POD = 'io.kubernetes.pod.uid';

/** The values of `docker ps --format '<value>|{{.Label KUBELET_POD}}'` (or of `docker <kind> ls`), kubelet's containers left out. */
export function ownLines(kind: ResourceKind, stdout: string): string[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const own = kind === 'container' ? lines.flatMap((l) => { const [value = '', pod = ''] = l.split('|'); return pod.trim() === '' ? [value] : []; }) : lines;
  return own.map((v) => v.trim()).filter(Boolean);
}

/** Reads a label of a kind of resource (containers, networks, volumes): used to find the runs that left something behind. */
export async function labelValues(kind: ResourceKind, filterLabels: string | readonly string[], label: string): Promise<string[]> {
  const args = kind === 'container' ? ['ps', '-a'] : [kind, 'ls'];
  const format = kind === 'container' ? `{{.Label "${label}"}}|{{.Label "${KUBELET_POD}"}}` : `{{.Label "${label}"}}`;
  const filters = (typeof filterLabels === 'string' ? [filterLabels] : filterLabels).flatMap((l) => ['--filter', `label=${l}`]);
  const r = await docker([...args, ...filters, '--format', format], { allowFailure: true });
  if (r.exitCode !== 0) throw new InfraError(`docker ${args.join(' ')} could not read label ${label}: ${r.stderr.trim()}`);
  return [...new Set(ownLines(kind, r.stdout))];
}

/** Whether a Docker network of that name (or id) exists. */
export async function networkExists(name: string): Promise<boolean> {
  return (await docker(['network', 'inspect', '--format', '{{.Id}}', name], { allowFailure: true })).exitCode === 0;
}
