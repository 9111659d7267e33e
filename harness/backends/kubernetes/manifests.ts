import { ANNOTATION_HEARTBEAT } from '../../labels.ts';
import path from 'node:path';
import type { V1Container, V1Job, V1Namespace, V1PodSpec, V1Secret, V1Service, V1Volume, V1VolumeMount, V1Deployment, V1StatefulSet, V1PersistentVolumeClaim, V1SecurityContext } from '@kubernetes/client-node';
import type { ContainerSpec, JobSpec } from '../backend.ts';

/**
 * The Kubernetes objects of one cell, as pure data: a namespace, and per container spec a Secret
 * (its rendered configs and environment: they hold passwords), a Service (a stable ClusterIP under
 * the logical name), a Deployment (a StatefulSet where a volume holds state) or a Job. Only
 * apps/v1, batch/v1 and v1 fields that Kubernetes 1.20 and current clusters both accept.
 */

/** The label that finds a service's pods, and the name of every container gategrid runs. */
export const NAME_LABEL = 'io.gategrid.name';
/** A workload's published ports, `container:host` comma-separated. */
export const PUBLISHED_ANNOTATION = 'io.gategrid.published';

export function publishedPorts(ports: readonly { readonly container: number; readonly host: number }[]): string {
  return ports.map((p) => `${p.container}:${p.host}`).join(',');
}

/** The pairs back from the annotation; anything malformed is left out. */
export function parsePublished(text: string | undefined): { container: number; host: number }[] {
  return (text ?? '').split(',').flatMap((pair) => {
    const m = /^(\d{1,5}):(\d{1,5})$/.exec(pair.trim());
    return m ? [{ container: Number(m[1]), host: Number(m[2]) }] : [];
  });
}
export const MAIN = 'main';
const KEEPER = 'outputs';
const VOLUME_INIT = 'volume-init';

export type VolumeMode =
  | { readonly kind: 'hostPath'; readonly root: string }
  | { readonly kind: 'pvc'; readonly storageClass?: string; readonly size: string };

export interface ObjectContext {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The image reference pods use (a local tag, or a registry's copy) and how it is pulled. */
  readonly image: { readonly ref: string; readonly pullPolicy: 'Never' | 'IfNotPresent' };
  /** Name → ClusterIP of every Service of the cell so far: /etc/hosts entries, for clusters without DNS. */
  readonly hosts: ReadonlyMap<string, string>;
  readonly volumes: VolumeMode;
  /** The image's own user (its USER), when known: a non-zero uid makes its pods enforce non-root. */
  readonly imageUser?: string | undefined;
}

/** Label values allow [A-Za-z0-9._-], 63 characters, alphanumeric at both ends. */
export function labelValue(text: string): string {
  const v = text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v === '' ? 'x' : v;
}

/** gategrid's labels made valid for Kubernetes; the exact values stay in annotations. */
export function kubeLabels(labels: Readonly<Record<string, string>>): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, labelValue(v)])),
    annotations: { ...labels },
  };
}

/** A DNS-1123 label: the namespace of a cell of a run. */
export function namespaceName(runId: string, cellId: string): string {
  const cell = cellId.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `gg-${runId.slice(-8).toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${cell}`.slice(0, 63).replace(/-+$/, '');
}

/** A cell's namespace: its labels, and its first heartbeat (renewed while its run lives). */
export function namespaceManifest(name: string, labels: Readonly<Record<string, string>>, now = new Date()): V1Namespace {
  const meta = kubeLabels(labels);
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: meta.labels, annotations: { ...meta.annotations, [ANNOTATION_HEARTBEAT]: now.toISOString() } } };
}

function meta(name: string, ctx: ObjectContext, extra: Record<string, string> = {}) {
  const { labels, annotations } = kubeLabels(ctx.labels);
  return { name, namespace: ctx.namespace, labels: { ...labels, [NAME_LABEL]: name, ...extra }, annotations };
}

/** Secret keys: `file-N` for the N-th config file, `env-NAME` for an environment variable. */
export function secretManifest(spec: ContainerSpec, ctx: ObjectContext): V1Secret {
  const data: Record<string, string> = {};
  spec.files.forEach((f, i) => { data[`file-${i}`] = f.content; });
  for (const [k, v] of Object.entries(spec.env)) data[`env-${k}`] = v;
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(`${spec.name}-config`, ctx), type: 'Opaque', stringData: data };
}

/** A ClusterIP Service for every port the service listens on; Services are made before pods. */
export function serviceManifest(name: string, ports: readonly number[], ctx: ObjectContext): V1Service | undefined {
  if (ports.length === 0) return undefined;
  return {
    apiVersion: 'v1', kind: 'Service', metadata: meta(name, ctx),
    spec: {
      type: 'ClusterIP',
      selector: { [NAME_LABEL]: name },
      // Traffic goes to a pod as soon as it runs: gategrid itself waits for readiness before any dependant starts.
      publishNotReadyAddresses: true,
      ports: ports.map((p) => ({ name: `p${p}`, port: p, targetPort: p, protocol: 'TCP' })),
    },
  };
}

/** A volume's claim (pvc mode): one per named volume of the cell, shared by the pods that mount it. */
export function claimManifest(volume: string, ctx: ObjectContext): V1PersistentVolumeClaim | undefined {
  if (ctx.volumes.kind !== 'pvc') return undefined;
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(`vol-${volume}`, ctx),
    spec: {
      accessModes: ['ReadWriteOnce'], resources: { requests: { storage: ctx.volumes.size } },
      ...(ctx.volumes.storageClass ? { storageClassName: ctx.volumes.storageClass } : {}),
    },
  };
}

/** Where a hostPath volume lives on the node. */
export function hostPathOf(ctx: ObjectContext, volume: string): string | undefined {
  return ctx.volumes.kind === 'hostPath' ? path.join(ctx.volumes.root, ctx.namespace, volume) : undefined;
}

function podSpec(spec: ContainerSpec, ctx: ObjectContext, restartPolicy: 'Always' | 'Never', outputs?: JobSpec['outputs'], deadlineSeconds?: number): V1PodSpec {
  // A pod's containers share its network namespace, but separate workloads' pods never do: two
  // services in one namespace would be one pod of two containers, which this backend does not make.
  if (spec.networkOf) throw new TypeError(`${spec.name}: its recipe joins the network namespace of ${spec.networkOf}, which this backend gives no pod of another workload: mark the recipe unsupported on kubernetes with that reason`);
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  if (spec.files.length > 0 || Object.keys(spec.env).length > 0) {
    volumes.push({ name: 'config', secret: { secretName: `${spec.name}-config`, defaultMode: 0o644 } });
  }
  spec.files.forEach((f, i) => {
    // One file per mount (subPath), beside whatever the image has in that folder, with the spec's mode.
    mounts.push({ name: 'config', mountPath: f.target, subPath: `file-${i}`, readOnly: true });
  });
  if (spec.files.length > 0) {
    volumes[0]!.secret!.items = spec.files.map((f, i) => ({ key: `file-${i}`, path: `file-${i}`, mode: f.mode }));
  }
  for (const v of spec.volumes) {
    const host = hostPathOf(ctx, v.name);
    volumes.push(host
      ? { name: `vol-${v.name}`, hostPath: { path: host, type: 'DirectoryOrCreate' } }
      : { name: `vol-${v.name}`, persistentVolumeClaim: { claimName: `vol-${v.name}` } });
    mounts.push({ name: `vol-${v.name}`, mountPath: v.target });
  }
  const env = Object.keys(spec.env).map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: `${spec.name}-config`, key: `env-${k}` } } }));
  const main: V1Container = {
    name: MAIN, image: ctx.image.ref, imagePullPolicy: ctx.image.pullPolicy,
    // Docker's CMD: `args` keeps the image's entrypoint, as `docker run IMAGE ARGS...` does.
    ...(spec.command ? { args: [...spec.command] } : {}),
    env, volumeMounts: mounts,
    ...securityContext(spec, ctx),
    ...(spec.memoryLimitMiB ? { resources: { limits: { memory: `${spec.memoryLimitMiB}Mi` } } } : {}),
    ports: spec.ports.map((p) => ({ containerPort: p.container, protocol: 'TCP' })),
  };
  const containers: V1Container[] = [main];
  if (outputs) {
    // The job's outputs in a folder shared with a container that outlives it, so they can be read
    // once the job has ended, on any cluster (an ended container's filesystem cannot be read).
    volumes.push({ name: 'outputs', emptyDir: {} });
    main.volumeMounts = [...mounts, { name: 'outputs', mountPath: outputs.dir }];
    containers.push({
      name: KEEPER, image: ctx.image.ref, imagePullPolicy: ctx.image.pullPolicy,
      command: ['sleep', String(deadlineSeconds ?? 3600)], volumeMounts: [{ name: 'outputs', mountPath: outputs.dir }],
    });
  }
  const initContainers: V1Container[] = [];
  if (spec.volumes.length > 0) {
    // Docker fills a new named volume with the image's content at that path, owner and mode
    // included; a hostPath or a claim starts empty and root-owned. Do as Docker does, once.
    const script = spec.volumes.map((v, i) => {
      const dst = `/gategrid-volumes/${i}`;
      const src = v.target;
      return `if [ -d '${src}' ] && [ -z "$(ls -A '${dst}')" ]; then cp -a '${src}/.' '${dst}/'; chown --reference='${src}' '${dst}'; chmod --reference='${src}' '${dst}'; fi`;
    }).join('\n');
    initContainers.push({
      name: VOLUME_INIT, image: ctx.image.ref, imagePullPolicy: ctx.image.pullPolicy,
      command: ['sh', '-ec', script], securityContext: { runAsUser: 0 },
      volumeMounts: spec.volumes.map((v, i) => ({ name: `vol-${v.name}`, mountPath: `/gategrid-volumes/${i}` })),
    });
  }
  return {
    restartPolicy,
    hostname: spec.name,
    // No cluster DNS is assumed: the cell's Services under the names the recipes use.
    hostAliases: [...ctx.hosts].map(([name, ip]) => ({ ip, hostnames: [name] })),
    // A resolver that answers only the cell's names (the network rule): those are in /etc/hosts;
    // any other name asks a nameserver that is not there (the pod's own loopback: refused at
    // once), never the cluster's or the node's resolver.
    dnsPolicy: 'None',
    dnsConfig: { nameservers: ['127.0.0.1'], searches: [], options: [{ name: 'attempts', value: '1' }, { name: 'timeout', value: '1' }] },
    // Service links would put KEYSTONE_PORT=tcp://... and the like into every environment.
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 10,
    ...(deadlineSeconds ? { activeDeadlineSeconds: deadlineSeconds } : {}),
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    volumes,
  };
}

/** A long-running service's workload: a StatefulSet when a volume holds its state, else a Deployment. */
export function workloadKind(spec: ContainerSpec): 'StatefulSet' | 'Deployment' {
  return spec.volumes.length > 0 ? 'StatefulSet' : 'Deployment';
}

/** A long-running service: its workload (see workloadKind), one replica. */
export function workloadManifest(spec: ContainerSpec, ctx: ObjectContext): V1Deployment | V1StatefulSet {
  const base = meta(spec.name, ctx);
  // Its published ports, container:host, so that `gategrid forward` re-opens them for a kept cell.
  const m = spec.ports.length === 0 ? base : { ...base, annotations: { ...base.annotations, [PUBLISHED_ANNOTATION]: publishedPorts(spec.ports) } };
  const template = { metadata: { labels: m.labels, annotations: m.annotations }, spec: podSpec(spec, ctx, 'Always') };
  const selector = { matchLabels: { [NAME_LABEL]: spec.name } };
  if (workloadKind(spec) === 'StatefulSet') {
    return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: m, spec: { replicas: 1, serviceName: spec.name, selector, template, podManagementPolicy: 'Parallel' } };
  }
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: m, spec: { replicas: 1, selector, template, strategy: { type: 'Recreate' } } };
}

/** A one-shot container: a Job that never retries (a failed job is a verdict, not noise to retry). */
export function jobManifest(spec: JobSpec, ctx: ObjectContext): V1Job {
  const m = meta(spec.name, ctx);
  const deadline = Math.ceil(spec.timeoutMs / 1000);
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: m,
    spec: {
      backoffLimit: 0, activeDeadlineSeconds: deadline,
      template: { metadata: { labels: m.labels, annotations: m.annotations }, spec: podSpec(spec, ctx, 'Never', spec.outputs, deadline) },
    },
  };
}

/**
 * The main container's securityContext: what its recipe declares (a user, capabilities, profiles);
 * with nothing declared and an image whose own user is a non-zero uid (the shipped OpenStack images
 * run as Kolla's fixed uids), non-root enforced by the kubelet and no privilege escalation (no
 * setuid binary gains anything). A root image with nothing declared gets the runtime's defaults.
 */
function securityContext(spec: ContainerSpec, ctx: ObjectContext): { securityContext?: V1SecurityContext } {
  if (spec.user || spec.privileges) return { securityContext: { ...(spec.user ? numericUser(spec.user, spec.name) : {}), ...podPrivileges(spec) } };
  const uid = /^(\d+)(?::\d+)?$/.exec(ctx.imageUser ?? '')?.[1];
  return uid !== undefined && Number(uid) !== 0 ? { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } } : {};
}

/**
 * A recipe's declared capabilities and profiles as a container's securityContext. A host device is
 * not given: a pod gets one only when privileged (which dockershim turns into Docker's
 * --privileged, refused on these hosts) or through a device plugin, which no cluster here runs.
 */
function podPrivileges(spec: ContainerSpec): { capabilities?: { add: string[] }; seccompProfile?: { type: 'Unconfined' } } {
  const p = spec.privileges;
  if (!p) return {};
  if (p.devices.length > 0) throw new TypeError(`${spec.name}: its recipe needs host devices (${p.devices.join(', ')}), which this backend gives no pod (only privileged pods or a device plugin get one): mark the recipe unsupported on kubernetes with that reason`);
  return {
    ...(p.capabilities.length > 0 ? { capabilities: { add: [...p.capabilities] } } : {}),
    ...(p.seccomp === 'unconfined' ? { seccompProfile: { type: 'Unconfined' as const } } : {}),
  };
}

/** Kubernetes runs as a numeric user only; a name (fine for Docker) is refused with the fix. */
function numericUser(user: string, name: string): { runAsUser: number; runAsGroup?: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) throw new TypeError(`${name}: user "${user}" must be numeric (UID or UID:GID) on Kubernetes; set it with USER in the image instead`);
  return { runAsUser: Number(m[1]), ...(m[2] ? { runAsGroup: Number(m[2]) } : {}) };
}
