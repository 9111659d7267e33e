import { createHash } from 'node:crypto';
import path from 'node:path';
import type { LoadedScenario } from '../config/load-scenario.ts';
import { UsageError } from '../errors.ts';
import { shellJoin } from '../util/shell.ts';
import { parseTempestSelection } from '../../tempest-bridge/selection.ts';
import type { PlannedCell } from './cell.ts';

export interface CellRule {
  readonly scenario?: string | undefined;
  readonly release?: string | undefined;
  readonly backend?: string | undefined;
}

export interface MatrixInput {
  /** The axes: the config's, or what the command line asked for instead. */
  readonly scenarios: readonly LoadedScenario[];
  readonly releases: readonly string[];
  readonly backends: readonly string[];
  /** Extra cells outside the axes (scenarios among `scenarios`). */
  readonly include?: readonly (Required<CellRule>)[];
  /** Cells kept as `skipped` with a reason, unless named by `cells` (an explicit request runs). */
  readonly exclude?: readonly (CellRule & { reason: string })[];
  /** The config's voting rules: the first matching a cell gives its tier (none: blocking). */
  readonly tiers?: readonly (CellRule & { tier: 'informing' | 'experimental'; reason: string })[];
  /** The config's matrix.alwaysRun rules (applied by --affected): checked here only, so a typo in one is refused like any rule's. */
  readonly alwaysRun?: readonly (CellRule & { reason: string })[];
  /** The matrix the rules (exclude, tiers, alwaysRun) are written against (the config's axes): a rule matching none of it is a typo. Default: the axes above. */
  readonly configured?: { readonly scenarios: readonly string[]; readonly releases: readonly string[]; readonly backends: readonly string[] };
  /** Explicit `scenario/release/backend` ids; empty = all. */
  readonly cells: readonly string[];
  /** The config file --config named (none: the default one): each repro command names it too. */
  readonly configFile?: string | undefined;
  readonly shard?: { index: number; total: number } | undefined;
  /** `--tempest`: overrides every scenario's default selection. */
  readonly tempest?: string | undefined;
}

/** Expands scenario × release × backend (plus includes) into cells, marks excluded and unsupported cells skipped with their reason, filters and shards. */
export function expandCells(input: MatrixInput): PlannedCell[] {
  refuseDuplicates(input);
  const combos: Array<[LoadedScenario, string, string]> = [];
  for (const scenario of input.scenarios) {
    for (const release of input.releases) for (const backend of input.backends) combos.push([scenario, release, backend]);
  }
  for (const inc of input.include ?? []) {
    const scenario = input.scenarios.find((s) => s.spec.name === inc.scenario);
    if (!scenario) throw new UsageError(`matrix.include names scenario "${inc.scenario}", which is not among the scenarios (${input.scenarios.map((x) => x.spec.name).join(', ')}): add it to matrix.scenarios or fix the name`);
    if (!combos.some(([s, r, b]) => s === scenario && r === inc.release && b === inc.backend)) combos.push([scenario, inc.release, inc.backend]);
  }
  const configured = input.configured ?? { scenarios: input.scenarios.map((x) => x.spec.name), releases: input.releases, backends: input.backends };
  const configuredCombos = configured.scenarios.flatMap((sc) => configured.releases.flatMap((r) => configured.backends.map((b) => [sc, r, b] as const)));
  for (const [field, rules] of [['exclude', input.exclude ?? []], ['tiers', input.tiers ?? []], ['alwaysRun', input.alwaysRun ?? []]] as const) {
    rules.forEach((rule: CellRule, i: number) => {
      if (!configuredCombos.some(([sc, r, b]) => cellMatches(rule, sc, r, b)) && !combos.some(([sc, r, b]) => cellMatches(rule, sc.spec.name, r, b))) {
        throw new UsageError(`matrix.${field}[${i}] (${ruleText(rule)}) matches no cell of the matrix: fix its scenario, release or backend, or remove it`);
      }
    });
  }
  const out: PlannedCell[] = [];
  for (const [scenario, releaseName, backend] of combos) {
    const release = scenario.releases.get(releaseName);
    if (!release) throw new UsageError(`unknown release "${releaseName}": known are ${[...scenario.releases.keys()].join(', ')} (scenarios/releases.yaml)`);
    const id = `${scenario.spec.name}/${releaseName}/${backend}`;
    if (input.cells.length > 0 && !input.cells.includes(id)) continue;
    const excluded = input.cells.includes(id) ? undefined : (input.exclude ?? []).find((rule) => cellMatches(rule, scenario.spec.name, releaseName, backend));
    const upgradeTo = scenario.spec.upgrade?.paths[releaseName];
    const skipReason = excluded ? `excluded by the config: ${excluded.reason}` : unsupportedReason(scenario, releaseName, backend)
      ?? (scenario.spec.upgrade && upgradeTo === undefined ? `no upgrade path from ${releaseName} (upgrade.paths in ${path.relative(process.cwd(), scenario.file)})` : undefined)
      ?? (upgradeTo !== undefined ? unsupportedReason(scenario, upgradeTo, backend, scenario.spec.upgrade!.services) : undefined);
    const selectionText = input.tempest ?? scenario.spec.tempest.default;
    const tempest = parseTempestSelection(selectionText, input.tempest === undefined ? `${scenario.file}: tempest.default` : '--tempest');
    const extra = [
      ...(input.configFile ? ['--config', path.relative(process.cwd(), path.resolve(input.configFile))] : []),
      ...(selectionText === scenario.spec.tempest.default ? [] : ['--tempest', selectionText]),
    ];
    const tier = (input.tiers ?? []).find((rule) => cellMatches(rule, scenario.spec.name, releaseName, backend));
    out.push({
      id, scenario, releaseName, release, backend, tempest, repro: reproCommand(scenario, releaseName, backend, extra),
      ...(tier ? { tier: tier.tier, tierReason: tier.reason } : {}),
      ...(skipReason ? { skipReason } : {}),
      ...(upgradeTo !== undefined ? { upgradeTo: { releaseName: upgradeTo, release: scenario.releases.get(upgradeTo)! } } : {}),
    });
  }
  for (const wanted of input.cells) {
    if (!out.some((c) => c.id === wanted)) throw new UsageError(`--cell ${wanted} matches no cell: ids look like core/zed/docker (see: gategrid list)`);
  }
  return input.shard ? shardCells(out, input.shard.index, input.shard.total) : out;
}

function ruleText(rule: CellRule): string {
  return Object.entries(rule).filter(([k, v]) => k !== 'reason' && k !== 'tier' && v !== undefined).map(([k, v]) => `${k}: ${String(v)}`).join(', ') || 'every cell';
}

/** The same scenario, release or backend twice would give two cells one id: refused, with where it came from. */
function refuseDuplicates(input: MatrixInput): void {
  const twice = (values: readonly string[]) => values.find((v, i) => values.indexOf(v) !== i);
  const scenario = twice(input.scenarios.map((s) => s.spec.name));
  if (scenario !== undefined) {
    const files = input.scenarios.filter((s) => s.spec.name === scenario).map((s) => path.relative(process.cwd(), s.file));
    throw new UsageError(`scenario "${scenario}" is given twice${new Set(files).size > 1 ? ` (${files.join(' and ')} have the same name)` : ''}: name each once (--scenario, or matrix.scenarios in gategrid.config.yaml)`);
  }
  const release = twice(input.releases);
  if (release !== undefined) throw new UsageError(`release "${release}" is given twice: name each once (--release, or matrix.releases in gategrid.config.yaml)`);
  const backend = twice(input.backends);
  if (backend !== undefined) throw new UsageError(`backend "${backend}" is given twice: name each once (--backend, or matrix.backends in gategrid.config.yaml)`);
}

/** Whether a config rule (each field optional) names this cell. */
export function cellMatches(rule: CellRule, scenario: string, release: string, backend: string): boolean {
  return (rule.scenario === undefined || rule.scenario === scenario)
    && (rule.release === undefined || rule.release === release)
    && (rule.backend === undefined || rule.backend === backend);
}

/** A recipe's `unsupported` names releases and backends, each with the reason. */
function unsupportedReason(scenario: LoadedScenario, release: string, backend: string, only?: readonly string[]): string | undefined {
  for (const s of scenario.services) {
    if (only && !only.includes(s.spec.name)) continue;
    const why = s.spec.unsupported[release];
    if (why) return `${s.spec.name} on ${release}: ${why}`;
    const whyBackend = s.spec.unsupported[backend];
    if (whyBackend) return `${s.spec.name} on ${backend}: ${whyBackend}`;
  }
  return undefined;
}

/**
 * A deterministic share of the cells, by a hash of each cell's id: a cell stays in its shard when
 * cells are added or removed, so a CI shard's history stays comparable run after run.
 */
export function shardCells<T extends { id: string }>(cells: readonly T[], index: number, total: number): T[] {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(index) || index < 1 || index > total) {
    throw new UsageError(`--shard ${index}/${total}: expected i/n with 1 <= i <= n, e.g. --shard 2/3`);
  }
  return cells.filter((cell) => (createHash('sha256').update(cell.id).digest().readUInt32BE(0) % total) + 1 === index);
}

export function parseShard(text: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--shard ${text}: expected i/n, e.g. --shard 2/3`);
  const shard = { index: Number(m[1]), total: Number(m[2]) };
  shardCells([], shard.index, shard.total);
  return shard;
}

export function reproCommand(scenario: LoadedScenario, release: string, backend: string, extra: readonly string[] = []): string {
  // A catalogue's scenario by its name; a scenario file by its path from where gategrid runs.
  const scenarioArg = scenario.byName ? scenario.spec.name : path.relative(process.cwd(), scenario.file);
  // The scenario revision pins the recipes (and so the images' content hashes) of the failing run.
  return `npx gategrid run ${shellJoin(['--scenario', scenarioArg, '--release', release, '--backend', backend, ...extra, '--revision', scenario.revision])}`;
}

