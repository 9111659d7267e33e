import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The one-way flow the README states, as data and checked (after Playwright's DEPS.list files):
 * CLI → config → matrix → runner → images → backend → checks → results → reporters. A module may
 * import from its own layer or a lower one; never upward. `npm test` runs this over the tree.
 */
export const LAYERS: ReadonlyArray<{ readonly layer: number; readonly paths: readonly string[]; readonly why: string }> = [
  { layer: 0, paths: ['harness/errors.ts', 'harness/labels.ts', 'harness/util/', 'harness/results/'], why: 'errors, labels, helpers and the results model: used by everything, use nothing' },
  { layer: 1, paths: ['harness/config/', 'reports/'], why: 'scenario and config loading; reporters, which see only results' },
  { layer: 2, paths: ['harness/matrix/', 'tempest-bridge/selection.ts'], why: 'cells planned from the config (a Tempest selection is part of a cell)' },
  { layer: 3, paths: ['harness/docker-cli.ts', 'harness/images/', 'harness/backends/'], why: 'images and the backends that run them' },
  { layer: 4, paths: ['harness/deploy/'], why: 'a scenario rendered into a plan and executed on a backend' },
  { layer: 5, paths: ['harness/checks/'], why: 'generic checks of a deployed cell' },
  { layer: 6, paths: ['harness/openstack/', 'tempest-bridge/'], why: 'what is OpenStack-specific: API checks, catalog, Tempest' },
  { layer: 7, paths: ['harness/upgrade/'], why: 'the upgrade test, built on deploy, checks and openstack' },
  { layer: 8, paths: ['harness/runner/'], why: 'a cell\'s phases and the matrix run' },
  { layer: 9, paths: ['harness/cli/', 'scripts/'], why: 'entry points' },
];

export function layerOf(file: string): number | undefined {
  let best: { layer: number; length: number } | undefined;
  for (const l of LAYERS) {
    for (const p of l.paths) {
      if ((file === p || (p.endsWith('/') && file.startsWith(p))) && (!best || p.length > best.length)) best = { layer: l.layer, length: p.length };
    }
  }
  return best?.layer;
}

export interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly message: string;
}

/**
 * Relative imports of a module's source: static ones, type-only ones (they are coupling too) and
 * dynamic `import('./x.ts')` (a module loaded when needed is still a dependency).
 */
export function importsOf(source: string): string[] {
  const fixed = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  const dynamic = [...source.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)].map((m) => m[1]!);
  return [...fixed, ...dynamic];
}

/** Checks files given as repo-relative path → source text. */
export function checkLayers(files: ReadonlyMap<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, source] of files) {
    const from = layerOf(file);
    if (from === undefined) {
      out.push({ file, imports: '', message: `${file} belongs to no layer: add it to LAYERS in scripts/layers.ts` });
      continue;
    }
    for (const spec of importsOf(source)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = layerOf(target);
      if (to !== undefined && to > from) {
        out.push({ file, imports: target, message: `${file} (layer ${from}) imports ${target} (layer ${to}): the flow runs one way; move the shared part down or invert the call` });
      }
    }
  }
  return out;
}

/** The project's own sources (tests excluded: they may reach any layer). */
export async function projectSources(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of ['harness', 'reports', 'tempest-bridge', 'scripts']) {
    for (const entry of await readdir(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const abs = path.join(entry.parentPath, entry.name);
      files.set(path.relative(root, abs).split(path.sep).join('/'), await readFile(abs, 'utf8'));
    }
  }
  return files;
}
