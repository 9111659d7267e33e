import { z } from 'zod';
import { linearRegexProblem } from '../util/linear-regex.ts';

/**
 * Schemas of everything a user writes: releases, image recipes, service recipes, scenarios and the
 * gategrid config. Objects are strict: an unknown (misspelt) field is an error, never ignored.
 */

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name of letters, digits and dashes');
const reason = z.string().min(8, 'give a reason of at least a few words');
const command = z.array(z.string()).min(1, 'expected a command as a list of strings, e.g. ["sh", "-c", "..."]');
const seconds = z.number().int().positive().max(3600);

/**
 * A release of the deployment under test, as its catalogue defines it: the Debian suite its images
 * build on (debootstrap's name for it), the deployment's own name for the version (reports), and
 * values its recipes read as {{ release.vars.NAME }}. Nothing here is OpenStack's.
 */
export const releaseSchema = z.strictObject({
  suite: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a Debian suite as debootstrap names it (bookworm, trixie, ...)'),
  version: z.string().min(1).optional(),
  description: z.string().optional(),
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
});
export const releasesFileSchema = z.strictObject({
  releases: z.record(z.string().regex(/^[a-z0-9.]+$/), releaseSchema),
});
export type ReleaseSpec = z.infer<typeof releaseSchema>;

/** An image gategrid builds from its recipe folder, on its parent. */
export const builtImageSchema = z.strictObject({
  /** Parent image: another recipe's name, or "@base" for the Debian base of the release's suite. */
  from: z.union([z.literal('@base'), name]),
  dir: z.string().optional(),
  buildArgs: z.record(z.string(), z.string()).default({}),
});
/**
 * An image built elsewhere (issue 24): on the engine already, or pulled from the registry its
 * reference names (a reference without a registry host is never pulled: no registry is asked
 * unless named). `{suite}` in it is the release's suite. With `digest`, its id or a repo digest
 * must be that one.
 */
export const prebuiltImageSchema = z.strictObject({
  ref: z.string().regex(/^[a-z0-9][a-z0-9._\-/:{}@]*$/, 'an image reference such as registry.example.org/team/web:1.4 (or …:{suite})'),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256: and 64 hex digits').optional(),
});
export const imageSchema = z.union([builtImageSchema, prebuiltImageSchema]);
export const imagesFileSchema = z.strictObject({ images: z.record(name, imageSchema) });
export type ImageSpec = z.infer<typeof builtImageSchema>;
export type PrebuiltImageSpec = z.infer<typeof prebuiltImageSchema>;

const readySchema = z
  .strictObject({
    http: z.strictObject({ port: z.number().int(), path: z.string().startsWith('/'), status: z.number().int().default(200) }).optional(),
    tcp: z.number().int().optional(),
    /** Not rendered (it runs on every poll): a placeholder in it is refused rather than left literal. */
    exec: command.refine((c) => !c.some((a) => a.includes('{{')), 'a readiness command is not a template: use the container\'s environment ("$NAME") instead of {{ }}').optional(),
    timeoutSeconds: seconds.default(120),
  })
  .refine((r) => [r.http, r.tcp, r.exec].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of http, tcp or exec',
  });
export type ReadySpec = z.infer<typeof readySchema>;

const jobSchema = z
  .strictObject({
    name,
    after: z.array(name).default([]),
    /** Run in a one-shot container of this service's image, with its configs and volumes. */
    run: command.optional(),
    /** Run inside another, already running service's container. */
    exec: z.strictObject({ service: name, command }).optional(),
    /** A built-in action (e.g. `catalog`: register the service in the cloud's catalog). */
    action: z.enum(['catalog']).optional(),
    /** before-start: the service's container waits for this job; detached: only the checks wait for it. */
    when: z.enum(['before-start', 'detached']).default('before-start'),
    user: z.string().optional(),
    timeoutSeconds: seconds.default(300),
    /**
     * The job's environment (templates allowed): the only place a secret may reach a command. A
     * command's arguments are visible to every user of the host (ps) and, on Kubernetes, in pod specs
     * and exec requests; a secret in `run`, `exec.command` or `command` is refused.
     */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string()).default({}),
  })
  .refine((j) => [j.run, j.exec, j.action].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of run, exec or action',
  });
export type JobSpec = z.infer<typeof jobSchema>;

/** A user's regex: valid, and runnable by the engine without backtracking that gategrid runs it with. */
const regex = z.string().min(1).superRefine((p, ctx) => {
  const problem = linearRegexProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A check as data (issue 24), in a scenario's `checks.probes` or a recipe's `probes`: exactly one of
 * an HTTP request (loopback URLs only: a cell's ports published on 127.0.0.1; status, a body regex,
 * JSON fields by dotted path), a TCP connect, or a command run in a service's container (exit code,
 * output regex). Strings are templates ({{ ports.web.80 }}, a recipe's vars and declared secrets).
 */
export const probeSchema = z.strictObject({
  name,
  description: z.string().optional(),
  http: z.strictObject({
    url: z.string().min(1),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    status: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
    /** A regex the response body must match. */
    matches: regex.optional(),
    /** Dotted path into the JSON body (`items.0.name`) → the value it must equal. */
    json: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  }).optional(),
  tcp: z.strictObject({ host: z.string().default('127.0.0.1'), port: z.union([z.number().int().positive().max(65535), z.string().min(1)]) }).optional(),
  exec: z.strictObject({
    /** The service whose container runs it; a recipe's own when omitted there. */
    service: name.optional(),
    command,
    exitCode: z.number().int().min(0).max(255).default(0),
    /** A regex its output (stdout and stderr) must match. */
    output: regex.optional(),
  }).optional(),
  timeoutSeconds: z.number().int().positive().max(600).default(30),
}).refine((p) => [p.http, p.tcp, p.exec].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of http, tcp or exec' });
export type ProbeSpec = z.infer<typeof probeSchema>;

/**
 * A test runner of the project's own (issue 24): a one-shot container of one of the catalogue's
 * images, in the cell's network, whose results file (JUnit XML, TAP or subunit v2) is folded into checks
 * `runner.NAME.TEST`, as Tempest's subunit stream is. Command and environment are templates.
 */
export const runnerSchema = z.strictObject({
  name,
  image: name,
  command,
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string()).default({}),
  results: z.strictObject({ file: z.string().regex(/^\/.+\/[^/]+$/, 'an absolute path of a file in a folder, e.g. /out/junit.xml'), format: z.enum(['junit', 'tap', 'subunit']) }),
  timeoutSeconds: z.number().int().positive().max(3600).default(600),
});
export type RunnerSpec = z.infer<typeof runnerSchema>;

/** known-failures.yaml: signatures of known failures, each with its bug, reason and expiry. */
export const knownFailuresSchema = z.strictObject({
  failures: z.array(z.strictObject({
    id: name,
    bug: z.string().min(1),
    reason,
    /** Last day it applies; after it the signature no longer classifies anything. */
    expires: z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v), 'expected a date YYYY-MM-DD').optional(),
    /** Cell id globs (`*` any text), e.g. "compute-upgrade/zed/*"; none: every cell. */
    cells: z.array(z.string().min(1)).optional(),
    /** A regex over the red check's id. */
    check: regex.optional(),
    /** A regex over the red check's message (a log check's message carries its log line). */
    message: regex.optional(),
  }).refine((f) => f.check !== undefined || f.message !== undefined, { message: 'give a check or a message regex: a signature with neither would explain every failure', path: ['message'] })).default([]),
});
export type KnownFailuresFile = z.infer<typeof knownFailuresSchema>;

/** A network namespace a service joins: another service's, which must run first (`after`). */
const namespacesSchema = z.strictObject({ network: name, reason });

const allowSchema = z.strictObject({
  pattern: regex,
  /**
   * For a traceback only: a regex its frames must match too (their lines, log prefix removed, one
   * per line: `File "...", line N, in FUNCTION` and the source under it). Narrows an exception
   * that is expected on one path (a race Tempest's cleanup starts) and red on every other.
   */
  frames: regex.optional(),
  reason,
});
export type AllowEntry = z.infer<typeof allowSchema>;

/** The native API check groups (harness/openstack/api-checks.ts) and upgrade resource groups. */
export const API_GROUPS = ['identity', 'image', 'placement', 'network', 'compute', 'workload'] as const;
export const RESOURCE_GROUPS = ['identity', 'image', 'placement', 'network', 'compute', 'workload'] as const;

const catalogSchema = z.strictObject({
  service: z.strictObject({ name, type: z.string().min(1), description: z.string().optional() }),
  user: z.strictObject({
    name,
    password: z.string().min(1),
    /** Roles granted to the service user on the `service` project (templates allowed). */
    roles: z.array(z.string().min(1)).min(1).default(['admin', 'service']),
  }).optional(),
  endpoints: z.strictObject({ public: z.string(), internal: z.string(), admin: z.string().optional() }),
});
export type CatalogSpec = z.infer<typeof catalogSchema>;

const cloudSchema = z.strictObject({
  authUrl: z.string(),
  /** The same identity endpoint as containers of the cell reach it (Tempest runs in there). */
  internalAuthUrl: z.string(),
  region: z.string().default('RegionOne'),
  username: z.string(),
  password: z.string(),
  projectName: z.string(),
  userDomainName: z.string().default('Default'),
  projectDomainName: z.string().default('Default'),
});
export type CloudSpec = z.infer<typeof cloudSchema>;

/** A Tempest test never run, with the reason; `releases` limits it to some releases. */
export const tempestExclusion = z.strictObject({ regex: z.string().min(1), reason, releases: z.array(z.string()).optional() });
export type TempestExclusion = z.infer<typeof tempestExclusion>;

/** Linux capabilities a recipe may add (ALL is not one: name each). */
export const CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN',
  'SYS_CHROOT', 'SYS_NICE', 'SYS_PTRACE', 'SYS_RESOURCE', 'SYS_TIME', 'SYSLOG', 'BPF', 'PERFMON', 'CHECKPOINT_RESTORE'] as const;

/** What a container needs beyond an ordinary one, each named, with the reason. */
const privilegesSchema = z.strictObject({
  capabilities: z.array(z.enum(CAPABILITIES)).default([]),
  devices: z.array(z.string().regex(/^\/dev\/[A-Za-z0-9_./-]+$/, 'a device path under /dev')).default([]),
  /** `unconfined`: no seccomp filter (qemu's and libvirt's syscalls); the engine's default otherwise. */
  seccomp: z.enum(['default', 'unconfined']).default('default'),
  apparmor: z.enum(['default', 'unconfined']).default('default'),
  reason,
});

export const serviceSchema = z.strictObject({
  name,
  description: z.string().optional(),
  image: name,
  /** Idle memory estimate, used to size concurrency. */
  memoryMiB: z.number().int().positive(),
  /**
   * A hard limit (Docker's --memory, no swap beyond it; a Kubernetes limit): above it the kernel
   * OOM-kills the service, which its health check then names. None by default.
   */
  memoryLimitMiB: z.number().int().min(6, 'at least 6 (MiB): Docker refuses less').optional(),
  after: z.array(name).default([]),
  vars: z.record(z.string(), z.string()).default({}),
  /**
   * Vars that differ on one backend, over `vars` (a frontend that finds its servers through Docker's
   * DNS on docker, and through the Services' fixed addresses on kubernetes).
   */
  backendVars: z.partialRecord(z.enum(['docker', 'kubernetes']), z.record(z.string(), z.string())).default({}),
  /** The per-run secrets its templates use, by name: any other `{{ secrets.x }}` is an error. Same name, same value across the cell's services. */
  secrets: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a lower-case name: letters, digits, _')).default([]),
  env: z.record(z.string(), z.string()).default({}),
  command: command.optional(),
  user: z.string().optional(),
  configs: z.array(z.strictObject({ template: z.string(), target: z.string().startsWith('/'), mode: z.number().int().min(0).max(0o777, 'a file mode of at most 0o777, written in octal as 0o600 (YAML reads 0600 as the decimal 600)').default(0o644) })).default([]),
  volumes: z.array(z.strictObject({ name, target: z.string().startsWith('/') })).default([]),
  /** Ports published on 127.0.0.1 for the harness (checks, probes, Tempest's public endpoints). */
  ports: z.array(z.number().int().positive().max(65535)).default([]),
  /**
   * Ports other services of the cell reach this one on by name, besides `ports` (mariadb's 3306).
   * A Docker network needs no list; a Kubernetes Service does, so every backend gets it.
   */
  expose: z.array(z.number().int().positive().max(65535)).default([]),
  ready: readySchema,
  jobs: z.array(jobSchema).default([]),
  catalog: catalogSchema.optional(),
  cloud: cloudSchema.optional(),
  /** Checks as data of this service (an exec runs in its own container unless it names another). */
  probes: z.array(probeSchema).default([]),
  /** Public endpoints the smoke check calls without a token. */
  endpoints: z.array(z.strictObject({ name, url: z.string(), status: z.array(z.number().int()).default([200, 300]) })).default([]),
  logs: z.strictObject({ allow: z.array(allowSchema).default([]) }).default({ allow: [] }),
  /**
   * What to ask the service's container when its cell goes red, before anything is torn down
   * (after Zuul's post-run log collection): each command's output lands beside the logs as
   * `<service>.<name>.txt`, redacted; a command that fails says so there. Read-only commands only.
   */
  diagnostics: z.array(z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case name: letters, digits, -'),
    command,
    timeoutSeconds: z.number().int().positive().max(300).default(30),
  })).default([]),
  /**
   * How this service moves to a newer release in an upgrade test. In place: `jobs` run from the new
   * release's image after the old container stopped and before the new one starts (db_sync...).
   * Rolling (behind a frontend): `expand` runs while the old release serves, the new release starts
   * beside it, and `contract` runs once the old one is drained and stopped. `after` runs in both
   * strategies once the new release serves (a server's own upgrade step: mariadb-upgrade).
   * `offline` says, with the reason, that its database cannot move while it serves: it is then
   * upgraded in place. `stays` says, with the reason, that no supported path exists between the
   * releases' versions: a scenario that lists it in `upgrade.services` is refused. `knownAs` lists
   * what other services' logs call it besides its name (a queue, an exchange, a host name): their
   * error lines that name it while it is stopped for its upgrade are that stop's doing.
   */
  upgrade: z.strictObject({
    knownAs: z.array(z.string().min(2).regex(/^[A-Za-z0-9_.:-]+$/, 'a name as logs print it: letters, digits, _ . : -')).default([]),
    jobs: z.array(jobSchema).default([]),
    expand: z.array(jobSchema).default([]),
    contract: z.array(jobSchema).default([]),
    after: z.array(jobSchema).default([]),
    offline: reason.optional(),
    stays: reason.optional(),
  }).default({ knownAs: [], jobs: [], expand: [], contract: [], after: [] }),
  /**
   * A frontend (haproxy): it publishes these services' ports in their place, and routes each to a
   * backend with two server slots, `<service>` and `<service>-next` (a rolling upgrade's new release).
   */
  fronts: z.array(z.strictObject({ service: name, port: z.number().int().positive().max(65535), backend: z.string().min(1) })).default([]),
  /** The frontend's runtime socket (haproxy's admin socket), driven with socat inside its container. */
  runtimeSocket: z.string().startsWith('/').optional(),
  /** Releases or backends this recipe cannot serve, each with the reason (the cell is `skipped`, never silently dropped). */
  unsupported: z.record(z.string(), reason).default({}),
  /**
   * What the container needs beyond an ordinary one, each named, with the reason (a hypervisor's
   * container: /dev/net/tun, NET_ADMIN for its taps). Nothing else gets more than the engine's
   * default: never `--privileged`, which these hosts refuse anyway, and never ALL.
   */
  privileges: privilegesSchema.optional(),
  /**
   * Namespaces shared with another service of the scenario. `network`: this container joins that
   * service's network namespace (its interfaces, addresses and ports) instead of having its own, as
   * a compute node's switch, chassis and hypervisor share one (Kolla runs them in the host's): a tap
   * libvirt makes must be a port the switch beside it can take. It then publishes no port of its own.
   */
  namespaces: namespacesSchema.optional(),
  /**
   * Tempest tests this service's package cannot pass (a security fix that removed what a test
   * asserts), each with the reason: excluded in every scenario that deploys it.
   */
  tempest: z.strictObject({ exclude: z.array(tempestExclusion).default([]) }).default({ exclude: [] }),
});
export type ServiceSpec = z.infer<typeof serviceSchema>;

export const scenarioSchema = z.strictObject({
  name,
  description: z.string().optional(),
  services: z.array(name).min(1),
  /**
   * Per-service overrides of recipe vars and env (fault injection, tuning), and what else a service
   * waits for in this scenario (nova-compute for libvirt when its vars choose the libvirt driver).
   */
  overrides: z.record(name, z.strictObject({
    vars: z.record(z.string(), z.string()).default({}),
    env: z.record(z.string(), z.string()).default({}),
    after: z.array(name).default([]),
    /** Replaces the recipe's privileges here (nova-compute's libvirt driver starts privsep, the fake driver never does). */
    privileges: privilegesSchema.optional(),
    /** Joins another service's network namespace here (nova-compute beside libvirt's guests, where they are its own). */
    namespaces: namespacesSchema.optional(),
  })).default({}),
  /**
   * A real workload (the `workload` API checks): the guest image recipe whose /guest/vmlinuz and
   * /guest/initrd.img are uploaded to glance, and the service whose container stands on the
   * external network (ping and ssh to floating IPs run there).
   */
  workload: z.strictObject({
    guestImage: name,
    probe: name,
    /** The external (provider) network: flat on this physical network, with this subnet and gateway (the probe's side). */
    external: z.strictObject({
      physicalNetwork: z.string().min(1).default('physnet1'),
      cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'an IPv4 CIDR such as 172.24.4.0/24').default('172.24.4.0/24'),
      gateway: z.string().regex(/^\d+\.\d+\.\d+\.\d+$/, 'an IPv4 address').default('172.24.4.1'),
    }).default({ physicalNetwork: 'physnet1', cidr: '172.24.4.0/24', gateway: '172.24.4.1' }),
  }).optional(),
  checks: z.strictObject({
    smoke: z.boolean().default(true),
    api: z.array(z.enum(API_GROUPS)).default([]),
    logs: z.boolean().default(true),
    /** Checks as data, after the smoke checks (each service's own `probes` run too). */
    probes: z.array(probeSchema).default([]),
    /** The project's own test runners, after the probes: their JUnit, TAP or subunit results as checks. */
    runners: z.array(runnerSchema).default([]),
  }).default({ smoke: true, api: [], logs: true, probes: [], runners: [] }),
  /**
   * Log lines this scenario causes on purpose (a database restarted by its upgrade), allowed in
   * the logs of `services` (all of them when omitted), each with its reason: a recipe's own
   * allow-list stays strict everywhere else.
   */
  logs: z.strictObject({
    allow: z.array(allowSchema.extend({ services: z.array(name).min(1).optional() })).default([]),
  }).default({ allow: [] }),
  tempest: z.strictObject({
    /** `smoke`, `none`, or a regex of test ids; `--tempest` overrides it. */
    default: z.string().min(1).default('none'),
    concurrency: z.number().int().min(1).max(8).default(2),
    timeoutSeconds: seconds.default(1800),
    /** Tests never run here, each with its reason; `releases` limits an entry to some releases. */
    exclude: z.array(tempestExclusion).default([]),
    /** Extra tempest.conf options, "section.option": value (feature flags, refs). */
    settings: z.record(z.string().regex(/^[\w-]+\.\w+$/, 'expected "section.option"'), z.string()).default({}),
  }).default({ default: 'none', concurrency: 2, timeoutSeconds: 1800, exclude: [], settings: {} }),
  /**
   * An upgrade test: deploy the cell's release, create resources, upgrade `services` one at a time
   * to the release `paths` names for it (the others stay), measuring the downtime of the `probe`
   * endpoints, then verify the resources and run the checks against the upgraded deployment.
   */
  upgrade: z.strictObject({
    /** From release → to release; a cell on a release without a path is `skipped` with that reason. */
    paths: z.record(z.string(), z.string()),
    services: z.array(name).min(1),
    /** Endpoint names (of the services' `endpoints`) polled every 200 ms during the upgrade. */
    probe: z.array(name).default([]),
    /** Resources made before and checked after: what must survive the upgrade. */
    resources: z.array(z.enum(RESOURCE_GROUPS)).default([]),
    /**
     * What must survive the upgrade, as data (any deployment, issue 24): `create` probes run before
     * it, the read-only `verify` probes while each service they do not `need` is down and after the
     * whole upgrade, then `cleanup` (only once verified: a red cell keeps its data to look at).
     */
    data: z.strictObject({
      create: z.array(probeSchema).default([]),
      verify: z.array(probeSchema).min(1),
      cleanup: z.array(probeSchema).default([]),
      /** Services the verify probes need: while one of these is down, nothing is verified. */
      needs: z.array(name).default([]),
    }).optional(),
    /** When given, a longer outage of any probed endpoint fails the cell; otherwise it is only measured. */
    maxDowntimeSeconds: z.number().nonnegative().optional(),
    /**
     * With the `workload` resources: a longer time the kept guest did not answer its pings (every
     * 200 ms from the probe) fails the cell; otherwise it is only measured.
     */
    maxGuestDowntimeSeconds: z.number().nonnegative().optional(),
    /**
     * Upgraded services that carry the guests' packets (a switch, a chassis, OVN's databases): while
     * one is down the kept guest is not asked to answer SSH, and the time it did not answer its pings
     * from that service's stop on is judged against the service's own budget (with the reason it
     * costs any), not `maxGuestDowntimeSeconds`: every second lost is named by the step that lost it.
     */
    dataPlane: z.record(name, z.strictObject({
      maxGuestDowntimeSeconds: z.number().nonnegative(),
      reason: z.string().min(1),
    })).default({}),
    /**
     * in-place: each service's container replaced (Kolla's way: its API is down meanwhile). rolling:
     * the new release started beside the old behind the scenario's frontend, enabled once it
     * answers, the old drained and stopped; services that cannot roll go in place, reported so.
     */
    strategy: z.enum(['in-place', 'rolling']).default('in-place'),
  }).optional(),
});
export type ScenarioSpec = z.infer<typeof scenarioSchema>;

const cellRule = z.strictObject({
  scenario: z.string().optional(),
  release: z.string().optional(),
  backend: z.string().optional(),
});

/** Where the kubernetes backend's cluster comes from (harness/backends/kubernetes/providers/). */
export const KUBE_PROVIDERS = ['local', 'kind', 'kubeconfig'] as const;

const kubernetesDefaults = { provider: 'local' as const, kind: { clusterName: 'gategrid', workers: 0 }, kubeconfig: {} };
const kubernetesSchema = z.strictObject({
  /** local: `npm run cluster -- up` on this host; kind: a kind cluster; kubeconfig: any cluster. */
  provider: z.enum(KUBE_PROVIDERS).default('local'),
  kind: z.strictObject({
    clusterName: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case DNS name').default('gategrid'),
    nodeImage: z.string().optional(),
    workers: z.number().int().min(0).max(8).default(0),
  }).default(kubernetesDefaults.kind),
  kubeconfig: z.strictObject({
    /** Default: $KUBECONFIG, else ~/.kube/config. */
    file: z.string().optional(),
    context: z.string().optional(),
    /** Where gategrid pushes the images it built for the cluster to pull (required by this provider). */
    registry: z.string().optional(),
    storageClass: z.string().optional(),
    /** A folder on the node for volumes instead of claims: for a single-node cluster without a storage provisioner. */
    hostPathVolumes: z.string().startsWith('/').optional(),
  }).default({}),
}).refine((k) => k.provider !== 'kubeconfig' || k.kubeconfig.registry !== undefined, {
  message: 'provider kubeconfig needs kubeconfig.registry: the registry the cluster pulls gategrid\'s images from (e.g. 127.0.0.1:5000)',
  path: ['kubeconfig', 'registry'],
});
export type KubernetesConfig = z.infer<typeof kubernetesSchema>;

/** gategrid.config.yaml: the matrix and how to run it. */
export const gategridConfigSchema = z.strictObject({
  /**
   * The catalogue search path, in order: folders (from the config file's folder) and `openstack`,
   * the one gategrid ships. A name (scenario, recipe, image, release) two of them define is an error.
   */
  catalogues: z.array(z.string().min(1)).min(1).default(['openstack']),
  matrix: z.strictObject({
    scenarios: z.array(name).min(1),
    releases: z.array(z.string()).min(1),
    backends: z.array(z.enum(['docker', 'kubernetes'])).min(1).default(['docker']),
    /** Extra cells outside the axes. */
    include: z.array(cellRule.extend({ scenario: z.string(), release: z.string(), backend: z.string().default('docker') })).default([]),
    /** Cells the matrix keeps as `skipped`, each with its reason (never a silent hole). */
    exclude: z.array(cellRule.extend({ reason })).default([]),
    /**
     * Voting, as Kolla's jobs vote or not: a cell is `blocking` (a red one fails the gate) unless the
     * first rule matching it says `informing` (reported, never fails the gate) or `experimental`
     * (a scenario not yet stable: the same, and said so), each with its reason.
     */
    tiers: z.array(cellRule.extend({ tier: z.enum(['informing', 'experimental']), reason })).default([]),
    /** Cells `run --affected` runs whatever the change touched (a gate's smoke), each with its reason. */
    alwaysRun: z.array(cellRule.extend({ reason })).default([]),
  }),
  timeouts: z.strictObject({
    imagesSeconds: seconds.default(2700),
    deploySeconds: seconds.default(600),
    checksSeconds: seconds.default(900),
  }).default({ imagesSeconds: 2700, deploySeconds: 600, checksSeconds: 900 }),
  retries: z.number().int().min(0).max(5).default(0),
  concurrency: z.union([z.literal('auto'), z.number().int().min(1).max(16)]).default('auto'),
  /** Image builds at once. */
  buildParallelism: z.number().int().min(1).max(8).default(2),
  /** The network rule, enforced: where a cell's traffic may go, and whether a registry is asked. */
  network: z.strictObject({
    /** closed: a Docker cell's network refuses every new connection leaving it (root's iptables); open: Docker's NAT'd way out stays. */
    egress: z.enum(['closed', 'open']).default('closed'),
    /** Ask Docker's configured registry for debian:<suite> before making a base image with debootstrap (off: no registry lookup at all). */
    pullBaseImages: z.boolean().default(false),
  }).default({ egress: 'closed', pullBaseImages: false }),
  /** The `kubernetes` backend: which cluster its cells run on. */
  kubernetes: kubernetesSchema.default(kubernetesDefaults),
  /** The stability matrix, its dashboard and the release managers' view. */
  report: z.strictObject({
    /** Known-failure signatures (elastic-recheck style), relative to this config file. */
    knownFailures: z.string().min(1).optional(),
    /** Known failures stay red for gating unless this is true. */
    gateKnownFailures: z.boolean().default(false),
    /** A cell red this many runs in a row is flagged as a regression. */
    regressionAfter: z.number().int().min(1).max(100).default(3),
    /** Runs shown in the history grids (older ones stay in the data). */
    historyRuns: z.number().int().min(1).max(500).default(30),
  }).default({ gateKnownFailures: false, regressionAfter: 3, historyRuns: 30 }),
  /**
   * A release's go/no-go (`gategrid release-status`, the dashboard's first table), per release and
   * backend from the stability matrix's history, as Kubernetes' release-blocking criteria: every
   * cell green in its last `lastGreen` runs, at least `passRatePercent` green over its last
   * `window`, never red more than `maxConsecutiveFailures` in a row, and (when set) its 90th
   * percentile duration within `maxDurationMinutes`.
   */
  release: z.strictObject({
    lastGreen: z.number().int().min(1).max(100).default(3),
    passRatePercent: z.number().min(0).max(100).default(75),
    window: z.number().int().min(1).max(500).default(10),
    maxConsecutiveFailures: z.number().int().min(0).max(100).default(10),
    maxDurationMinutes: z.number().positive().optional(),
    knownCountsGreen: z.boolean().default(false),
  }).default({ lastGreen: 3, passRatePercent: 75, window: 10, maxConsecutiveFailures: 10, knownCountsGreen: false }),
});
export type GategridConfig = z.infer<typeof gategridConfigSchema>;
