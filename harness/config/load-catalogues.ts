/** Catalogues as a search path: releases, images, scenarios and service recipes, each name from one catalogue. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { readYamlFile, validateYaml } from './yaml-file.ts';
import { imagesFileSchema, releasesFileSchema, type ImageSpec, type PrebuiltImageSpec, type ReleaseSpec } from './schemas.ts';
import { scenariosDir as shippedCatalogue } from './paths.ts';

/**
 * A catalogue is a folder: `releases.yaml`, scenarios (`*.yaml` beside it), service recipes
 * (`services/NAME/service.yaml`) and image recipes (`images/images.yaml`, a folder each), every
 * part optional. gategrid ships one (`openstack`, this repository's `scenarios/`); a project names
 * its own first in gategrid.config.yaml's `catalogues`.
 */
export const SHIPPED_CATALOGUE = 'openstack';

/** An image recipe: built from its folder on its parent, or a prebuilt image by reference. */
export type LoadedImage = BuiltRecipe | PrebuiltRecipe;
export interface BuiltRecipe extends ImageSpec {
  readonly kind: 'built';
  readonly name: string;
  readonly dir: string;
}
export interface PrebuiltRecipe extends PrebuiltImageSpec {
  readonly kind: 'prebuilt';
  readonly name: string;
}

/** The parent a recipe builds on, if it is built from a recipe of the catalogue (not @base, not prebuilt). */
export function parentOf(image: LoadedImage | undefined): string | undefined {
  return image?.kind === 'built' && image.from !== '@base' ? image.from : undefined;
}

/** Where a name was found: the file that defines it (a clash names both). */
interface Found<T> {
  readonly value: T;
  readonly file: string;
}

export interface Catalogues {
  /** The search path, in order (absolute folders). */
  readonly dirs: readonly string[];
  readonly releases: ReadonlyMap<string, ReleaseSpec>;
  readonly images: ReadonlyMap<string, LoadedImage>;
  /** Scenario name → its file. */
  readonly scenarios: ReadonlyMap<string, string>;
  /** Service name → its recipe's folder. */
  readonly services: ReadonlyMap<string, string>;
}

/** The folder a `catalogues` entry names: the shipped one by its name, else a path from `base` (the config file's folder). */
export function catalogueDir(entry: string, base: string): string {
  return entry === SHIPPED_CATALOGUE ? shippedCatalogue : path.resolve(base, entry);
}

function add<T>(into: Map<string, Found<T>>, kind: string, name: string, value: T, file: string, field: string): void {
  const earlier = into.get(name);
  if (earlier) {
    throw new ConfigError(file, field, `${kind} "${name}" is also defined by ${earlier.file} (an earlier catalogue): rename one, or leave one catalogue out of gategrid.config.yaml's catalogues`);
  }
  into.set(name, { value, file });
}

const values = <T>(found: Map<string, Found<T>>) => new Map([...found].map(([k, v]) => [k, v.value]));

/** Reads every catalogue of the path; a name two of them define is an error naming both files. */
export async function loadCatalogues(dirs: string | readonly string[] = [shippedCatalogue]): Promise<Catalogues> {
  const path_ = (typeof dirs === 'string' ? [dirs] : [...dirs]).map((d) => path.resolve(d));
  const releases = new Map<string, Found<ReleaseSpec>>();
  const images = new Map<string, Found<LoadedImage>>();
  const scenarios = new Map<string, Found<string>>();
  const services = new Map<string, Found<string>>();
  for (const dir of path_) {
    if (!existsSync(dir)) throw new ConfigError(dir, '', 'no such catalogue folder: create it, or fix the path in gategrid.config.yaml\'s catalogues');
    const releasesFile = path.join(dir, 'releases.yaml');
    if (existsSync(releasesFile)) {
      const defined = validateYaml(await readYamlFile(releasesFile), releasesFileSchema).releases;
      for (const [name, spec] of Object.entries(defined)) add(releases, 'release', name, spec, releasesFile, `releases.${name}`);
    }
    const imagesFile = path.join(dir, 'images', 'images.yaml');
    if (existsSync(imagesFile)) {
      const defined = validateYaml(await readYamlFile(imagesFile), imagesFileSchema).images;
      for (const [name, spec] of Object.entries(defined)) {
        const loaded: LoadedImage = 'ref' in spec
          ? { kind: 'prebuilt', name, ref: spec.ref, ...(spec.digest ? { digest: spec.digest } : {}) }
          : { kind: 'built', ...spec, name, dir: path.join(dir, 'images', spec.dir ?? name) };
        add(images, 'image', name, loaded, imagesFile, `images.${name}`);
      }
    }
    for (const entry of (await readdir(dir)).sort()) {
      if (!entry.endsWith('.yaml') || entry === 'releases.yaml') continue;
      const file = path.join(dir, entry);
      add(scenarios, 'scenario', entry.slice(0, -5), file, file, '(file)');
    }
    const servicesDir = path.join(dir, 'services');
    for (const entry of existsSync(servicesDir) ? (await readdir(servicesDir)).sort() : []) {
      const recipe = path.join(servicesDir, entry, 'service.yaml');
      if (existsSync(recipe)) add(services, 'service recipe', entry, path.join(servicesDir, entry), recipe, 'name');
    }
  }
  // A parent may come from any catalogue of the path (a project's image on the shipped base).
  for (const [name, { value, file }] of images) {
    const parent = parentOf(value);
    if (parent !== undefined && !images.has(parent)) {
      throw new ConfigError(file, `images.${name}.from`, `unknown parent image "${parent}": use "@base" or one of ${[...images.keys()].join(', ')}`);
    }
  }
  return { dirs: path_, releases: values(releases), images: values(images), scenarios: values(scenarios), services: values(services) };
}

/** The scenario names the catalogues define, sorted. */
export function listScenarioNames(catalogues: Catalogues): string[] {
  return [...catalogues.scenarios.keys()].sort();
}

/** `core` → its catalogue's core.yaml (undefined when no catalogue has it); anything ending in .yaml is a path (a fixture). */
export function scenarioFile(nameOrPath: string, catalogues: Catalogues): string | undefined {
  return nameOrPath.endsWith('.yaml') ? path.resolve(nameOrPath) : catalogues.scenarios.get(nameOrPath);
}
