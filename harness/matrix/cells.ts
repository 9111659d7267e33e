import path from 'node:path';
import type { LoadedScenario } from '../config/load-scenario.ts';
import { repoRoot } from '../config/paths.ts';
import { UsageError } from '../errors.ts';
import type { PlannedCell } from '../runner/run-matrix.ts';

export interface MatrixFilter {
  readonly scenarios: readonly LoadedScenario[];
  readonly releases: readonly string[];
  readonly backends: readonly string[];
  /** Explicit `scenario/release/backend` ids; empty = all. */
  readonly cells: readonly string[];
  readonly shard?: { index: number; total: number } | undefined;
}

/** Expands scenario × release × backend into cells, applies filters and the shard, and gives each its repro command. */
export function expandCells(filter: MatrixFilter): PlannedCell[] {
  const out: PlannedCell[] = [];
  for (const scenario of filter.scenarios) {
    for (const releaseName of filter.releases) {
      const release = scenario.releases.get(releaseName);
      if (!release) throw new UsageError(`unknown release "${releaseName}": known are ${[...scenario.releases.keys()].join(', ')} (scenarios/releases.yaml)`);
      for (const backend of filter.backends) {
        const id = `${scenario.spec.name}/${releaseName}/${backend}`;
        if (filter.cells.length > 0 && !filter.cells.includes(id)) continue;
        const skipReason = unsupportedReason(scenario, releaseName);
        out.push({ id, scenario, releaseName, release, backend, repro: reproCommand(scenario, releaseName, backend), ...(skipReason ? { skipReason } : {}) });
      }
    }
  }
  for (const wanted of filter.cells) {
    if (!out.some((c) => c.id === wanted)) throw new UsageError(`--cell ${wanted} matches no cell: ids look like core/zed/docker (see: gategrid list)`);
  }
  return filter.shard ? shardCells(out, filter.shard.index, filter.shard.total) : out;
}

function unsupportedReason(scenario: LoadedScenario, release: string): string | undefined {
  for (const s of scenario.services) {
    const why = s.spec.unsupported[release];
    if (why) return `${s.spec.name} on ${release}: ${why}`;
  }
  return undefined;
}

/** A deterministic share of the cells: by a hash of the id, stable for a given set of cells. */
export function shardCells<T extends { id: string }>(cells: readonly T[], index: number, total: number): T[] {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(index) || index < 1 || index > total) {
    throw new UsageError(`--shard ${index}/${total}: expected i/n with 1 <= i <= n, e.g. --shard 2/3`);
  }
  const sorted = [...cells].sort((a, b) => a.id.localeCompare(b.id));
  return sorted.filter((c, i) => (i % total) + 1 === index);
}

export function parseShard(text: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--shard ${text}: expected i/n, e.g. --shard 2/3`);
  const shard = { index: Number(m[1]), total: Number(m[2]) };
  shardCells([], shard.index, shard.total);
  return shard;
}

export function reproCommand(scenario: LoadedScenario, release: string, backend: string, extra: readonly string[] = []): string {
  const scenarioArg = path.dirname(scenario.file) === path.join(repoRoot, 'scenarios') ? scenario.spec.name : path.relative(repoRoot, scenario.file);
  return ['npx gategrid run', '--scenario', scenarioArg, '--release', release, '--backend', backend, ...extra].join(' ');
}

