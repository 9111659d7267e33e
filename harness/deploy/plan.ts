import type { LoadedScenario, LoadedService } from '../config/load-scenario.ts';
import type { AllowEntry, CatalogSpec, CloudSpec, JobSpec, ProbeSpec, ReadySpec, ReleaseSpec } from '../config/schemas.ts';
import { objectResolver, renderTemplate, type Resolver } from '../config/template.ts';
import type { SecretStore } from '../config/secrets.ts';
import { listeningPorts, type ContainerSpec, type ReadyProbe, type ServiceAddress, type ServiceSpec as BackendServiceSpec } from '../backends/backend.ts';
import { ConfigError } from '../errors.ts';
import { renderCommand } from './shell-safe-command.ts';

/**
 * A deployment plan: the scenario's services, jobs and actions rendered for one cell (release,
 * images, secrets, host ports) and wired into a dependency graph. Pure data: nothing here talks to
 * Docker, and nothing here knows what keystone is.
 */
export type Step =
  | { readonly kind: 'service'; readonly name: string; readonly deps: readonly string[]; readonly spec: BackendServiceSpec }
  | { readonly kind: 'run'; readonly name: string; readonly deps: readonly string[]; readonly owner: string; readonly spec: ContainerSpec }
  | { readonly kind: 'exec'; readonly name: string; readonly deps: readonly string[]; readonly owner: string; readonly target: string; readonly command: readonly string[]; readonly env: Readonly<Record<string, string>>; readonly timeoutMs: number }
  | { readonly kind: 'action'; readonly name: string; readonly deps: readonly string[]; readonly owner: string; readonly action: 'catalog'; readonly catalog: CatalogSpec; readonly timeoutMs: number };

export interface RenderedEndpoint {
  readonly service: string;
  readonly name: string;
  readonly url: string;
  readonly status: readonly number[];
}

/** A check as data (schemas.ts probeSchema), its strings rendered for the cell; `owner`: the recipe it came from, if any. */
export interface RenderedProbe {
  readonly id: string;
  readonly owner: string | undefined;
  readonly timeoutMs: number;
  readonly http?: { readonly url: string; readonly method: string; readonly headers: Readonly<Record<string, string>>; readonly body?: string; readonly status: readonly number[]; readonly matches?: string; readonly json: Readonly<Record<string, string | number | boolean | null>> };
  readonly tcp?: { readonly host: string; readonly port: number };
  readonly exec?: { readonly service: string; readonly command: readonly string[]; readonly exitCode: number; readonly output?: string };
}

/** A test runner's job as the cell runs it: its image's tag, rendered command and environment, where its results are. */
export interface RenderedRunner {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly results: { readonly file: string; readonly format: 'junit' | 'tap' | 'subunit' };
  readonly timeoutMs: number;
}

/** What must survive an upgrade, as probes: made before it, verified while services are down and after, cleaned up. */
export interface UpgradeData {
  readonly create: readonly RenderedProbe[];
  readonly verify: readonly RenderedProbe[];
  readonly cleanup: readonly RenderedProbe[];
  readonly needs: readonly string[];
}

/** The scenario's frontend (haproxy): who it fronts, on which backend, and its runtime socket. */
export interface Frontend {
  readonly service: string;
  readonly socket: string;
  /** Fronted service → its backend's name; its slots are `<service>` and `<service>-next`. */
  readonly backends: ReadonlyMap<string, string>;
  /** Fronted service → its readiness asked from inside its own container (a second slot's, before it is enabled). */
  readonly slotReady: Map<string, ReadyProbe>;
}

/** The container name of a rolling upgrade's new release, beside the old one. */
export const nextSlot = (service: string): string => `${service}-next`;

export interface DeploymentPlan {
  readonly steps: readonly Step[];
  /** Per service: how it moves to this plan's release in an upgrade test (see ServiceUpgrade). */
  readonly upgrades: ReadonlyMap<string, ServiceUpgrade>;
  readonly frontend: Frontend | undefined;
  readonly cloud: CloudSpec | undefined;
  /** The service whose recipe gives the cloud's credentials (the identity service). */
  readonly cloudService: string | undefined;
  readonly endpoints: readonly RenderedEndpoint[];
  /** The scenario's checks as data, then each recipe's, in the scenario's service order. */
  readonly probes: readonly RenderedProbe[];
  /** The scenario's upgrade data (upgrade.data), rendered for this plan's release. */
  readonly upgradeData: UpgradeData | undefined;
  /** The scenario's test runners (checks.runners), rendered, each with its image's tag. */
  readonly runners: readonly RenderedRunner[];
  /** Catalog entries the cell registers (service types the catalog must list). */
  readonly catalog: readonly CatalogSpec[];
  readonly allow: ReadonlyMap<string, readonly AllowEntry[]>;
  /** Every container's logical name → the service recipe it belongs to. */
  readonly owners: ReadonlyMap<string, string>;
  readonly hostPorts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly memoryMiB: number;
}

/**
 * Every name the plan's containers may reach a service by, known before anything starts: each
 * service that listens on a port, and the second slot of each fronted one (a rolling upgrade's new
 * release, which its frontend addresses from the start).
 */
export function planAddresses(plan: DeploymentPlan): ServiceAddress[] {
  const addresses: ServiceAddress[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'service') continue;
    const listens = listeningPorts(step.spec);
    if (listens.length === 0) continue;
    addresses.push({ name: step.name, listens });
    if (plan.frontend?.backends.has(step.name)) addresses.push({ name: nextSlot(step.name), listens });
  }
  return addresses;
}

/** One service's upgrade, from its recipe's `upgrade` section, rendered for this plan's release. */
export interface ServiceUpgrade {
  /** In place: run from the new image once the old release stopped, before the new one starts. */
  readonly jobs: readonly Step[];
  /** Rolling: run while the old release serves. */
  readonly expand: readonly Step[];
  /** Rolling: run once the old release is drained and stopped. */
  readonly contract: readonly Step[];
  /** Both strategies: run once the new release serves (a server's own upgrade step, mariadb-upgrade). */
  readonly after: readonly Step[];
  /** Its database cannot move while it serves: the reason (it is upgraded in place). */
  readonly offline?: string;
  /** No supported path to this release: it must stay on the old one, with the reason. */
  readonly stays?: string;
  /** What other services' logs call it besides its name (the recipe's `upgrade.knownAs`). */
  readonly knownAs?: readonly string[];
}

export interface PlanInput {
  readonly scenario: LoadedScenario;
  readonly releaseName: string;
  readonly release: ReleaseSpec;
  /** Image recipe name → tag to run. */
  readonly images: ReadonlyMap<string, string>;
  readonly secrets: SecretStore;
  /** Service name → container port → host port on 127.0.0.1. */
  readonly hostPorts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly runId: string;
  readonly cellId: string;
  /** The backend the cell runs on: its recipe's `backendVars` apply, and `{{ backend.name }}` names it. */
  readonly backend: string;
}

export function buildPlan(input: PlanInput): DeploymentPlan {
  const steps: Step[] = [];
  const endpoints: RenderedEndpoint[] = [];
  const probes: RenderedProbe[] = [];
  const catalog: CatalogSpec[] = [];
  const allow = new Map<string, readonly AllowEntry[]>();
  const owners = new Map<string, string>();
  const upgrades = new Map<string, ServiceUpgrade>();
  let cloud: CloudSpec | undefined;
  let cloudService: string | undefined;
  // A frontend publishes the ports of the services it fronts; they are reached by name only.
  const fronting = input.scenario.services.find((x) => x.spec.fronts.length > 0)?.spec;
  const frontedPorts = new Map<string, Set<number>>();
  for (const f of fronting?.fronts ?? []) {
    if (!input.scenario.services.some((x) => x.spec.name === f.service)) continue;
    frontedPorts.set(f.service, (frontedPorts.get(f.service) ?? new Set()).add(f.port));
  }
  const hosts = Object.fromEntries(input.scenario.services.map((x) => [x.spec.name, frontedPorts.has(x.spec.name) && fronting ? fronting.name : x.spec.name]));
  const frontend: Frontend | undefined = fronting ? {
    service: fronting.name, socket: fronting.runtimeSocket ?? '/run/haproxy/admin.sock',
    backends: new Map(fronting.fronts.filter((f) => frontedPorts.has(f.service)).map((f) => [f.service, f.backend])),
    slotReady: new Map(),
  } : undefined;

  for (const service of input.scenario.services) {
    const s = service.spec;
    const render = serviceRenderer(input, service, hosts);
    const r = (text: string, where: string): string => renderTemplate(text, render, `${service.file} (${where})`);
    const image = input.images.get(s.image);
    if (!image) throw new Error(`no image built for ${s.image}`);

    const override = input.scenario.spec.overrides[s.name];
    const env = Object.fromEntries(Object.entries({ ...s.env, ...override?.env }).map(([k, v]) => [k, r(v, `env.${k}`)]));
    const files = s.configs.map((c) => ({
      target: c.target,
      mode: c.mode,
      content: renderTemplate(service.templates.get(c.template)!, render, `${service.dir}/${c.template}`),
    }));
    const fronted = frontedPorts.get(s.name) ?? new Set<number>();
    const ports = [
      ...s.ports.filter((p) => !fronted.has(p)).map((p) => ({ container: p, host: input.hostPorts[s.name]![String(p)]! })),
      // The frontend publishes, on its own container port, the host port each fronted service would have.
      ...s.fronts.filter((f) => frontedPorts.has(f.service)).map((f) => ({ container: f.port, host: input.hostPorts[f.service]![String(f.port)]! })),
    ];
    // A frontend listens on the ports of the services it fronts: every internal call reaches them through it.
    const frontPorts = s.fronts.filter((f) => frontedPorts.has(f.service)).map((f) => f.port);
    const listens = [...new Set([...s.ports, ...frontPorts, ...s.expose, ...(s.ready.tcp === undefined ? [] : [s.ready.tcp])])];
    const privileges = s.privileges ? { capabilities: s.privileges.capabilities, devices: s.privileges.devices, seccomp: s.privileges.seccomp, apparmor: s.privileges.apparmor } : undefined;
    // In another's network namespace it has no name of its own: reached by that service's name.
    const networkOf = s.namespaces?.network;
    const base = { image, env, files, volumes: s.volumes, listens: networkOf ? [] : listens, ...(s.user ? { user: s.user } : {}), ...(privileges ? { privileges } : {}), ...(networkOf ? { networkOf } : {}), ...(s.memoryLimitMiB ? { memoryLimitMiB: s.memoryLimitMiB } : {}) };

    const beforeStart: string[] = [];
    const jobStep = (job: JobSpec, where: string): Step => {
      const timeoutMs = job.timeoutSeconds * 1000;
      const deps = [...job.after, ...(networkOf && job.run ? [networkOf] : [])];
      owners.set(job.name, s.name);
      const jobEnv = Object.fromEntries(Object.entries(job.env).map(([k, v]) => [k, renderTemplate(v, render, `${service.file} (${where}.${job.name}.env.${k})`)]));
      if (job.run) {
        const rendered = renderCommand(job.run, render, service.file, `${where}.${job.name}.run`);
        return { kind: 'run', name: job.name, deps, owner: s.name, spec: {
          ...base, env: { ...base.env, ...rendered.env, ...jobEnv }, name: job.name, ports: [], listens: [], timeoutMs,
          command: rendered.command,
          ...(job.user ? { user: job.user } : {}),
        } };
      }
      if (job.exec) {
        const rendered = renderCommand(job.exec.command, render, service.file, `${where}.${job.name}.exec.command`);
        // The values travel as the exec'd process's environment (the engine's exec API; on Kubernetes
        // its standard input), never as arguments.
        return { kind: 'exec', name: job.name, deps: [...new Set([...deps, job.exec.service])], owner: s.name, target: job.exec.service, timeoutMs, command: rendered.command, env: { ...rendered.env, ...jobEnv } };
      }
      return { kind: 'action', name: job.name, deps, owner: s.name, action: 'catalog', timeoutMs, catalog: renderCatalog(s.catalog!, r) };
    };
    for (const job of s.jobs) {
      if (job.when === 'before-start') beforeStart.push(job.name);
      steps.push(jobStep(job, 'jobs'));
    }
    upgrades.set(s.name, {
      jobs: s.upgrade.jobs.map((job) => jobStep(job, 'upgrade.jobs')),
      expand: s.upgrade.expand.map((job) => jobStep(job, 'upgrade.expand')),
      contract: s.upgrade.contract.map((job) => jobStep(job, 'upgrade.contract')),
      after: s.upgrade.after.map((job) => jobStep(job, 'upgrade.after')),
      ...(s.upgrade.offline ? { offline: s.upgrade.offline } : {}),
      ...(s.upgrade.stays ? { stays: s.upgrade.stays } : {}),
      knownAs: s.upgrade.knownAs,
    });
    // A rolling upgrade's new release runs beside the old as `<name>-next`: its log is this recipe's too.
    owners.set(nextSlot(s.name), s.name);

    owners.set(s.name, s.name);
    const command = s.command ? renderCommand(s.command, render, service.file, 'command') : undefined;
    // A fronted service starts once its frontend is up, and is ready when it answers through it (asked
    // from inside its own container): what follows never meets the frontend's 503 while its health
    // check has not yet seen the service. Its second slot, before it is enabled, is asked directly.
    const frontDeps = fronted.size > 0 && frontend ? [frontend.service] : [];
    let ready = readyProbe(s.ready, ports.map((p) => p.container));
    if (fronted.size > 0 && frontend && s.ready.http) {
      frontend.slotReady.set(s.name, httpProbeFromInside(s.ready.http));
      ready = httpProbeFromInside(s.ready.http, frontend.service);
    }
    steps.push({ kind: 'service', name: s.name, deps: [...s.after, ...frontDeps, ...beforeStart], spec: {
      ...base, env: { ...base.env, ...command?.env }, name: s.name, ports, timeoutMs: s.ready.timeoutSeconds * 1000,
      ready,
      ...(command ? { command: command.command } : {}),
    } });

    for (const e of s.endpoints) endpoints.push({ service: s.name, name: e.name, url: r(e.url, `endpoints.${e.name}`), status: e.status });
    s.probes.forEach((p, i) => probes.push(renderProbe(p, `probe.${s.name}.${p.name}`, s.name, { file: service.file, field: `probes[${i}]` }, (text, field) => r(text, `probes[${i}].${field}`))));
    if (s.catalog) catalog.push(renderCatalog(s.catalog, r));
    if (s.cloud) {
      cloudService = s.name;
      cloud = { ...s.cloud, authUrl: r(s.cloud.authUrl, 'cloud.authUrl'), internalAuthUrl: r(s.cloud.internalAuthUrl, 'cloud.internalAuthUrl'), password: r(s.cloud.password, 'cloud.password'), username: r(s.cloud.username, 'cloud.username') };
    }
    const scenarioAllow = input.scenario.spec.logs.allow.filter((a) => !a.services || a.services.includes(s.name)).map(({ services: _services, ...entry }) => entry);
    allow.set(s.name, [...s.logs.allow, ...scenarioAllow]);
  }

  checkAcyclic(steps, input.scenario.file);
  // The scenario's own probes read what every recipe may, but no secret (a scenario declares none).
  const scenarioRender = objectResolver(commonContext(input, hosts), (name) => name, new Set());
  const scenarioProbe = (field: string, id: string) => (p: ProbeSpec, i: number) => renderProbe(p, `${id}.${p.name}`, undefined, { file: input.scenario.file, field: `${field}[${i}]` },
    (text, f) => renderTemplate(text, scenarioRender, `${input.scenario.file} (${field}[${i}].${f})`));
  const scenarioProbes = input.scenario.spec.checks.probes.map(scenarioProbe('checks.probes', 'probe'));
  const data = input.scenario.spec.upgrade?.data;
  const upgradeData: UpgradeData | undefined = data ? {
    create: data.create.map(scenarioProbe('upgrade.data.create', 'upgrade.data.create')),
    verify: data.verify.map(scenarioProbe('upgrade.data.verify', 'upgrade.data.verify')),
    cleanup: data.cleanup.map(scenarioProbe('upgrade.data.cleanup', 'upgrade.data.cleanup')),
    needs: data.needs,
  } : undefined;
  const runners = input.scenario.spec.checks.runners.map((spec, i): RenderedRunner => {
    const where = (f: string) => `${input.scenario.file} (checks.runners[${i}].${f})`;
    const image = input.images.get(spec.image);
    if (!image) throw new Error(`no image built for ${spec.image}`);
    return {
      name: spec.name, image, results: spec.results, timeoutMs: spec.timeoutSeconds * 1000,
      command: spec.command.map((a, j) => renderTemplate(a, scenarioRender, where(`command[${j}]`))),
      env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, renderTemplate(v, scenarioRender, where(`env.${k}`))])),
    };
  });
  const memoryMiB = input.scenario.services.reduce((sum, s) => sum + s.spec.memoryMiB, 0);
  return { steps, upgrades, frontend, cloud, cloudService, endpoints, probes: [...scenarioProbes, ...probes], upgradeData, runners, catalog, allow, owners, hostPorts: input.hostPorts, memoryMiB };
}

/** What every template of the cell may read: ports, hosts, the release, the cell, the run, the backend. */
function commonContext(input: PlanInput, hosts: Readonly<Record<string, string>>) {
  return {
    ports: input.hostPorts,
    // The name a service is reached by inside the cell: its own, or its frontend's when it is fronted
    // (Kolla's internal VIP: every internal call goes through haproxy, so a rolling upgrade moves it too).
    hosts,
    release: { name: input.releaseName, suite: input.release.suite, version: input.release.version ?? input.releaseName, vars: input.release.vars },
    cell: { id: input.cellId },
    run: { id: input.runId },
    backend: { name: input.backend },
  };
}

/** A probe's strings rendered; an exec runs in its owner's container unless it names a service. */
function renderProbe(p: ProbeSpec, id: string, owner: string | undefined, where: { file: string; field: string }, r: (text: string, field: string) => string): RenderedProbe {
  const base = { id, owner, timeoutMs: p.timeoutSeconds * 1000 };
  if (p.http) {
    const h = p.http;
    return { ...base, http: {
      url: r(h.url, 'http.url'), method: h.method, status: h.status, json: h.json,
      headers: Object.fromEntries(Object.entries(h.headers).map(([k, v]) => [k, r(v, `http.headers.${k}`)])),
      ...(h.body !== undefined ? { body: r(h.body, 'http.body') } : {}), ...(h.matches !== undefined ? { matches: h.matches } : {}),
    } };
  }
  if (p.tcp) {
    const port = Number(typeof p.tcp.port === 'number' ? p.tcp.port : r(p.tcp.port, 'tcp.port'));
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(where.file, `${where.field}.tcp.port`, `is "${String(p.tcp.port)}", which renders to no port number: give a number or {{ ports.SERVICE.PORT }}`);
    return { ...base, tcp: { host: r(p.tcp.host, 'tcp.host'), port } };
  }
  const e = p.exec!;
  return { ...base, exec: { service: e.service ?? owner!, command: e.command.map((a, j) => r(a, `exec.command[${j}]`)), exitCode: e.exitCode, ...(e.output !== undefined ? { output: e.output } : {}) } };
}

function serviceRenderer(input: PlanInput, service: LoadedService, hosts: Readonly<Record<string, string>>): Resolver {
  const override = input.scenario.spec.overrides[service.spec.name];
  const common = commonContext(input, hosts);
  const secret = (name: string): string => input.secrets.get(name);
  const declared = new Set(service.spec.secrets);
  const base = objectResolver(common, secret, declared);
  const vars: Record<string, string> = {};
  const onBackend = service.spec.backendVars[input.backend as keyof typeof service.spec.backendVars] ?? {};
  for (const [k, v] of Object.entries({ ...service.spec.vars, ...onBackend, ...override?.vars })) {
    // A problem in an override is the scenario's, and is named there.
    const source = override?.vars && Object.hasOwn(override.vars, k) ? `${input.scenario.file} (overrides.${service.spec.name}.vars.${k})`
      : Object.hasOwn(onBackend, k) ? `${service.file} (backendVars.${input.backend}.${k})` : `${service.file} (vars.${k})`;
    vars[k] = renderTemplate(v, base, source);
  }
  return objectResolver({ ...common, vars }, secret, declared);
}

function renderCatalog(c: CatalogSpec, r: (text: string, where: string) => string): CatalogSpec {
  return {
    service: c.service,
    ...(c.user ? { user: { name: c.user.name, password: r(c.user.password, 'catalog.user.password'), roles: c.user.roles.map((role, i) => r(role, `catalog.user.roles[${i}]`)) } } : {}),
    endpoints: {
      public: r(c.endpoints.public, 'catalog.endpoints.public'),
      internal: r(c.endpoints.internal, 'catalog.endpoints.internal'),
      ...(c.endpoints.admin ? { admin: r(c.endpoints.admin, 'catalog.endpoints.admin') } : {}),
    },
  };
}

/**
 * The backend's readiness probe. An HTTP probe asks the published port; a service whose port is
 * not published (behind a frontend, or a rolling upgrade's second slot) is asked from inside its
 * container, with the same path and status.
 */
function readyProbe(ready: ReadySpec, published: readonly number[]): ReadyProbe {
  if (ready.http && published.includes(ready.http.port)) return { kind: 'http', ...ready.http };
  if (ready.http) return httpProbeFromInside(ready.http);
  if (ready.tcp !== undefined) return { kind: 'exec', command: ['nc', '-z', '127.0.0.1', String(ready.tcp)] };
  return { kind: 'exec', command: ready.exec! };
}

/** An HTTP readiness probe asked from inside the container (curl is in every gategrid image), of itself or of a host by name. */
function httpProbeFromInside(http: { port: number; path: string; status: number }, host = '127.0.0.1'): ReadyProbe {
  const url = `http://${host}:${http.port}${http.path}`;
  return { kind: 'exec', command: ['sh', '-c', `[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 ${url})" = ${http.status} ]`] };
}

function checkAcyclic(steps: readonly Step[], file: string): void {
  const byName = new Map(steps.map((s) => [s.name, s]));
  for (const step of steps) {
    for (const dep of step.deps) {
      if (!byName.has(dep)) throw new ConfigError(file, 'services', `${step.name} waits for "${dep}", which is no service or job of this scenario (known: ${[...byName.keys()].join(', ')})`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new ConfigError(file, 'services', `dependency cycle: ${[...trail, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of byName.get(name)?.deps ?? []) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const s of steps) visit(s.name, []);
}
