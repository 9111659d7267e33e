import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ANNOTATION_HEARTBEAT, HEARTBEAT_MS } from '../../labels.ts';
import { poll } from '../../util/poll.ts';
import { admissionRefusal } from './admission-refusal.ts';
import type { WriteStream } from 'node:fs';
import { openLogFile } from '../../util/log-file.ts';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Exec, Log, type V1Deployment, type V1Pod, type V1StatefulSet, type V1Status } from '@kubernetes/client-node';
import { DeploymentError, InfraError, errorMessage } from '../../errors.ts';
import { imageUser } from '../../docker-cli.ts';
import { httpStatus } from '../../util/http-status.ts';
import { redactTree } from '../../util/redact-tree.ts';
import { shellJoin } from '../../util/shell.ts';
import { listeningPorts, type ContainerSpec, type ContainerState, type Environment, type EnvironmentSpec, type ExecResult, type JobSpec, type ReadyProbe, type ServiceAddress, type ServiceSpec } from '../backend.ts';
import { apiMessage, isNotFound, statusCode, type KubeApi } from './kube-api.ts';
import { MAIN, NAME_LABEL, claimManifest, hostPathOf, jobManifest, secretManifest, serviceManifest, workloadKind, workloadManifest, type ObjectContext } from './manifests.ts';
import { PortForwarder } from './port-forwarder.ts';
import type { ClusterProvider } from './providers/provider.ts';

const POLL_MS = 500;
/** How long a pod may take to have its main container running (scheduling, volumes, the container's creation), at least. */
const START_MS = 120_000;
/** Waiting reasons that no amount of waiting fixes: the harness's images or objects are wrong. */
const HOPELESS = new Set(['ErrImageNeverPull', 'InvalidImageName', 'ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError']);

interface Started {
  readonly spec: ContainerSpec;
  readonly ready?: ReadyProbe;
  /** The pod that passed readiness: another one in its place means it was replaced. */
  podUid?: string;
  forwarders: PortForwarder[];
}

/**
 * One cell on Kubernetes: a namespace holding a Secret, a Service and a Deployment (StatefulSet with
 * volumes) per service and a Job per one-shot container. Published ports are port-forwards on
 * 127.0.0.1; containers reach each other through Services whose ClusterIPs are in every pod's
 * /etc/hosts (hostAliases), so no cluster DNS is needed.
 */
export class KubernetesEnvironment implements Environment {
  readonly backend = 'kubernetes';
  readonly #api: KubeApi;
  readonly #provider: ClusterProvider;
  readonly #spec: EnvironmentSpec;
  readonly namespace: string;
  readonly #hosts = new Map<string, string>();
  readonly #started = new Map<string, Started>();
  readonly #order: string[] = [];
  readonly #claims = new Map<string, Promise<void>>();
  readonly #logs = new Map<string, WriteStream>();
  readonly #following = new Map<string, Promise<void>>();
  readonly #aborts: AbortController[] = [];
  readonly #heartbeat: NodeJS.Timeout;
  /** Why the last heartbeat failed, for the diagnostics (the next beat tries again). */
  #heartbeatFailure: string | undefined;

  constructor(api: KubeApi, provider: ClusterProvider, spec: EnvironmentSpec, namespace: string) {
    this.#api = api;
    this.#provider = provider;
    this.#spec = spec;
    this.namespace = namespace;
    // While this process lives, its namespace says so (labels.ts: prune spares a fresh heartbeat from any host).
    this.#heartbeat = setInterval(() => {
      this.heartbeat().then(() => { this.#heartbeatFailure = undefined; }, (cause: unknown) => { this.#heartbeatFailure = `${new Date().toISOString()} ${apiMessage(cause)}`; });
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Renews the namespace's heartbeat now (the timer does it every HEARTBEAT_MS, keeping a failure for the diagnostics). */
  async heartbeat(): Promise<void> {
    const body = { metadata: { annotations: { [ANNOTATION_HEARTBEAT]: new Date().toISOString() } } };
    await this.#api.core.patchNamespace({ name: this.namespace, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }

  logFile(name: string): string {
    return path.join(this.#spec.logDir, `${name}.log`);
  }

  containers(): readonly string[] {
    return [...this.#order];
  }

  /** Every Service up front: a pod's /etc/hosts is written when it is made, and names only those that exist then. */
  async reserve(addresses: readonly ServiceAddress[]): Promise<void> {
    await Promise.all(addresses.map((a) => this.#service(a.name, a.listens)));
  }

  async startService(spec: ServiceSpec): Promise<void> {
    const ctx = await this.#prepare(spec);
    const workload = workloadManifest(spec, ctx);
    await this.#create<unknown>(spec.name, () => workload.kind === 'StatefulSet'
      ? this.#api.apps.createNamespacedStatefulSet({ namespace: this.namespace, body: workload as V1StatefulSet })
      : this.#api.apps.createNamespacedDeployment({ namespace: this.namespace, body: workload as V1Deployment }));
    const started: Started = { spec, ready: spec.ready, forwarders: [] };
    this.#started.set(spec.name, started);
    try {
      for (const p of spec.ports) {
        started.forwarders.push(await PortForwarder.listen(this.#api.kc, this.namespace, p.host, p.container, () => this.#runningPodName(spec.name)));
      }
    } catch (cause) {
      throw new InfraError(`${spec.name}: cannot listen on 127.0.0.1 for its published ports: ${errorMessage(cause)}`, { cause });
    }
    started.podUid = await this.#waitReady(spec);
  }

  async stopService(name: string, graceMs: number): Promise<void> {
    const started = this.#started.get(name);
    if (!started) throw new DeploymentError(`${name} could not be stopped: it is not running`);
    await Promise.all(started.forwarders.map((f) => f.close()));
    const opts = { name, namespace: this.namespace, gracePeriodSeconds: Math.ceil(graceMs / 1000), propagationPolicy: 'Foreground' };
    const kind = workloadKind(started.spec);
    try {
      if (kind === 'StatefulSet') await this.#api.apps.deleteNamespacedStatefulSet(opts);
      else await this.#api.apps.deleteNamespacedDeployment(opts);
    } catch (cause) {
      if (!isNotFound(cause)) throw new InfraError(`${name} could not be stopped: ${apiMessage(cause)}`, { cause });
    }
    // Gone when no pod of it is left and the workload object itself is deleted (a replacement of
    // the same name is refused while it is "being deleted"); its log file stays and a replacement appends to it.
    const read = () => (kind === 'StatefulSet'
      ? this.#api.apps.readNamespacedStatefulSet({ name, namespace: this.namespace })
      : this.#api.apps.readNamespacedDeployment({ name, namespace: this.namespace }));
    const gone = async (): Promise<boolean> => (await this.#pods(name)).length === 0 && (await read().then(() => false, (e: unknown) => isNotFound(e)));
    const stopped = await poll(async () => ((await gone()) ? { done: true } : { again: 'still there' }), { timeoutMs: graceMs + 60_000, intervalMs: POLL_MS });
    if (!stopped.ok) throw new DeploymentError(`${name} could not be stopped: its ${kind} or pod is still there ${Math.round((graceMs + 60_000) / 1000)} s later`);
    await this.#following.get(name);
    this.#started.delete(name);
  }

  async runJob(spec: JobSpec): Promise<ExecResult> {
    const ctx = await this.#prepare(spec);
    await this.#create(spec.name, () => this.#api.batch.createNamespacedJob({ namespace: this.namespace, body: jobManifest(spec, ctx) }));
    this.#started.set(spec.name, { spec, forwarders: [] });
    const finished = await poll<{ pod: V1Pod | undefined; exitCode: number }>(async (n) => {
      const pod = (await this.#pods(spec.name)).at(-1);
      if (!pod && n > 4) await this.#refusedBy(`job ${spec.name}`, spec.name);
      const main = pod?.status?.containerStatuses?.find((c) => c.name === MAIN);
      if (pod && main && (main.state?.running || main.state?.terminated)) this.#follow(spec.name, pod);
      const waiting = main?.state?.waiting?.reason ?? pod?.status?.initContainerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
      if (waiting && HOPELESS.has(waiting)) throw new InfraError(`job ${spec.name} cannot start: ${waiting}: ${main?.state?.waiting?.message ?? ''}`);
      if (main?.state?.terminated) return { done: { pod, exitCode: main.state.terminated.exitCode } };
      if (pod?.status?.phase === 'Failed' && !main?.state?.running) return { done: { pod, exitCode: -1 } };
      return { again: waiting ?? pod?.status?.phase ?? 'no pod yet' };
    }, { timeoutMs: spec.timeoutMs, intervalMs: POLL_MS });
    if (!finished.ok) throw new DeploymentError(`job ${spec.name} did not finish within ${spec.timeoutMs / 1000}s (last: ${finished.last}); log: ${this.logFile(spec.name)}`);
    const { pod, exitCode } = finished.value;
    await this.#following.get(spec.name);
    if (spec.outputs && pod?.metadata?.name) {
      await mkdir(spec.outputs.to, { recursive: true });
      for (const file of spec.outputs.files) {
        const r = await this.#execIn(pod.metadata.name, 'outputs', ['cat', path.posix.join(spec.outputs.dir, file)], 120_000, true);
        if (r.exitCode === 0) await writeFile(path.join(spec.outputs.to, file), r.raw);
      }
      // The keeper's only job is done.
      await this.#api.core.deleteNamespacedPod({ name: pod.metadata.name, namespace: this.namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
    }
    return { exitCode, output: '' };
  }

  async exec(name: string, command: readonly string[], timeoutMs: number, env: Readonly<Record<string, string>> = {}): Promise<ExecResult> {
    const pod = await this.#runningPodName(name);
    if (!pod) throw new DeploymentError(`cannot exec in ${name}: it is not running`);
    // An exec request has no environment: the values go on its standard input, read by a fixed
    // wrapper (exactly their byte count, so no end-of-input is needed), never in its URI or argv.
    const withEnv = envOverStdin(command, env);
    const r = await this.#execIn(pod, MAIN, withEnv.command, timeoutMs, false, withEnv.stdin);
    return { exitCode: r.exitCode, output: r.raw.toString('utf8') };
  }

  async probe(name: string): Promise<boolean> {
    const started = this.#started.get(name);
    if (!started?.ready) return false;
    return this.#probeOnce(started.spec, started.ready).catch(() => false);
  }

  async state(name: string): Promise<ContainerState> {
    const pods = await this.#pods(name).catch(() => []);
    const pod = pods.find((p) => p.status?.phase === 'Running') ?? pods.at(-1);
    if (!pod) return { status: 'missing', exitCode: undefined, restarts: 0 };
    const main = pod.status?.containerStatuses?.find((c) => c.name === MAIN);
    const restarts = main?.restartCount ?? 0;
    const started = this.#started.get(name);
    if (started?.podUid && pod.metadata?.uid !== started.podUid) {
      return { status: 'replaced (the pod that became ready is gone; another took its place)', exitCode: undefined, restarts: restarts + 1 };
    }
    const last = main?.lastState?.terminated;
    if (main?.state?.running) return { status: 'running', exitCode: undefined, restarts, ...(last ? { lastExit: describeExit(last) } : {}) };
    const ended = main?.state?.terminated;
    if (ended) return { status: ended.reason === 'OOMKilled' ? 'exited (OOM-killed)' : 'exited', exitCode: ended.exitCode, restarts, ...(ended.finishedAt ? { finishedAt: new Date(ended.finishedAt).toISOString() } : {}) };
    return { status: main?.state?.waiting?.reason ?? pod.status?.phase ?? 'unknown', exitCode: last?.exitCode, restarts };
  }

  async kill(name: string): Promise<void> {
    // A pod killed at once, as `docker kill` kills a container; its workload may start another.
    const pod = await this.#runningPodName(name);
    if (!pod) throw new InfraError(`cannot kill ${name}: no pod of it runs`);
    await this.#api.core.deleteNamespacedPod({ name: pod, namespace: this.namespace, gracePeriodSeconds: 0 });
  }

  async diagnose(dir: string, redact: (text: string) => string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const events = await this.#api.core.listNamespacedEvent({ namespace: this.namespace }).catch(() => undefined);
    const lines = (events?.items ?? [])
      .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')))
      .map((e) => `${String(e.lastTimestamp ?? e.eventTime ?? '')} ${e.type ?? ''} ${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''} ${e.reason ?? ''}: ${e.message ?? ''} (x${e.count ?? 1})`);
    // Events quote pod specs and commands: redacted like every file gategrid writes.
    if (this.#heartbeatFailure) lines.push(`gategrid: the namespace's last heartbeat failed: ${this.#heartbeatFailure}`);
    await writeFile(path.join(dir, 'kubernetes-events.log'), redact(`${lines.join('\n')}\n`), { mode: 0o600 });
    const collected = path.join(dir, `${this.#provider.name}-logs`);
    if (await this.#provider.collect(collected).then(() => true, () => false)) await redactTree(collected, redact);
  }

  async release(): Promise<void> {
    await this.#stopLocal();
  }

  async teardown(): Promise<void> {
    await this.#stopLocal();
    try {
      // The cell is over: its workloads first (so nothing starts new pods), its pods at once (no
      // grace period), then the namespace with the rest.
      const ns = { namespace: this.namespace, propagationPolicy: 'Orphan' };
      await Promise.all([
        this.#api.apps.deleteCollectionNamespacedDeployment(ns), this.#api.apps.deleteCollectionNamespacedStatefulSet(ns),
        this.#api.apps.deleteCollectionNamespacedReplicaSet(ns), this.#api.batch.deleteCollectionNamespacedJob(ns),
      ].map((p) => p.catch(() => undefined)));
      await this.#api.core.deleteCollectionNamespacedPod({ namespace: this.namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
      await this.#api.core.deleteNamespace({ name: this.namespace, propagationPolicy: 'Background' });
    } catch (cause) {
      if (!isNotFound(cause)) throw new InfraError(`namespace ${this.namespace} could not be deleted: ${apiMessage(cause)}`, { cause });
    }
    // Bounded: a namespace whose finalizers hang is reported, never waited on for ever.
    const deleted = await poll(() => this.#api.core.readNamespace({ name: this.namespace }).then(
      (ns) => ({ again: ns.status?.phase ?? 'present' }),
      (cause: unknown) => (isNotFound(cause) ? { done: true } : { again: apiMessage(cause) }),
    ), { timeoutMs: 180_000, intervalMs: 1000 });
    if (!deleted.ok) throw new InfraError(`namespace ${this.namespace} was still there 180 s after its deletion (last: ${deleted.last})`);
    const root = hostPathOf(this.#context(), '');
    if (root) await rm(root, { recursive: true, force: true });
  }

  async #stopLocal(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const a of this.#aborts) a.abort();
    await Promise.all([...this.#started.values()].flatMap((s) => s.forwarders.map((f) => f.close())));
    await Promise.all([...this.#logs.values()].map((s) => new Promise<void>((resolve) => (s.writableEnded ? resolve() : s.end(resolve)))));
  }

  #context(image: ObjectContext['image'] = { ref: '', pullPolicy: 'Never' }, imageUser?: string): ObjectContext {
    return { namespace: this.namespace, labels: this.#spec.labels, image, hosts: this.#hosts, volumes: this.#provider.volumes, imageUser };
  }

  /** Secret, Service (its ClusterIP joins every later pod's hosts), claims: what a pod needs first. */
  async #prepare(spec: ContainerSpec): Promise<ObjectContext> {
    if (!this.#order.includes(spec.name)) this.#order.push(spec.name);
    const image = await this.#provider.image(spec.image);
    // The image's own user, from the engine that built it: a non-root one is enforced in the pod.
    const ctx = this.#context(image, await imageUser(spec.image));
    const secret = secretManifest(spec, ctx);
    await this.#apply(`${spec.name}-config`, () => this.#api.core.createNamespacedSecret({ namespace: this.namespace, body: secret }),
      () => this.#api.core.replaceNamespacedSecret({ name: `${spec.name}-config`, namespace: this.namespace, body: secret }));
    await this.#service(spec.name, listeningPorts(spec));
    for (const v of spec.volumes) {
      const claim = claimManifest(v.name, ctx);
      if (!claim || this.#claims.has(v.name)) continue;
      this.#claims.set(v.name, this.#create(`vol-${v.name}`, () => this.#api.core.createNamespacedPersistentVolumeClaim({ namespace: this.namespace, body: claim }), true).then(() => undefined));
    }
    await Promise.all(this.#claims.values());
    return { ...ctx, hosts: new Map(this.#hosts) };
  }

  /** A ClusterIP Service under the name, once; its address joins the hosts of every pod made after it. */
  async #service(name: string, ports: readonly number[]): Promise<void> {
    if (this.#hosts.has(name)) return;
    const body = serviceManifest(name, ports, this.#context());
    if (!body) return;
    const created = await this.#create(name, () => this.#api.core.createNamespacedService({ namespace: this.namespace, body }), true);
    const ip = created?.spec?.clusterIP ?? (await this.#api.core.readNamespacedService({ name, namespace: this.namespace })).spec?.clusterIP;
    if (!ip) throw new InfraError(`service ${name} got no ClusterIP`);
    this.#hosts.set(name, ip);
  }

  async #create<T>(what: string, create: () => Promise<T>, existingIsFine = false): Promise<T | undefined> {
    try {
      return await create();
    } catch (cause) {
      if (existingIsFine && statusCode(cause) === 409) return undefined;
      if (cause instanceof TypeError) throw new InfraError(cause.message, { cause });
      throw new InfraError(`${what}: the cluster refused it: ${apiMessage(cause)}`, { cause });
    }
  }

  async #apply(what: string, create: () => Promise<unknown>, replace: () => Promise<unknown>): Promise<void> {
    try {
      await create();
    } catch (cause) {
      if (statusCode(cause) !== 409) throw new InfraError(`${what}: the cluster refused it: ${apiMessage(cause)}`, { cause });
      await replace();
    }
  }

  async #pods(name: string): Promise<V1Pod[]> {
    const list = await this.#api.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `${NAME_LABEL}=${name}` });
    return list.items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .sort((a, b) => String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')));
  }

  async #runningPodName(name: string): Promise<string | undefined> {
    const pods = await this.#pods(name);
    return pods.filter((p) => p.status?.phase === 'Running').at(-1)?.metadata?.name;
  }

  /** Throws, as the cluster's policy (an infrastructure error), when a controller of `workload` was refused its pod; `what` names it in the message. */
  async #refusedBy(what: string, workload: string): Promise<void> {
    const events = await this.#api.core.listNamespacedEvent({ namespace: this.namespace }).catch(() => undefined);
    const refused = admissionRefusal(events?.items ?? [], workload);
    if (refused) throw new InfraError(`${what}: ${refused}`);
  }

  /**
   * Polls until the pod runs and the recipe's probe passes; a crash or a hopeless wait ends it early.
   * The recipe's time counts from when its container was first seen running, as on Docker (where
   * the wait begins once `docker run` has started it): the time the cluster takes to schedule the
   * pod and start its container (36 s for rabbitmq on a loaded 2-core node, 2026-12-07) is not the
   * service's. Reaching running has its own bound (START_MS).
   */
  async #waitReady(spec: ServiceSpec): Promise<string | undefined> {
    let last = 'no pod yet';
    let runningSince: number | undefined;
    const begun = Date.now();
    // Never less than the recipe's own time, which bounded the whole wait before.
    const startMs = Math.max(START_MS, spec.timeoutMs);
    const ready = await poll<string | undefined>(async (n) => {
      const pod = (await this.#pods(spec.name).catch(() => [])).at(-1);
      // No pod after a few tries: did the cluster refuse to make it? (Its policy: the cell's error.)
      if (!pod && n > 4) await this.#refusedBy(spec.name, spec.name);
      const main = pod?.status?.containerStatuses?.find((c) => c.name === MAIN);
      const init = pod?.status?.initContainerStatuses?.find((c) => c.state?.terminated && c.state.terminated.exitCode !== 0);
      if (init) throw new DeploymentError(`${spec.name}: its volume set-up failed (${describeExit(init.state!.terminated!)}); log: ${this.logFile(spec.name)}`);
      const waiting = main?.state?.waiting;
      if (waiting?.reason && HOPELESS.has(waiting.reason)) throw new InfraError(`${spec.name} cannot start: ${waiting.reason}: ${waiting.message ?? ''}`);
      const ended = main?.state?.terminated ?? main?.lastState?.terminated;
      if (pod && main && (main.state?.running || main.state?.terminated || main.lastState?.terminated)) this.#follow(spec.name, pod);
      if (ended) throw new DeploymentError(`${spec.name} ${describeExit(ended)} before it was ready; log: ${this.logFile(spec.name)}`);
      if (main?.state?.running) {
        runningSince ??= Date.now();
        if (await this.#probeOnce(spec, spec.ready).catch(() => false)) return { done: pod?.metadata?.uid };
        last = 'running, its readiness probe fails';
        const waited = readinessOverdue(runningSince, begun, spec.timeoutMs, Date.now());
        if (waited) throw new DeploymentError(`${spec.name} did not become ready within ${spec.timeoutMs / 1000} s of its start (last: ${last}; ${waited}); log: ${this.logFile(spec.name)}`);
      } else {
        last = waiting?.reason ?? pod?.status?.conditions?.find((c) => c.status === 'False' && c.message)?.message ?? pod?.status?.phase ?? last;
        if (Date.now() - begun > startMs) throw new DeploymentError(`${spec.name} was not running within ${startMs / 1000} s of its pod's creation (last: ${last}); log: ${this.logFile(spec.name)}`);
      }
      return { again: last };
    }, { timeoutMs: startMs + spec.timeoutMs, intervalMs: POLL_MS });
    if (ready.ok) return ready.value;
    throw new DeploymentError(`${spec.name} did not become ready within ${(startMs + spec.timeoutMs) / 1000} s of its pod's creation (last: ${ready.last}); log: ${this.logFile(spec.name)}`);
  }

  async #probeOnce(spec: ContainerSpec, ready: ReadyProbe): Promise<boolean> {
    if (ready.kind === 'exec') {
      const pod = await this.#runningPodName(spec.name);
      if (!pod) return false;
      return (await this.#execIn(pod, MAIN, ['/bin/sh', '-c', shellJoin(ready.command)], 15_000, false)).exitCode === 0;
    }
    const published = spec.ports.find((p) => p.container === ready.port);
    if (!published) throw new InfraError(`${spec.name}: its HTTP readiness port ${ready.port} is not published`);
    return (await httpStatus(`http://127.0.0.1:${published.host}${ready.path}`, 10_000)) === ready.status;
  }

  /** Exec through the API server; stdout and stderr in one buffer, the exit code from the status channel. */
  async #execIn(pod: string, container: string, command: readonly string[], timeoutMs: number, stdoutOnly: boolean, stdin?: Buffer): Promise<{ exitCode: number; raw: Buffer }> {
    const chunks: Buffer[] = [];
    const sink = () => new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(Buffer.from(chunk)); done(); } });
    let timer: NodeJS.Timeout | undefined;
    let socket: { close(): void } | undefined;
    // Standard input is written and left open: the client closes the whole exec socket when its
    // input ends (Kubernetes 1.20 has no half-close), which killed the command before its status
    // came (exit -1, no output). The wrapper reads an exact byte count, so no end is needed.
    const input = stdin ? new PassThrough() : undefined;
    input?.write(stdin);
    const status = new Promise<V1Status>((resolve, reject) => {
      timer = setTimeout(() => reject(new DeploymentError(`exec in ${pod} timed out after ${timeoutMs / 1000}s: ${command[0] ?? ''} (arguments not shown)`)), timeoutMs);
      new Exec(this.#api.kc).exec(this.namespace, pod, container, [...command], sink(), stdoutOnly ? new PassThrough().resume() : sink(), input ?? null, false, resolve)
        .then((ws) => { socket = ws; ws.on('close', () => setTimeout(() => resolve({ status: 'Failure', message: 'exec stream closed without a status' }), 2000)); })
        .catch((cause: unknown) => reject(new InfraError(`exec in ${pod} could not start: ${apiMessage(cause)}`, { cause })));
    });
    try {
      const st = await status;
      return { exitCode: exitCodeOf(st), raw: Buffer.concat(chunks) };
    } finally {
      clearTimeout(timer);
      input?.destroy();
      socket?.close();
    }
  }

  /**
   * Streams a pod's main container output into `<name>.log`, once per pod, appending. A pod is
   * known by its uid: a StatefulSet's replacement has the same name (db-0), and keyed by name the
   * upgraded pod's log was never read (measured: the notes example's pg_upgrade missing from db.log).
   */
  #follow(name: string, pod: V1Pod): void {
    const podName = pod.metadata?.name;
    const key = `${name}/${pod.metadata?.uid ?? podName}`;
    if (!podName || this.#following.has(key)) return;
    let file = this.#logs.get(name);
    if (!file) {
      file = openLogFile(this.logFile(name), 'a');
      this.#logs.set(name, file);
    }
    const out = file;
    const through = new PassThrough();
    through.on('data', (chunk: Buffer) => out.write(chunk));
    // The stream client-node pipes in errors when release/teardown aborts it: expected, not a crash.
    through.on('pipe', (source: NodeJS.ReadableStream) => source.on('error', () => through.end()));
    const done = new Promise<void>((resolve) => {
      through.on('end', resolve);
      through.on('error', () => resolve());
      through.on('close', resolve);
    });
    const ended = (async () => {
      try {
        const abort = await new Log(this.#api.kc).log(this.namespace, podName, MAIN, through, { follow: true });
        this.#aborts.push(abort);
        // Bounded: a stream that never ends (a running service) is cut by release/teardown.
        await done;
      } catch (cause) {
        out.write(`[gategrid] could not read ${podName}'s log: ${apiMessage(cause)}\n`);
      }
    })();
    this.#following.set(key, ended);
    this.#following.set(name, ended);
  }
}

function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined && /^\d+$/.test(cause.message)) return Number(cause.message);
  return -1;
}

function describeExit(t: { exitCode: number; reason?: string; signal?: number }): string {
  if (t.reason === 'OOMKilled') return `was OOM-killed (exit code ${t.exitCode})`;
  return `exited with code ${t.exitCode}${t.reason && t.reason !== 'Error' && t.reason !== 'Completed' ? ` (${t.reason})` : ''}`;
}

/**
 * A command that first reads its environment from standard input: `export NAME='value'` lines,
 * single-quoted (a value is data, never code), read by their exact byte count, then the command
 * itself by exec (its argv as given, no shell text around it).
 */
export function envOverStdin(command: readonly string[], env: Readonly<Record<string, string>>): { command: readonly string[]; stdin?: Buffer } {
  const names = Object.keys(env);
  if (names.length === 0) return { command };
  const stdin = Buffer.from(names.map((k) => `export ${k}='${env[k]!.replace(/'/g, `'\\''`)}'\n`).join(''), 'utf8');
  return { command: ['/bin/sh', '-c', `eval "$(head -c ${stdin.length})"; exec "$@"`, 'sh', ...command], stdin };
}

/**
 * Whether a running container's readiness wait is over: its recipe's time since it was first seen
 * running. Says how long the cluster took to start it (from when the wait began, just after the
 * pod was made), for the message; undefined while in time.
 */
export function readinessOverdue(runningSince: number, waitBegan: number, timeoutMs: number, now: number): string | undefined {
  if (now - runningSince <= timeoutMs) return undefined;
  return `the cluster took ${((runningSince - waitBegan) / 1000).toFixed(1)} s to start it`;
}
