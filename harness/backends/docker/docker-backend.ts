import type { WriteStream } from 'node:fs';
import { openLogFile } from '../../util/log-file.ts';
import type { Readable } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StartedTestContainer, WaitStrategy } from 'testcontainers';
import { DeploymentError, InfraError, errorMessage } from '../../errors.ts';
import { docker } from '../../docker-cli.ts';
import { removeByLabel, removeRuns } from './remove-labelled.ts';
import { LABEL_CELL, LABEL_RUN } from '../../labels.ts';
import type { Backend, Owner, Removal, ContainerSpec, ContainerState, Environment, EnvironmentSpec, ExecResult, JobSpec, Privileges, ReadyProbe, ServiceSpec } from '../backend.ts';
import { LoopbackContainer } from './loopback-container.ts';
import { closeEgress } from './egress-firewall.ts';
import { startNameStub, type NameStub } from './name-stub.ts';
import { ContainerExitedError, ExitAwareWaitStrategy } from './wait-strategies/exit-aware-wait-strategy.ts';
import { ExecWaitStrategy } from './wait-strategies/exec-wait-strategy.ts';
import { LoopbackHttpWaitStrategy } from './wait-strategies/loopback-http-wait-strategy.ts';
import { StartedWaitStrategy } from './wait-strategies/started-wait-strategy.ts';
import { shellJoin } from '../../util/shell.ts';
import { httpStatus } from '../../util/http-status.ts';

// Ryuk's image cannot be pulled here; gategrid cleans up by its own labels instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// Every port is published on 127.0.0.1 and only that address may be asked. Without this,
// testcontainers running inside a container (/.dockerenv) takes the bridge gateway for the host.
process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';

export interface DockerBackendOptions {
  /** `closed` (the default): a cell's network has no way out (egress-firewall.ts); `open` leaves Docker's NAT'd default route. */
  readonly egress?: 'closed' | 'open';
}

export class DockerBackend implements Backend {
  readonly name = 'docker';
  readonly #egress: 'closed' | 'open';

  constructor(options: DockerBackendOptions = {}) {
    this.#egress = options.egress ?? 'closed';
  }

  async provision(spec: EnvironmentSpec): Promise<Environment> {
    await mkdir(spec.logDir, { recursive: true });
    const env = new DockerEnvironment(spec);
    await env.createNetwork(this.#egress);
    return env;
  }

  removeByLabel(labels: Readonly<Record<string, string>>, keep?: (owner: Owner) => boolean): Promise<Removal> {
    return removeRuns(labels, keep);
  }

  /** This machine's: 60 % of its free memory (the rest for the engine, the CLI and the page cache), and its cores. */
  async capacity(): Promise<{ memoryMiB: number; cores: number }> {
    return { memoryMiB: (os.freemem() / 1024 / 1024) * 0.6, cores: os.availableParallelism() };
  }

  /** Nothing set up for the run outlives its cells here. */
  async close(): Promise<undefined> {
    return undefined;
  }
}

/** Docker object names: unique per run and cell, so cells never share a network, volume or name. */
function objectName(spec: EnvironmentSpec, suffix: string): string {
  const cell = spec.cellId.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '');
  return `gg-${spec.runId.slice(-8)}-${cell}-${suffix}`.toLowerCase();
}

class DockerEnvironment implements Environment {
  readonly backend = 'docker';
  readonly #spec: EnvironmentSpec;
  readonly #network: string;
  readonly #started = new Map<string, { container: StartedTestContainer; ready?: ReadyProbe }>();
  readonly #order: string[] = [];
  readonly #volumes = new Map<string, Promise<string>>();
  readonly #logs: WriteStream[] = [];
  readonly #streams: Readable[] = [];
  #nameStub: NameStub | undefined;

  constructor(spec: EnvironmentSpec) {
    this.#spec = spec;
    this.#network = objectName(spec, 'net');
  }

  /**
   * The cell's network; closed, its bridge refuses every new connection that would leave it, and
   * names the cell does not know end at a stub on its gateway (before any container starts).
   */
  async createNetwork(egress: 'closed' | 'open'): Promise<void> {
    const created = await docker(['network', 'create', ...labelArgs(this.#spec.labels), this.#network]);
    if (egress === 'open') return;
    try {
      const gateway = (await docker(['network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', this.#network])).stdout.trim();
      this.#nameStub = await startNameStub(gateway);
      // Docker names a network's bridge after its id (br-<12 hex digits>).
      await closeEgress(this.#network, `br-${created.stdout.trim().slice(0, 12)}`, gateway);
    } catch (error) {
      // No environment exists for the runner to tear down yet: the network (and the stub) go here.
      await this.#nameStub?.close();
      this.#nameStub = undefined;
      await docker(['network', 'rm', this.#network], { allowFailure: true });
      throw error;
    }
  }

  logFile(name: string): string {
    return path.join(this.#spec.logDir, `${name}.log`);
  }

  async #copyOut(name: string, containerPath: string, hostPath: string): Promise<boolean> {
    const r = await docker(['cp', `${this.#containerName(name)}:${containerPath}`, hostPath], { allowFailure: true });
    return r.exitCode === 0;
  }

  containers(): readonly string[] {
    return [...this.#order];
  }

  async startService(spec: ServiceSpec): Promise<void> {
    const container = (await this.#prepare(spec))
      .withWaitStrategy(new ExitAwareWaitStrategy(waitStrategy(spec.ready)))
      .withStartupTimeout(spec.timeoutMs);
    const started = await this.#start(spec.name, container, spec.timeoutMs);
    this.#started.set(spec.name, { container: started, ready: spec.ready });
  }

  async stopService(name: string, graceMs: number): Promise<void> {
    const container = this.#containerName(name);
    const stopped = await docker(['stop', '-t', String(Math.ceil(graceMs / 1000)), container], { allowFailure: true, timeout: graceMs + 30_000 });
    if (stopped.exitCode !== 0) throw new DeploymentError(`${name} could not be stopped: ${stopped.stderr.trim()}`);
    // Removing the container ends its log stream; the log file stays and a replacement appends to it.
    await docker(['rm', '-f', container]);
    this.#started.delete(name);
  }

  async runJob(spec: JobSpec): Promise<ExecResult> {
    const container = (await this.#prepare(spec)).withWaitStrategy(new StartedWaitStrategy());
    const started = await this.#start(spec.name, container, spec.timeoutMs);
    this.#started.set(spec.name, { container: started });
    const waited = await docker(['wait', this.#containerName(spec.name)], { allowFailure: true, timeout: spec.timeoutMs });
    if (waited.exitCode !== 0) {
      await docker(['kill', this.#containerName(spec.name)], { allowFailure: true });
      throw new DeploymentError(`job ${spec.name} did not finish within ${spec.timeoutMs / 1000}s; log: ${this.logFile(spec.name)}`);
    }
    if (spec.outputs) {
      await mkdir(spec.outputs.to, { recursive: true });
      for (const file of spec.outputs.files) await this.#copyOut(spec.name, path.posix.join(spec.outputs.dir, file), path.join(spec.outputs.to, file));
    }
    return { exitCode: Number(waited.stdout.trim()), output: '' };
  }

  async exec(name: string, command: readonly string[], timeoutMs: number, env: Readonly<Record<string, string>> = {}): Promise<ExecResult> {
    const entry = this.#started.get(name);
    if (!entry) throw new DeploymentError(`cannot exec in ${name}: it is not running`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // The command's name only: its arguments may carry secrets.
      timer = setTimeout(() => reject(new DeploymentError(`exec in ${name} timed out after ${timeoutMs / 1000}s: ${command[0] ?? ''} (arguments not shown)`)), timeoutMs);
    });
    try {
      // The environment goes in the exec API's request body, never in a process's arguments.
      const result = await Promise.race([entry.container.exec([...command], Object.keys(env).length > 0 ? { env: { ...env } } : {}), timeout]);
      return { exitCode: result.exitCode, output: result.output };
    } finally {
      clearTimeout(timer);
    }
  }

  async probe(name: string): Promise<boolean> {
    const entry = this.#started.get(name);
    if (!entry?.ready) return false;
    const ready = entry.ready;
    if (ready.kind === 'exec') {
      const r = await this.exec(name, ['/bin/sh', '-c', shellJoin(ready.command)], 15_000).catch(() => ({ exitCode: -1, output: '' }));
      return r.exitCode === 0;
    }
    const port = entry.container.getMappedPort(ready.port);
    try {
      return (await httpStatus(`http://127.0.0.1:${port}${ready.path}`, 10_000)) === ready.status;
    } catch {
      return false;
    }
  }

  async state(name: string): Promise<ContainerState> {
    const r = await docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.State.OOMKilled}} {{.State.FinishedAt}}', this.#containerName(name)], { allowFailure: true });
    if (r.exitCode !== 0) return { status: 'missing', exitCode: undefined, restarts: 0 };
    const [status = 'missing', code, restarts, oom, finished] = r.stdout.trim().split(' ');
    // Docker's zero time for a container that never stopped.
    const finishedAt = status !== 'running' && finished && !finished.startsWith('0001-') ? { finishedAt: finished } : {};
    return { status: oom === 'true' ? `${status} (OOM-killed)` : status, exitCode: code === undefined ? undefined : Number(code), restarts: Number(restarts ?? 0), ...finishedAt };
  }

  async kill(name: string): Promise<void> {
    await docker(['kill', this.#containerName(name)]);
  }

  async release(): Promise<void> {
    // A followed log stream keeps the process alive as long as its container runs.
    for (const stream of this.#streams) stream.destroy();
    await this.#closeLogs();
    await this.#closeNameStub();
  }

  async #closeNameStub(): Promise<void> {
    const stub = this.#nameStub;
    this.#nameStub = undefined;
    await stub?.close();
  }

  async #closeLogs(): Promise<void> {
    await Promise.all(this.#logs.map((s) => new Promise<void>((resolve) => (s.writableEnded ? resolve() : s.end(resolve)))));
  }

  async teardown(): Promise<void> {
    // Removing the containers ends their log streams; wait for the files to be complete.
    await removeByLabel([`${LABEL_RUN}=${this.#spec.runId}`, `${LABEL_CELL}=${this.#spec.cellId}`]);
    await this.#closeLogs();
    await this.#closeNameStub();
  }

  #containerName(name: string): string {
    return objectName(this.#spec, name);
  }

  async #volume(name: string): Promise<string> {
    let pending = this.#volumes.get(name);
    if (!pending) {
      const volume = objectName(this.#spec, name);
      pending = docker(['volume', 'create', ...labelArgs(this.#spec.labels), volume]).then(() => volume);
      this.#volumes.set(name, pending);
    }
    return pending;
  }

  async #prepare(spec: ContainerSpec): Promise<LoopbackContainer> {
    const container = new LoopbackContainer(spec.image).withName(this.#containerName(spec.name));
    if (spec.networkOf) {
      if (spec.ports.length > 0) throw new InfraError(`${spec.name} joins the network namespace of ${spec.networkOf} and cannot publish ports of its own`);
      container.inNetworkOf(this.#containerName(spec.networkOf));
    } else {
      container.onNetwork(this.#network, spec.name).withHostname(spec.name);
      if (this.#nameStub) container.withDns([this.#nameStub.address]);
    }
    container
      .withLabels({ ...this.#spec.labels, 'io.gategrid.name': spec.name })
      .withEnvironment({ ...spec.env })
      .withLogConsumer((stream) => {
        const out = openLogFile(this.logFile(spec.name), 'a');
        this.#logs.push(out);
        this.#streams.push(stream);
        stream.on('data', (chunk: Buffer | string) => out.write(chunk));
        stream.on('end', () => out.end());
        stream.on('error', () => out.end());
      });
    if (!this.#order.includes(spec.name)) this.#order.push(spec.name);
    if (spec.command) container.withCommand([...spec.command]);
    if (spec.user) container.withUser(spec.user);
    if (spec.privileges) applyPrivileges(container, spec.privileges);
    // A hard limit and no swap beyond it: above it the kernel OOM-kills, as a Kubernetes limit does.
    if (spec.memoryLimitMiB) container.withMemoryLimit(spec.memoryLimitMiB);
    if (spec.ports.length > 0) container.withExposedPorts(...spec.ports.map((p) => ({ container: p.container, host: p.host })));
    if (spec.files.length > 0) container.withCopyContentToContainer(spec.files.map((f) => ({ content: f.content, target: f.target, mode: f.mode })));
    if (spec.volumes.length > 0) {
      const binds = await Promise.all(spec.volumes.map(async (v) => ({ source: await this.#volume(v.name), target: v.target })));
      container.withBindMounts(binds);
    }
    return container;
  }

  async #start(name: string, container: LoopbackContainer, timeoutMs: number): Promise<StartedTestContainer> {
    try {
      return await container.start();
    } catch (cause) {
      if (!container.created) throw new InfraError(`container ${name} could not be created: ${errorMessage(cause)}`, { cause });
      // testcontainers removes a container that failed to become ready; its log file stays.
      const why = cause instanceof ContainerExitedError ? cause.message : `did not become ready within ${timeoutMs / 1000} s`;
      throw new DeploymentError(`${name} ${why}; log: ${this.logFile(name)}`, { cause });
    }
  }
}

function labelArgs(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
}

function waitStrategy(ready: ReadyProbe): WaitStrategy {
  if (ready.kind === 'http') {
    return new LoopbackHttpWaitStrategy({ path: ready.path, port: ready.port, status: ready.status });
  }
  return new ExecWaitStrategy(shellJoin(ready.command));
}

/** Exactly what the recipe declares: named capabilities, devices and the two profiles; never privileged. */
function applyPrivileges(container: LoopbackContainer, p: Privileges): void {
  if (p.capabilities.length > 0) container.withAddedCapabilities(...p.capabilities);
  if (p.devices.length > 0) container.withDevices(p.devices);
  const opts = [...(p.seccomp === 'unconfined' ? ['seccomp=unconfined'] : []), ...(p.apparmor === 'unconfined' ? ['apparmor=unconfined'] : [])];
  if (opts.length > 0) container.withSecurityOpt(...opts);
}
