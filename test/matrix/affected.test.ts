import test from 'ava';
import { affectedCells } from '../../harness/matrix/affected.ts';
import { expandCells } from '../../harness/matrix/cells.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues, listScenarioNames } from '../../harness/config/load-catalogues.ts';
import { repoRoot } from '../../harness/config/paths.ts';

// Issue 25: the cells a change touches, over the shipped catalogue (every scenario, every release,
// both backends), as `gategrid affected` and `run --affected` compute them from a diff.
async function setup() {
  const catalogues = await loadCatalogues();
  const scenarios = await Promise.all(listScenarioNames(catalogues).map((n) => loadScenario(n, catalogues)));
  const cells = expandCells({ scenarios, releases: ['victoria', 'zed', '2025.1'], backends: ['docker', 'kubernetes'], cells: [] }).filter((c) => !c.skipReason);
  const affected = (...files: string[]) => affectedCells(files, cells, catalogues.images, repoRoot);
  return { cells, affected };
}

test('a change to the haproxy recipe touches exactly the cells that deploy haproxy, saying so', async (t) => {
  const { cells, affected } = await setup();
  const reasons = affected('scenarios/services/haproxy/templates/haproxy.cfg');
  const expected = cells.filter((c) => c.scenario.services.some((s) => s.spec.name === 'haproxy')).map((c) => c.id);
  t.true(expected.length > 0);
  t.deepEqual([...reasons.keys()].sort(), expected.sort());
  t.deepEqual(reasons.get(expected[0]!), ['deploys haproxy, whose recipe changed (scenarios/services/haproxy/templates/haproxy.cfg)']);
});

test('a change to a harness phase touches every cell; a backend\'s code only its cells; tests and documents none', async (t) => {
  const { cells, affected } = await setup();
  t.is(affected('harness/runner/phases/deploy-phase.ts').size, cells.length);
  const kube = affected('harness/backends/kubernetes/manifests.ts');
  t.deepEqual([...kube.keys()].sort(), cells.filter((c) => c.backend === 'kubernetes').map((c) => c.id).sort());
  t.is(affected('test/integration/core.test.ts', 'README.md', 'fixtures/logs/x.log', 'reports/html-reporter.ts').size, 0);
  const unknown = affected('Makefile');
  t.is(unknown.size, cells.length, 'a file no rule maps touches every cell');
  t.regex(unknown.values().next().value![0]!, /no rule maps: every cell, to be safe/);
});

test('an image recipe touches the cells needing it or an image built on it; Tempest\'s image only the cells running Tempest', async (t) => {
  const { cells, affected } = await setup();
  const probe = affected('scenarios/images/probe/Dockerfile');
  t.deepEqual([...new Set([...probe.keys()].map((id) => id.split('/')[0]))].sort(), ['cloud', 'cloud-upgrade']);
  const novaBase = affected('scenarios/images/nova-base/Dockerfile');
  t.true([...novaBase.keys()].every((id) => /^(compute|cloud)/.test(id)), [...novaBase.keys()].join(' '));
  t.regex(novaBase.get('compute/zed/docker')![0]!, /^needs image nova-\w+, built on nova-base, whose recipe changed \(scenarios\/images\/nova-base\/Dockerfile\)$/);
  const tempest = affected('tempest-bridge/image/Dockerfile');
  t.deepEqual([...tempest.keys()].sort(), cells.filter((c) => c.tempest.kind !== 'none').map((c) => c.id).sort());
  t.false(tempest.has('compute-upgrade/zed/docker'), 'an upgrade test without Tempest does not need its image');
});

test('the config\'s always-run cells run under --affected whatever changed (nothing, a document), each saying why', async (t) => {
  const { cells } = await setup();
  const catalogues = await loadCatalogues();
  const always = [{ scenario: 'identity', release: 'zed', backend: 'docker', reason: 'the gate\'s smoke' }];
  const reasons = affectedCells(['README.md'], cells, catalogues.images, repoRoot, always);
  t.deepEqual([...reasons.keys()], ['identity/zed/docker']);
  t.deepEqual(reasons.get('identity/zed/docker'), ['always run (matrix.alwaysRun in the config): the gate\'s smoke']);
  // Beside a real reason, both are given.
  const deploysHaproxy = cells.find((c) => c.scenario.services.some((s) => s.spec.name === 'haproxy'))!;
  const both = affectedCells(['scenarios/services/haproxy/templates/haproxy.cfg'], cells, catalogues.images, repoRoot, [{ scenario: deploysHaproxy.scenario.spec.name, reason: 'smoke' }]);
  const why = both.get(deploysHaproxy.id) ?? [];
  t.is(why.length, 2, why.join(' | '));
  t.true(affectedCells([], cells, catalogues.images, repoRoot).size === 0, 'without the rule, no change runs nothing');
});
