import path from 'node:path';
import test from 'ava';
import { shardCells, parseShard } from '../../harness/matrix/cells.ts';
import { UsageError } from '../../harness/errors.ts';

const cells = ['core/zed/docker', 'identity/zed/docker', 'core/2025.1/docker', 'identity/2025.1/docker', 'core/victoria/docker'].map((id) => ({ id }));

test('shards partition the cells: disjoint, complete, deterministic', (t) => {
  for (const total of [1, 2, 3, 5, 7]) {
    const shards = Array.from({ length: total }, (_, i) => shardCells(cells, i + 1, total).map((c) => c.id));
    const all = shards.flat();
    t.is(new Set(all).size, all.length, `disjoint for ${total}`);
    t.deepEqual([...all].sort(), cells.map((c) => c.id).sort(), `complete for ${total}`);
    t.deepEqual(shardCells([...cells].reverse(), 1, total).map((c) => c.id).sort(), [...shards[0]!].sort(), `the same cells whatever the input order for ${total}`);
  }
});

test('a malformed shard is a usage error', (t) => {
  t.throws(() => parseShard('3/2'), { instanceOf: UsageError });
  t.throws(() => parseShard('0/2'), { instanceOf: UsageError });
  t.throws(() => parseShard('two'), { instanceOf: UsageError });
  t.deepEqual(parseShard('2/3'), { index: 2, total: 3 });
});

import { expandCells } from '../../harness/matrix/cells.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { loadConfig } from '../../harness/config/load-config.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { parseFault } from '../../harness/runner/faults.ts';

async function scenarios() {
  const catalogues = await loadCatalogues();
  return Promise.all(['identity', 'core'].map((n) => loadScenario(n, catalogues)));
}

test('the shipped config expands to every scenario on every release; kubernetes is one more backend on the axis', async (t) => {
  const { config } = await loadConfig();
  const cells = expandCells({ scenarios: await scenarios(), releases: config.matrix.releases, backends: config.matrix.backends, cells: [] });
  t.deepEqual(cells.map((c) => c.id), ['identity', 'core'].flatMap((s) => ['victoria', 'zed', '2025.1'].map((r) => `${s}/${r}/docker`)));
  const both = expandCells({ scenarios: await scenarios(), releases: ['zed'], backends: ['docker', 'kubernetes'], cells: [] });
  t.deepEqual(both.map((c) => c.id), ['identity/zed/docker', 'identity/zed/kubernetes', 'core/zed/docker', 'core/zed/kubernetes']);
  t.is(both[3]!.repro, `npx gategrid run --scenario core --release zed --backend kubernetes --revision ${both[3]!.scenario.revision}`);
  t.is(cells.find((c) => c.id === 'core/2025.1/docker')?.release.suite, 'trixie');
  t.is(cells[0]!.repro, `npx gategrid run --scenario identity --release victoria --backend docker --revision ${cells[0]!.scenario.revision}`);
});

test('a run of another config than the default: each repro command names that config, from where gategrid runs', async (t) => {
  const { config } = await loadConfig(path.join(repoRoot, 'examples/notes/gategrid.config.yaml'));
  const notes = await loadScenario('notes', await loadCatalogues(config.catalogues));
  const [cell] = expandCells({ scenarios: [notes], releases: ['bookworm'], backends: ['docker'], cells: [], configFile: path.join(repoRoot, 'examples/notes/gategrid.config.yaml') });
  t.is(cell!.repro, `npx gategrid run --scenario notes --release bookworm --backend docker --config ${path.relative(process.cwd(), path.join(repoRoot, 'examples/notes/gategrid.config.yaml'))} --revision ${notes.revision}`);
});

test('an excluded cell stays in the matrix as skipped with its reason; includes add cells', async (t) => {
  const [identity, core] = await scenarios();
  const cells = expandCells({
    scenarios: [identity!, core!], releases: ['zed'], backends: ['docker'], cells: [],
    include: [{ scenario: 'identity', release: 'victoria', backend: 'docker' }],
    exclude: [{ scenario: 'core', reason: 'not today, the mirror is slow' }],
  });
  t.deepEqual(cells.map((c) => [c.id, c.skipReason ?? '']), [
    ['identity/zed/docker', ''],
    ['core/zed/docker', 'excluded by the config: not today, the mirror is slow'],
    ['identity/victoria/docker', ''],
  ]);
});

test('--cell filters to exactly the named cells, and an unknown cell is a usage error', async (t) => {
  const all = await scenarios();
  const cells = expandCells({ scenarios: all, releases: ['zed', '2025.1'], backends: ['docker'], cells: ['core/2025.1/docker'] });
  t.deepEqual(cells.map((c) => c.id), ['core/2025.1/docker']);
  t.throws(() => expandCells({ scenarios: all, releases: ['zed'], backends: ['docker'], cells: ['core/zedd/docker'] }), { instanceOf: UsageError });
  t.throws(() => expandCells({ scenarios: all, releases: ['nope'], backends: ['docker'], cells: [] }), { instanceOf: UsageError, message: /unknown release "nope"/ });
});

test('fault injection flags parse, and malformed ones are usage errors', (t) => {
  t.deepEqual(parseFault('identity/zed/docker:kill=keystone,after=1500,attempt=1'), { cell: 'identity/zed/docker', kill: 'keystone', afterMs: 1500, attempt: 1 });
  t.deepEqual(parseFault('core/zed/docker:kill=glance-api'), { cell: 'core/zed/docker', kill: 'glance-api', afterMs: 0, attempt: undefined });
  t.throws(() => parseFault('core/zed/docker'), { instanceOf: UsageError });
  t.throws(() => parseFault('core/zed/docker:kill=x,after=-1'), { instanceOf: UsageError });
});

test('an upgrade scenario: a cell per release with a path, the others skipped with the reason', async (t) => {
  const scenario = await loadScenario('identity-upgrade', await loadCatalogues());
  const cells = expandCells({ scenarios: [scenario], releases: ['victoria', 'zed', '2025.1'], backends: ['docker'], cells: [] });
  t.deepEqual(cells.map((c) => [c.id, c.upgradeTo?.releaseName, c.skipReason]), [
    ['identity-upgrade/victoria/docker', undefined, 'no upgrade path from victoria (upgrade.paths in scenarios/identity-upgrade.yaml)'],
    ['identity-upgrade/zed/docker', '2025.1', undefined],
    ['identity-upgrade/2025.1/docker', undefined, 'no upgrade path from 2025.1 (upgrade.paths in scenarios/identity-upgrade.yaml)'],
  ]);
  t.is(cells[1]!.upgradeTo?.release.suite, 'trixie');
});

test('duplicates and rules matching nothing are usage errors, not duplicate ids or silent no-ops', async (t) => {
  const [identity, core] = await scenarios();
  t.throws(() => expandCells({ scenarios: [identity!, identity!], releases: ['zed'], backends: ['docker'], cells: [] }), { message: /scenario "identity" is given twice/ });
  t.throws(() => expandCells({ scenarios: [identity!], releases: ['zed', 'zed'], backends: ['docker'], cells: [] }), { message: /release "zed" is given twice/ });
  t.throws(() => expandCells({ scenarios: [identity!], releases: ['zed'], backends: ['docker', 'docker'], cells: [] }), { message: /backend "docker" is given twice/ });
  t.throws(() => expandCells({ scenarios: [identity!, core!], releases: ['zed'], backends: ['docker'], cells: [], exclude: [{ scenario: 'core', release: 'bullseye', reason: 'typo' }] }),
    { message: /matrix\.exclude\[0\] \(scenario: core, release: bullseye\) matches no cell/ });
  t.throws(() => expandCells({ scenarios: [identity!], releases: ['zed'], backends: ['docker'], cells: [], include: [{ scenario: 'compute', release: 'zed', backend: 'docker' }] }),
    { message: /matrix\.include names scenario "compute"/ });
});

test('a cell stays in its shard when cells are added (assignment by a hash of its id)', (t) => {
  const more = [...cells, { id: 'compute/zed/docker' }, { id: 'compute/2025.1/kubernetes' }];
  for (const total of [2, 3, 4]) {
    for (let i = 1; i <= total; i++) {
      const before = shardCells(cells, i, total).map((c) => c.id);
      const after = shardCells(more, i, total).map((c) => c.id);
      t.deepEqual(after.filter((id) => before.includes(id) || !cells.some((c) => c.id === id)), after);
      t.true(before.every((id) => after.includes(id)), `shard ${i}/${total} kept its cells`);
    }
  }
});

test('an upgrade cell runs the Tempest of the release it moves to; a plain cell its own', async (t) => {
  const { cellImages, upgradeImages, tempestRelease } = await import('../../harness/matrix/cell.ts');
  const catalogues = await loadCatalogues();
  const [upgrade, compute] = await Promise.all([loadScenario('compute-upgrade', catalogues), loadScenario('compute', catalogues)]);
  const cells = expandCells({ scenarios: [upgrade, compute], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'smoke' });
  const up = cells.find((c) => c.id === 'compute-upgrade/zed/docker')!;
  const plain = cells.find((c) => c.id === 'compute/zed/docker')!;
  t.false(cellImages(up).includes('tempest'));
  t.true(upgradeImages(up).includes('tempest'));
  t.deepEqual(upgradeImages(up).filter((n) => n !== 'tempest').sort(),
    ['glance-api', 'keystone', 'mariadb', 'neutron-server', 'nova-api', 'nova-compute', 'nova-conductor', 'nova-scheduler', 'placement-api']);
  t.is(tempestRelease(up), '2025.1');
  t.true(cellImages(plain).includes('tempest'));
  t.is(tempestRelease(plain), 'zed');
});

test('a recipe unsupported on a backend skips the cell there with its reason', async (t) => {
  const catalogues = await loadCatalogues();
  const rolling = await loadScenario('core-upgrade-rolling', catalogues);
  const expand = (scenario: typeof rolling) => expandCells({ scenarios: [scenario], releases: ['zed'], backends: ['docker', 'kubernetes'], cells: [], tempest: 'none' });
  t.deepEqual(expand(rolling).map((c) => c.skipReason), [undefined, undefined], 'the shipped rolling upgrade runs on both backends');
  const unsupported = { ...rolling, services: rolling.services.map((s) => (s.spec.name === 'haproxy' ? { ...s, spec: { ...s.spec, unsupported: { kubernetes: 'no frontend there' } } } : s)) };
  const cells = expand(unsupported);
  t.is(cells.find((c) => c.backend === 'docker')?.skipReason, undefined);
  t.is(cells.find((c) => c.backend === 'kubernetes')?.skipReason, 'haproxy on kubernetes: no frontend there');
});

test('the shipped cloud is unsupported on victoria, whose Debian ships no OVN, even when named; zed and 2025.1 run', async (t) => {
  const cloud = await loadScenario('cloud', await loadCatalogues());
  const cells = expandCells({ scenarios: [cloud], releases: ['victoria', 'zed', '2025.1'], backends: ['docker'], cells: [], tempest: 'none' });
  t.regex(cells[0]!.skipReason ?? '', /^ovn-central on victoria: Debian bullseye ships no OVN/);
  t.deepEqual(cells.slice(1).map((c) => [c.id, c.skipReason]), [['cloud/zed/docker', undefined], ['cloud/2025.1/docker', undefined]]);
  const named = expandCells({ scenarios: [cloud], releases: ['victoria'], backends: ['docker'], cells: ['cloud/victoria/docker'], tempest: 'none' });
  t.regex(named[0]!.skipReason ?? '', /no OVN/, 'naming the cell cannot make bullseye ship OVN');
});

test('excludes are checked against the configured matrix, not a narrowed one, and a cell named with --cell runs', async (t) => {
  const catalogues = await loadCatalogues();
  const [identity, core] = await Promise.all(['identity', 'core'].map((n) => loadScenario(n, catalogues)));
  const exclude = [{ scenario: 'core', release: '2025.1', reason: 'red there, issue 99' }];
  const configured = { scenarios: ['identity', 'core'], releases: ['zed', '2025.1'], backends: ['docker'] };
  // --scenario identity --release zed: the rule matches nothing run, and is no typo.
  const narrowed = expandCells({ scenarios: [identity!], releases: ['zed'], backends: ['docker'], cells: [], exclude, configured });
  t.deepEqual(narrowed.map((c) => c.id), ['identity/zed/docker']);
  // --scenario core: the excluded cell stays skipped with its reason.
  const filtered = expandCells({ scenarios: [core!], releases: ['zed', '2025.1'], backends: ['docker'], cells: [], exclude, configured });
  t.is(filtered.find((c) => c.id === 'core/2025.1/docker')?.skipReason, 'excluded by the config: red there, issue 99');
  // --cell core/2025.1/docker: asked for by name, it runs.
  const named = expandCells({ scenarios: [core!], releases: ['2025.1'], backends: ['docker'], cells: ['core/2025.1/docker'], exclude, configured });
  t.is(named[0]?.skipReason, undefined);
  // A typo against the configured matrix is still refused.
  t.throws(() => expandCells({ scenarios: [core!], releases: ['zed'], backends: ['docker'], cells: [], exclude: [{ scenario: 'core', release: 'bullseye', reason: 'typo' }], configured }),
    { message: /matrix\.exclude\[0\] \(scenario: core, release: bullseye\) matches no cell/ });
});

test('a tier rule gives matching cells their vote with the reason; one matching no cell is a typo, refused', async (t) => {
  const tiers = [{ scenario: 'core', release: '2025.1', tier: 'informing' as const, reason: 'new release, not yet stable' }];
  const cells = expandCells({ scenarios: await scenarios(), releases: ['zed', '2025.1'], backends: ['docker'], cells: [], tiers });
  t.deepEqual(cells.filter((c) => c.tier).map((c) => [c.id, c.tier, c.tierReason]), [['core/2025.1/docker', 'informing', 'new release, not yet stable']]);
  t.throws(() => expandCells({ scenarios: [], releases: ['zed'], backends: ['docker'], cells: [], tiers: [{ scenario: 'cor', tier: 'experimental', reason: 'typo' }] }), { message: /matrix\.tiers\[0\] \(scenario: cor\) matches no cell/ });
});

test('an alwaysRun rule matching no cell is a typo, refused before anything runs (it would otherwise run nothing extra, silently)', async (t) => {
  const all = await scenarios();
  const alwaysRun = [{ scenario: 'identity', release: 'zedd', backend: 'docker', reason: 'the gate never passes having run nothing' }];
  t.throws(() => expandCells({ scenarios: all, releases: ['zed'], backends: ['docker'], cells: [], alwaysRun }),
    { message: /matrix\.alwaysRun\[0\] \(scenario: identity, release: zedd, backend: docker\) matches no cell/ });
  const fine = [{ ...alwaysRun[0]!, release: 'zed' }];
  t.true(expandCells({ scenarios: all, releases: ['zed'], backends: ['docker'], cells: [], alwaysRun: fine }).length > 0);
});
