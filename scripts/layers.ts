/**
 * The one-way flow of the sources, as data and checked (after Playwright's DEPS.list files): each
 * unit (a folder or a file) sits on a layer and may import only from lower layers, from its own
 * unit, or from a same-layer file its `peers` name (the per-file exception, with its reason). No
 * import cycle anywhere, a unit included; every file in some unit; every package a unit imports
 * is named in its `packages` and declared in package.json (node: builtins are free). `npm test`
 * runs this over the tree; the README quotes `flowSentence()`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

export interface Unit {
  readonly layer: number;
  readonly paths: readonly string[];
  readonly why: string;
  /** Packages its files may import (type-only imports of a package need its types declared). */
  readonly packages?: readonly string[];
  /** Same-layer files (of other units) it may import, each with why. */
  readonly peers?: ReadonlyArray<{ readonly path: string; readonly why: string }>;
}

export const UNITS: readonly Unit[] = [
  { layer: 0, paths: ['harness/errors.ts', 'harness/labels.ts'], why: 'typed errors and resource labels: used by everything, use nothing' },
  { layer: 1, paths: ['harness/util/'], why: 'helpers: processes, HTTP, files, regexes', packages: ['execa', 'axios'] },
  { layer: 2, paths: ['harness/results/'], why: 'the results model and the verdict', packages: ['zod'] },
  { layer: 3, paths: ['harness/config/'], why: 'scenario, catalogue and config loading', packages: ['yaml', 'zod'] },
  { layer: 3, paths: ['reports/'], why: 'reporters, which see only results', packages: ['exceljs', 'jszip'] },
  { layer: 4, paths: ['tempest-bridge/selection.ts'], why: 'a Tempest selection, part of a planned cell' },
  { layer: 5, paths: ['harness/matrix/'], why: 'cells planned from the config' },
  { layer: 6, paths: ['harness/docker-cli.ts'], why: 'the docker CLI, for images and the Docker backend', packages: ['execa', 'testcontainers'] },
  { layer: 7, paths: ['harness/images/'], why: 'image builds', packages: ['execa'] },
  { layer: 7, paths: ['harness/backends/'], why: 'the backends that run containers', packages: ['@kubernetes/client-node', 'execa', 'testcontainers', 'dockerode'] },
  { layer: 8, paths: ['harness/deploy/'], why: 'a scenario rendered into a plan and executed on a backend' },
  { layer: 9, paths: ['harness/checks/'], why: 'generic checks of a deployed cell', packages: ['axios'] },
  { layer: 10, paths: ['harness/openstack/'], why: 'OpenStack\'s API, compute and workload checks', packages: ['axios'] },
  { layer: 11, paths: ['tempest-bridge/'], why: 'real Tempest, on the resources the checks make' },
  { layer: 12, paths: ['harness/upgrade/'], why: 'the upgrade test, on deploy, checks and openstack' },
  { layer: 13, paths: ['harness/runner/'], why: 'a cell\'s phases and a run\'s wiring' },
  { layer: 14, paths: ['harness/cli/'], why: 'commands: arguments in, exit code out', packages: ['execa'] },
  { layer: 15, paths: ['scripts/'], why: 'set-up, bench and checks of the tree', packages: ['execa', 'typescript'] },
];

/** The flow in one line, lowest layer last, as the README states it. */
export function flowSentence(units: readonly Unit[] = UNITS): string {
  const layers = [...new Set(units.map((u) => u.layer))].sort((a, b) => b - a);
  return layers.map((l) => units.filter((u) => u.layer === l).flatMap((u) => u.paths).join(' + ')).join(' → ');
}

/** The unit a file belongs to: its longest matching path. */
export function unitOf(file: string, units: readonly Unit[] = UNITS): { unit: Unit; path: string } | undefined {
  let best: { unit: Unit; path: string } | undefined;
  for (const unit of units) {
    for (const p of unit.paths) {
      if ((file === p || (p.endsWith('/') && file.startsWith(p))) && (!best || p.length > best.path.length)) best = { unit, path: p };
    }
  }
  return best;
}

export function layerOf(file: string): number | undefined {
  return unitOf(file)?.unit.layer;
}

export interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly message: string;
}

/**
 * Every module specifier of a source, by TypeScript's own scanner: static, type-only, side-effect
 * (`import './x.ts'`), re-exports and dynamic `import('...')`, in either quote.
 */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Checks files given as repo-relative path → source text. `declared`: the packages package.json
 * names (dependencies and devDependencies); a package counts as declared when it or its @types is.
 */
export function checkLayers(files: ReadonlyMap<string, string>, declared: ReadonlySet<string>, units: readonly Unit[] = UNITS): Violation[] {
  const out: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    const from = unitOf(file, units);
    if (from === undefined) {
      out.push({ file, imports: '', message: `${file} belongs to no layer: add it to UNITS in scripts/layers.ts` });
      continue;
    }
    const edges: string[] = [];
    for (const spec of importsOf(source)) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        const name = packageName(spec);
        if (!(from.unit.packages ?? []).includes(name)) {
          out.push({ file, imports: name, message: `${file} imports package ${name}, which ${from.path} may not: add it to that unit's packages in scripts/layers.ts, or use it through a lower layer` });
        } else if (!declared.has(name) && !declared.has(`@types/${name.replace(/^@/, '').replace('/', '__')}`)) {
          out.push({ file, imports: name, message: `${file} imports package ${name}, which package.json does not declare: add it (pinned) to dependencies` });
        }
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      edges.push(target);
      const to = unitOf(target, units);
      if (to === undefined) {
        out.push({ file, imports: target, message: `${file} imports ${target}, which belongs to no layer: add it to UNITS in scripts/layers.ts` });
      } else if (to.unit.layer > from.unit.layer) {
        out.push({ file, imports: target, message: `${file} (layer ${from.unit.layer}) imports ${target} (layer ${to.unit.layer}): the flow runs one way; move the shared part down or invert the call` });
      } else if (to.unit.layer === from.unit.layer && to.unit !== from.unit && !(from.unit.peers ?? []).some((p) => p.path === target)) {
        out.push({ file, imports: target, message: `${file} imports ${target}, of another unit on its layer (${from.unit.layer}): move one down a layer, or name it in ${from.path}'s peers with why` });
      }
    }
    graph.set(file, edges);
  }
  for (const cycle of cycles(graph)) {
    out.push({ file: cycle[0]!, imports: cycle[1]!, message: `import cycle: ${[...cycle, cycle[0]].join(' → ')}: move what both need into a module of its own` });
  }
  return out;
}

/** Each strongly connected component of more than one module (or a module importing itself), as a path through it. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(shortestLoop(graph, new Set(component)));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** A shortest loop from the component's first module (by name) back to it, through the component only. */
function shortestLoop(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const loop = [v];
        while (loop[0] !== start) loop.unshift(cameFrom.get(loop[0]!)!);
        return loop;
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** The project's own sources (tests excluded: they may reach any layer). */
export async function projectSources(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of ['harness', 'reports', 'tempest-bridge', 'scripts']) {
    for (const entry of await readdir(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.[cm]?[jt]s$/.test(entry.name)) continue;
      const abs = path.join(entry.parentPath, entry.name);
      files.set(path.relative(root, abs).split(path.sep).join('/'), await readFile(abs, 'utf8'));
    }
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** The packages package.json declares. */
export async function declaredPackages(root: string): Promise<Set<string>> {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
}
