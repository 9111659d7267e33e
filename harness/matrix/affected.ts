import path from 'node:path';
import { parentOf, type LoadedImage } from '../config/load-catalogues.ts';
import { cellImages, upgradeImages, type PlannedCell } from './cell.ts';
import { cellMatches, type CellRule } from './cells.ts';

/**
 * Which cells a change touches (as Kolla's jobs run only when their `files:` change), from the
 * dependency graph gategrid already has: a scenario file → its cells; a service recipe (its folder,
 * templates included) → the cells whose scenario deploys it; an image recipe → the cells that need
 * it or an image built on it; Tempest's bridge → the cells that run Tempest; a backend's code →
 * that backend's cells; the upgrade's code → the upgrade cells; the rest of the harness, the
 * releases, the image catalogue, the config and the packages → every cell. Files no cell runs
 * (tests, fixtures, reporters, documents, CI) touch none. A file nothing maps is every cell's, said so.
 */
export type AffectedReasons = ReadonlyMap<string, readonly string[]>;

interface Rule {
  /** Whether the rule speaks for this file (a path relative to the repository, with forward slashes). */
  readonly matches: (file: string) => boolean;
  /** The cells it touches, each with the reason; undefined for a file that touches none. */
  readonly cells: (file: string, cells: readonly PlannedCell[], ctx: Context) => Array<[PlannedCell, string]> | undefined;
}

interface Context {
  readonly images: ReadonlyMap<string, LoadedImage>;
  readonly root: string;
}

const every = (why: string) => (_file: string, cells: readonly PlannedCell[]): Array<[PlannedCell, string]> => cells.map((c) => [c, why]);
const none = (): undefined => undefined;
const under = (...dirs: string[]) => (file: string) => dirs.some((d) => file.startsWith(d));
const rel = (ctx: Context, abs: string) => path.relative(ctx.root, abs).split(path.sep).join('/');

/** The images whose recipe folder holds `file`, and every image built on one of them. */
function imagesTouched(file: string, ctx: Context): Map<string, string> {
  const touched = new Map<string, string>();
  for (const image of ctx.images.values()) {
    // A prebuilt image has no recipe folder here: its reference changes with images.yaml.
    if (image.kind === 'built' && file.startsWith(`${rel(ctx, image.dir)}/`)) touched.set(image.name, `image ${image.name}, whose recipe changed (${file})`);
  }
  // Descendants: an image built on a touched one is rebuilt too.
  for (let grew = true; grew;) {
    grew = false;
    for (const image of ctx.images.values()) {
      const from = parentOf(image);
      const parent = from === undefined ? undefined : touched.get(from);
      if (!touched.has(image.name) && parent !== undefined) {
        touched.set(image.name, `image ${image.name}, built on ${from}${parent.replace(/^image [^,]+/, '')}`);
        grew = true;
      }
    }
  }
  return touched;
}

const RULES: readonly Rule[] = [
  // Read nowhere by a cell.
  { matches: (f) => /\.md$/.test(f) || under('test/', 'fixtures/', 'reports/', '.ci/', 'examples/', 'docs/')(f) || ['.gitignore', 'ava.config.js', 'known-failures.yaml'].includes(f), cells: none },
  { matches: (f) => f === 'scenarios/releases.yaml', cells: every('the releases file changed') },
  { matches: (f) => f === 'scenarios/images/images.yaml', cells: every('the image catalogue changed') },
  {
    matches: (f) => /^scenarios\/[^/]+\.ya?ml$/.test(f),
    cells: (f, cells, ctx) => cells.filter((c) => rel(ctx, c.scenario.file) === f).map((c) => [c, `its scenario changed (${f})`]),
  },
  {
    matches: under('scenarios/services/'),
    cells: (f, cells) => {
      const service = f.split('/')[2]!;
      return cells.filter((c) => c.scenario.services.some((s) => s.spec.name === service)).map((c) => [c, `deploys ${service}, whose recipe changed (${f})`]);
    },
  },
  {
    // Image recipes, Tempest's image (tempest-bridge/image) among them.
    matches: (f) => under('scenarios/images/', 'tempest-bridge/image/')(f),
    cells: (f, cells, ctx) => {
      const touched = imagesTouched(f, ctx);
      return cells.flatMap((c): Array<[PlannedCell, string]> => {
        const needed = [...cellImages(c), ...(c.upgradeTo ? upgradeImages(c) : [])];
        const hit = needed.find((name) => touched.has(name));
        return hit ? [[c, `needs ${touched.get(hit)!}`]] : [];
      });
    },
  },
  {
    matches: under('tempest-bridge/'),
    cells: (f, cells) => cells.filter((c) => c.tempest.kind !== 'none').map((c) => [c, `runs Tempest, whose bridge changed (${f})`]),
  },
  {
    matches: under('harness/backends/docker/', 'harness/backends/kubernetes/'),
    cells: (f, cells) => {
      const backend = f.split('/')[2]!;
      return cells.filter((c) => c.backend === backend).map((c) => [c, `runs on ${backend}, whose backend changed (${f})`]);
    },
  },
  {
    matches: (f) => under('scripts/kubernetes/')(f) || f === 'scripts/cluster.sh',
    cells: (f, cells) => cells.filter((c) => c.backend === 'kubernetes').map((c) => [c, `runs on the local cluster, whose scripts changed (${f})`]),
  },
  {
    matches: under('harness/upgrade/'),
    cells: (f, cells) => cells.filter((c) => c.upgradeTo !== undefined || c.scenario.spec.upgrade !== undefined).map((c) => [c, `an upgrade cell, whose upgrade code changed (${f})`]),
  },
  { matches: under('harness/'), cells: (f, cells) => every(`the harness changed (${f}): every cell runs it`)(f, cells) },
  { matches: (f) => ['package.json', 'package-lock.json', 'tsconfig.json', 'gategrid.config.yaml', 'scripts/setup-host.sh', 'scripts/apt-install.sh'].includes(f), cells: (f, cells) => every(`${f} changed`)(f, cells) },
  { matches: under('scripts/'), cells: none },
];

/** A config rule (matrix.alwaysRun) naming cells that run under --affected whatever changed, with why. */
export interface AlwaysRunRule extends CellRule {
  readonly reason: string;
}

/** Cell id → why a change to `files` touches it (or the config always runs it); cells it does not touch are absent. */
export function affectedCells(files: readonly string[], cells: readonly PlannedCell[], images: ReadonlyMap<string, LoadedImage>, root: string, alwaysRun: readonly AlwaysRunRule[] = []): AffectedReasons {
  const ctx: Context = { images, root };
  const reasons = new Map<string, string[]>();
  const add = (cell: PlannedCell, why: string) => {
    const list = reasons.get(cell.id) ?? [];
    if (!list.includes(why)) list.push(why);
    reasons.set(cell.id, list);
  };
  for (const raw of files) {
    const file = raw.split(path.sep).join('/');
    const rule = RULES.find((r) => r.matches(file));
    if (!rule) {
      for (const c of cells) add(c, `${file} changed, which no rule maps: every cell, to be safe`);
      continue;
    }
    for (const [cell, why] of rule.cells(file, cells, ctx) ?? []) add(cell, why);
  }
  // The config's always-run set: a smoke of the gate that runs on every change, touched or not.
  for (const cell of cells) {
    const rule = alwaysRun.find((r) => cellMatches(r, cell.scenario.spec.name, cell.releaseName, cell.backend));
    if (rule) add(cell, `always run (matrix.alwaysRun in the config): ${rule.reason}`);
  }
  return reasons;
}
