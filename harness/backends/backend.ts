/**
 * A backend runs containers for one cell, and knows nothing of checks. Small enough to read in one
 * screen (after kind's provider interface): provision an environment, start services and jobs in
 * it, exec, inspect, read logs, tear it all down. Implemented on Docker (containers in a network of
 * the cell's) and on Kubernetes (pods in a namespace of the cell's); either way, every published
 * port answers on 127.0.0.1 and containers reach each other by their logical names.
 */
export type ReadyProbe =
  | { readonly kind: 'http'; readonly port: number; readonly path: string; readonly status: number }
  | { readonly kind: 'exec'; readonly command: readonly string[] };

export interface FileSpec {
  readonly target: string;
  readonly content: string;
  readonly mode: number;
}

export interface ContainerSpec {
  /** Logical name, unique in the cell; other containers of the cell reach it by this name. */
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly files: readonly FileSpec[];
  readonly volumes: readonly { readonly name: string; readonly target: string }[];
  /** Container port → host port on 127.0.0.1. */
  readonly ports: readonly { readonly container: number; readonly host: number }[];
  /**
   * Every port other containers of the cell reach it on by name (published ports included). Docker
   * networks need no list; a Kubernetes Service does.
   */
  readonly listens?: readonly number[];
  readonly timeoutMs: number;
  /** Beyond an ordinary container, as its recipe declares them (never privileged). */
  readonly privileges?: Privileges;
  /** A hard memory limit in MiB (the kernel OOM-kills above it), as its recipe declares. */
  readonly memoryLimitMiB?: number;
  /**
   * The service (logical name) whose network namespace this container joins instead of having its
   * own; it has no name on the cell's network then, and publishes nothing.
   */
  readonly networkOf?: string;
}

export interface Privileges {
  readonly capabilities: readonly string[];
  readonly devices: readonly string[];
  readonly seccomp: 'default' | 'unconfined';
  readonly apparmor: 'default' | 'unconfined';
}

/** The ports other containers reach a container on by name: its `listens`, else its published ports. */
export function listeningPorts(spec: ContainerSpec): readonly number[] {
  return spec.listens ?? spec.ports.map((p) => p.container);
}

/** A one-shot container; `outputs` are files it leaves in one folder, fetched once it has ended. */
export interface JobSpec extends ContainerSpec {
  readonly outputs?: { readonly dir: string; readonly files: readonly string[]; readonly to: string };
}

export interface ServiceSpec extends ContainerSpec {
  readonly ready: ReadyProbe;
}

/** A name a cell's containers reach one of its services by, and the ports it listens on there. */
export interface ServiceAddress {
  readonly name: string;
  readonly listens: readonly number[];
}

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

export interface ContainerState {
  readonly status: 'running' | 'exited' | 'created' | 'missing' | string;
  readonly exitCode: number | undefined;
  readonly restarts: number;
  /** How its previous run ended, when it restarted ("was OOM-killed (exit code 137)"). */
  readonly lastExit?: string;
  /** When it stopped (ISO), when it is not running. */
  readonly finishedAt?: string;
}

export interface EnvironmentSpec {
  readonly runId: string;
  readonly cellId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Where each container's output is written, one `<name>.log` per container. */
  readonly logDir: string;
}

export interface Environment {
  readonly backend: string;
  /**
   * Makes every name of the deployment resolvable before its first container starts: a backend
   * whose names resolve at run time (Docker's network DNS) needs nothing; one that fixes a
   * container's view of the names when it is made (Kubernetes without cluster DNS: /etc/hosts)
   * would otherwise leave a service started earlier unable to reach one started later.
   */
  reserve?(addresses: readonly ServiceAddress[]): Promise<void>;
  /** Starts a long-running service and resolves once its readiness probe passes. */
  startService(spec: ServiceSpec): Promise<void>;
  /**
   * Stops a service (SIGTERM, then SIGKILL after `graceMs`) and removes its container, keeping its
   * log; its name, alias and published ports are then free for a replacement (an upgrade).
   */
  stopService(name: string, graceMs: number): Promise<void>;
  /**
   * Runs a one-shot container to completion; resolves with its exit code (its output is in its log
   * file, complete by then). Each of `outputs.files` found in `outputs.dir` is copied to `outputs.to`.
   */
  runJob(spec: JobSpec): Promise<ExecResult>;
  /** `env`: the process's environment (secrets travel there, never in `command`). */
  exec(name: string, command: readonly string[], timeoutMs: number, env?: Readonly<Record<string, string>>): Promise<ExecResult>;
  /** Runs the readiness probe once more, now. */
  probe(name: string): Promise<boolean>;
  state(name: string): Promise<ContainerState>;
  /** Fault injection for tests: kill a container. */
  kill(name: string): Promise<void>;
  logFile(name: string): string;
  /** Names of every container started in this environment, jobs included, in start order. */
  containers(): readonly string[];
  /** A red cell: writes what the backend knows beyond container logs (Kubernetes events, kind's node logs) into `dir`. */
  /** `redact`: what the run's redaction point does to text; every file written here passes it. */
  diagnose?(dir: string, redact: (text: string) => string): Promise<void>;
  /** Stops log capture and removes every container, network and volume carrying the cell's labels. */
  teardown(): Promise<void>;
  /** Stops log capture and leaves everything running (a kept cell). */
  release(): Promise<void>;
}

/** What a removal by label did: how many of each kind of object went, and which runs it spared. */
export interface Removal {
  /** Per kind of object (container, network, volume; namespace). */
  readonly removed: Readonly<Record<string, number>>;
  /** The runs (their `gategrid.run` label) left alone because `keep` said so. */
  readonly spared: readonly string[];
}

/** A run's owner as its objects' labels tell it (run, pid, host), for deciding whether to spare them. */
export type Owner = Readonly<Record<string, string | undefined>>;

/**
 * A backend owns its objects' whole lifecycle (after kind's provider: list, delete, logs): it
 * provisions a cell's environment, removes what carries gategrid's labels (down, prune: its own
 * objects only, never another's), says how much it can run at once, and closes what it set up.
 */
export interface Backend {
  readonly name: string;
  provision(spec: EnvironmentSpec): Promise<Environment>;
  /** Removes every object of its own carrying all the labels, but the runs `keep` spares (given their owner's labels). */
  removeByLabel(labels: Readonly<Record<string, string>>, keep?: (owner: Owner) => boolean): Promise<Removal>;
  /** The memory (MiB) and cores its cells may use at once: this machine's, or a cluster's allocatable memory. */
  capacity(): Promise<{ readonly memoryMiB: number; readonly cores?: number }>;
  /**
   * The run is over: release what the backend set up for it (a cluster it created), unless a kept
   * cell lives there. Returns what it left up and why (another run still holds the cluster), if anything.
   */
  close(keepCells: boolean): Promise<string | undefined>;
}
