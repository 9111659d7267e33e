import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, UsageError } from '../errors.ts';
import { readYamlFile, validateYaml } from './yaml-file.ts';
import { scenarioSchema, serviceSchema, type ReleaseSpec, type ScenarioSpec, type ServiceSpec } from './schemas.ts';
import { listScenarioNames, scenarioFile, type Catalogues, type LoadedImage } from './load-catalogues.ts';

export interface LoadedService {
  readonly spec: ServiceSpec;
  readonly file: string;
  readonly dir: string;
  /** Template name → text, read once at load time. */
  readonly templates: ReadonlyMap<string, string>;
}

export interface LoadedScenario {
  readonly spec: ScenarioSpec;
  readonly file: string;
  readonly services: readonly LoadedService[];
  readonly images: ReadonlyMap<string, LoadedImage>;
  readonly releases: ReadonlyMap<string, ReleaseSpec>;
  /** Content hash of the scenario file and every recipe it uses: the "scenario revision". */
  readonly revision: string;
  /** Found by its name in a catalogue (a repro command names it so), rather than given as a file. */
  readonly byName: boolean;
}

export async function loadScenario(nameOrPath: string, catalogues: Catalogues): Promise<LoadedScenario> {
  const file = scenarioFile(nameOrPath, catalogues);
  if (file === undefined) {
    throw new UsageError(`unknown scenario "${nameOrPath}": known are ${listScenarioNames(catalogues).join(', ')} (from the catalogues ${catalogues.dirs.join(', ')}; or give a path to a scenario .yaml file)`);
  }
  const yaml = await readYamlFile(file);
  const spec = validateYaml(yaml, scenarioSchema);
  const hash = createHash('sha256').update(JSON.stringify(yaml.data));

  const services: LoadedService[] = [];
  for (const [i, serviceName] of spec.services.entries()) {
    const dir = catalogues.services.get(serviceName);
    if (dir === undefined) {
      throw new ConfigError(file, `services[${i}]`, `no service recipe "${serviceName}" (expected services/${serviceName}/service.yaml in a catalogue: ${catalogues.dirs.join(', ')})`, { line: yaml.lineOf(['services', i]) });
    }
    const recipeFile = path.join(dir, 'service.yaml');
    const recipeYaml = await readYamlFile(recipeFile);
    const recipe = validateYaml(recipeYaml, serviceSchema);
    if (recipe.name !== serviceName) {
      throw new ConfigError(recipeFile, 'name', `is "${recipe.name}" but the folder is "${serviceName}": make them equal`, { line: recipeYaml.lineOf(['name']) });
    }
    requireImage(catalogues, recipe.image, recipeFile, 'image', recipeYaml.lineOf(['image']));
    const templates = new Map<string, string>();
    // A recipe reads its own folder, or a shared one beside it in its catalogue (../nova-common/nova.conf).
    const catalogue = path.dirname(dir);
    for (const [j, config] of recipe.configs.entries()) {
      const resolved = path.resolve(dir, config.template);
      if (path.isAbsolute(config.template) || !resolved.startsWith(catalogue + path.sep)) {
        throw new ConfigError(recipeFile, `configs[${j}].template`, `template path ${config.template} leaves the service catalogue ${catalogue}: name a file in the recipe's folder or in a shared folder beside it`, { line: recipeYaml.lineOf(['configs', j, 'template']) });
      }
      try {
        templates.set(config.template, await readFile(resolved, 'utf8'));
      } catch (cause) {
        throw new ConfigError(recipeFile, `configs[${j}].template`, `template file ${path.join(dir, config.template)} cannot be read`, { line: recipeYaml.lineOf(['configs', j, 'template']), cause });
      }
    }
    hash.update(JSON.stringify(recipeYaml.data));
    for (const [k, v] of [...templates].sort()) hash.update(k).update(v);
    // What the scenario adds to the recipe's `after` is checked with it, as the recipe's own.
    const override = spec.overrides[serviceName];
    const extra = override?.after ?? [];
    const merged = {
      ...recipe,
      ...(extra.length > 0 ? { after: [...new Set([...recipe.after, ...extra])] } : {}),
      ...(override?.privileges ? { privileges: override.privileges } : {}),
      ...(override?.namespaces ? { namespaces: override.namespaces } : {}),
    };
    services.push({ spec: merged, file: recipeFile, dir, templates });
  }

  checkReferences(spec, file, services, yaml.lineOf.bind(yaml));
  checkProbes(spec, file, services, yaml.lineOf.bind(yaml));
  spec.checks.runners.forEach((r, i) => requireImage(catalogues, r.image, file, `checks.runners[${i}].image`, yaml.lineOf(['checks', 'runners', i, 'image'])));
  if (spec.workload) requireImage(catalogues, spec.workload.guestImage, file, 'workload.guestImage', yaml.lineOf(['workload', 'guestImage']));
  checkWorkload(spec, file, services, yaml.lineOf.bind(yaml));
  checkUpgrade(spec, file, services, catalogues.releases, yaml.lineOf.bind(yaml));
  return { spec, file, services, images: catalogues.images, releases: catalogues.releases, revision: hash.digest('hex').slice(0, 12), byName: !nameOrPath.endsWith('.yaml') };
}

/** Every image a recipe, a runner or a workload names is an image recipe of a catalogue: one check, one wording. */
function requireImage(catalogues: Catalogues, image: string, file: string, field: string, line: number | undefined): void {
  if (catalogues.images.has(image)) return;
  throw new ConfigError(file, field, `unknown image "${image}": name an image of images/images.yaml in a catalogue (${catalogues.dirs.join(', ')}; known: ${[...catalogues.images.keys()].join(', ')})`, { line });
}

/** A workload names a service of the scenario (its image is checked with the others), and the `workload` checks need it. */
function checkWorkload(spec: ScenarioSpec, file: string, services: readonly LoadedService[], lineOf: (p: PropertyKey[]) => number | undefined): void {
  const workload = spec.workload;
  if (!workload) {
    const i = spec.checks.api.indexOf('workload');
    if (i >= 0) throw new ConfigError(file, `checks.api[${i}]`, 'the workload checks boot a guest: add a workload section (guestImage, probe), or remove "workload"', { line: lineOf(['checks', 'api', i]) });
    return;
  }
  if (!services.some((s) => s.spec.name === workload.probe)) {
    throw new ConfigError(file, 'workload.probe', `service "${workload.probe}" is not in services: add the service that stands on the external network`, { line: lineOf(['workload', 'probe']) });
  }
}

/** An upgrade section names services, endpoints and releases that exist, and upgrades to another release. */
function checkUpgrade(spec: ScenarioSpec, file: string, services: readonly LoadedService[], releases: ReadonlyMap<string, unknown>, lineOf: (p: PropertyKey[]) => number | undefined): void {
  const upgrade = spec.upgrade;
  if (!upgrade) return;
  const known = [...releases.keys()].join(', ');
  for (const [from, to] of Object.entries(upgrade.paths)) {
    const line = lineOf(['upgrade', 'paths', from]);
    if (!releases.has(from)) throw new ConfigError(file, `upgrade.paths.${from}`, `unknown release "${from}": known are ${known}`, { line });
    if (!releases.has(to)) throw new ConfigError(file, `upgrade.paths.${from}`, `unknown release "${to}": known are ${known}`, { line });
    if (from === to) throw new ConfigError(file, `upgrade.paths.${from}`, 'upgrades to the same release: name a newer one', { line });
  }
  if (upgrade.strategy === 'rolling' && !services.some((s) => s.spec.fronts.length > 0)) {
    throw new ConfigError(file, 'upgrade.strategy', 'rolling needs a frontend in services (a recipe with `fronts`, such as haproxy) to move traffic between the releases; add it, or use in-place', { line: lineOf(['upgrade', 'strategy']) });
  }
  upgrade.services.forEach((name, i) => {
    const service = services.find((s) => s.spec.name === name);
    if (!service) throw new ConfigError(file, `upgrade.services[${i}]`, `service "${name}" is not in services`, { line: lineOf(['upgrade', 'services', i]) });
    if (service.spec.upgrade.stays) {
      throw new ConfigError(file, `upgrade.services[${i}]`, `${name} cannot be upgraded between these releases (its recipe ${service.file}, upgrade.stays: ${service.spec.upgrade.stays}); remove it from upgrade.services`, { line: lineOf(['upgrade', 'services', i]) });
    }
  });
  const taken = new Set([...services.map((s) => s.spec.name), ...services.flatMap((s) => s.spec.jobs.map((j) => j.name))]);
  for (const s of services) {
    for (const list of ['jobs', 'expand', 'contract', 'after'] as const) {
      s.spec.upgrade[list].forEach((job, j) => {
        if (taken.has(job.name)) throw new ConfigError(s.file, `upgrade.${list}[${j}].name`, `name "${job.name}" is already a service or job of scenario "${spec.name}": job names must be unique`);
        if (job.action) throw new ConfigError(s.file, `upgrade.${list}[${j}]`, 'an upgrade job runs (run) or execs (exec); actions are for the deploy');
        taken.add(job.name);
      });
    }
  }
  const endpoints = services.flatMap((s) => s.spec.endpoints.map((e) => e.name));
  for (const name of Object.keys(upgrade.dataPlane)) {
    const line = lineOf(['upgrade', 'dataPlane', name]);
    if (!upgrade.services.includes(name)) throw new ConfigError(file, `upgrade.dataPlane.${name}`, `"${name}" is not in upgrade.services: a data-plane budget is for a service the upgrade moves; add it there or remove the entry`, line !== undefined ? { line } : {});
    if (!upgrade.resources.includes('workload')) throw new ConfigError(file, `upgrade.dataPlane.${name}`, 'a data-plane budget judges the kept guest: add workload to upgrade.resources', line !== undefined ? { line } : {});
  }
  upgrade.probe.forEach((name, i) => {
    if (!endpoints.includes(name)) throw new ConfigError(file, `upgrade.probe[${i}]`, `no service of the scenario has an endpoint "${name}" (known: ${endpoints.join(', ') || 'none'})`, { line: lineOf(['upgrade', 'probe', i]) });
  });
  if (upgrade.resources.length > 0 && !services.some((s) => s.spec.cloud)) {
    throw new ConfigError(file, 'upgrade.resources', 'resources are made through the API: add the identity service (a recipe with a "cloud" section)', { line: lineOf(['upgrade', 'resources']) });
  }
}

/** Cross-file rules a schema cannot express: every name a recipe mentions exists in the scenario. */
/** Probe names unique where they are given; an exec runs in a service of the scenario (the scenario's own must name one). */
function checkProbes(spec: ScenarioSpec, file: string, services: readonly LoadedService[], lineOf: (p: PropertyKey[]) => number | undefined): void {
  const serviceNames = new Set(services.map((s) => s.spec.name));
  const sources = [
    { file, field: 'checks.probes', probes: spec.checks.probes, owner: undefined as string | undefined, line: (i: number) => lineOf(['checks', 'probes', i]) },
    ...services.map((s) => ({ file: s.file, field: 'probes', probes: s.spec.probes, owner: s.spec.name as string | undefined, line: () => undefined })),
    ...(['create', 'verify', 'cleanup'] as const).map((step) => ({
      file, field: `upgrade.data.${step}`, probes: spec.upgrade?.data?.[step] ?? [], owner: undefined as string | undefined, line: (i: number) => lineOf(['upgrade', 'data', step, i]),
    })),
  ];
  spec.upgrade?.data?.needs.forEach((need, i) => {
    if (!serviceNames.has(need)) {
      const line = lineOf(['upgrade', 'data', 'needs', i]);
      throw new ConfigError(file, `upgrade.data.needs[${i}]`, `"${need}" is not a service of scenario ${spec.name}: name one of ${[...serviceNames].join(', ')}`, line !== undefined ? { line } : {});
    }
  });
  for (const source of sources) {
    const seen = new Set<string>();
    source.probes.forEach((p, i) => {
      const line = source.line(i);
      const where = { ...(line !== undefined ? { line } : {}) };
      if (seen.has(p.name)) throw new ConfigError(source.file, `${source.field}[${i}].name`, `"${p.name}" is used twice: name each probe once`, where);
      seen.add(p.name);
      if (!p.exec) return;
      const target = p.exec.service ?? source.owner;
      if (target === undefined) throw new ConfigError(source.file, `${source.field}[${i}].exec.service`, `a scenario's exec probe must name the service it runs in (one of ${[...serviceNames].join(', ')})`, where);
      if (!serviceNames.has(target)) throw new ConfigError(source.file, `${source.field}[${i}].exec.service`, `"${target}" is not a service of scenario ${spec.name}: name one of ${[...serviceNames].join(', ')}`, where);
    });
  }
}

function checkReferences(spec: ScenarioSpec, file: string, services: readonly LoadedService[], lineOf: (p: PropertyKey[]) => number | undefined): void {
  const serviceNames = new Set(services.map((s) => s.spec.name));
  const frontends = services.filter((s) => s.spec.fronts.length > 0).map((s) => s.spec.name);
  if (frontends.length > 1) throw new ConfigError(file, 'services', `more than one frontend (${frontends.join(', ')}): a scenario has at most one service with \`fronts\``);
  const stepNames = new Set<string>(serviceNames);
  for (const s of services) {
    for (const job of s.spec.jobs) {
      if (stepNames.has(job.name)) throw new ConfigError(s.file, `jobs.${job.name}`, `name "${job.name}" is used twice in scenario ${spec.name}: job names must be unique`);
      stepNames.add(job.name);
    }
  }
  for (const [service, o] of Object.entries(spec.overrides)) {
    o.after.forEach((dep, i) => {
      if (!stepNames.has(dep)) throw new ConfigError(file, `overrides.${service}.after[${i}]`, `"${dep}" is neither a service nor a job of scenario "${spec.name}": add it to services`, { line: lineOf(['overrides', service, 'after', i]) });
    });
  }
  for (const s of services) {
    // A service waits for services, or for another service's job (nova's services for nova-api's db sync).
    s.spec.after.forEach((dep, i) => {
      if (!stepNames.has(dep)) throw new ConfigError(s.file, `after[${i}]`, `service "${dep}" is not part of scenario "${spec.name}" (${file}), nor a job of one of its services: add it to its services`);
    });
    const joined = s.spec.namespaces?.network;
    if (joined !== undefined) {
      if (!serviceNames.has(joined) || joined === s.spec.name) throw new ConfigError(s.file, 'namespaces.network', `service "${joined}" is not another service of scenario "${spec.name}": name the service whose network namespace this one joins, and add it to services`);
      if (!s.spec.after.includes(joined)) throw new ConfigError(s.file, 'namespaces.network', `the namespace of "${joined}" exists only once it runs: add "${joined}" to after`);
      if (s.spec.ports.length > 0) throw new ConfigError(s.file, 'ports', `a service in the network namespace of "${joined}" publishes no port of its own: publish it on "${joined}"`);
    }
    s.spec.jobs.forEach((job, j) => {
      job.after.forEach((dep, i) => {
        if (!stepNames.has(dep)) throw new ConfigError(s.file, `jobs[${j}].after[${i}]`, `"${dep}" is neither a service nor a job of scenario "${spec.name}"`);
      });
      if (job.exec && !serviceNames.has(job.exec.service)) throw new ConfigError(s.file, `jobs[${j}].exec.service`, `service "${job.exec.service}" is not part of scenario "${spec.name}"`);
      if (job.action === 'catalog' && !s.spec.catalog) throw new ConfigError(s.file, `jobs[${j}].action`, 'a catalog action needs a "catalog" section in the same recipe');
    });
  }
  for (const name of Object.keys(spec.overrides)) {
    if (!serviceNames.has(name)) throw new ConfigError(file, `overrides.${name}`, `service "${name}" is not in services`, { line: lineOf(['overrides', name]) });
  }
  spec.logs.allow.forEach((a, i) => a.services?.forEach((name, j) => {
    if (!serviceNames.has(name)) throw new ConfigError(file, `logs.allow[${i}].services[${j}]`, `service "${name}" is not in services`, { line: lineOf(['logs', 'allow', i, 'services', j]) });
  }));
  const clouds = services.filter((s) => s.spec.cloud);
  const needsCloud = spec.checks.api.length > 0 || services.some((s) => s.spec.catalog);
  if (needsCloud && clouds.length !== 1) {
    throw new ConfigError(file, 'services', `API checks and catalog registration need exactly one service with a "cloud" section (found ${clouds.length}): add the identity service`);
  }
}
