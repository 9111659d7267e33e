import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { parseSubunitV2 } from '../../harness/checks/runners/subunit-v2.ts';
import { foldSubunit } from '../../harness/checks/runners/subunit-results.ts';
import { readTimes, recordTimes, testCosts, timesFile, timesStream } from '../../tempest-bridge/test-times.ts';
import { tempDir } from '../temp-dir.ts';

// Tempest's timing history (issue 23). Recorded: compute/zed's smoke run of 2026-12-07 (test ids,
// results, times and workers only), where stestr, with no history, gave one worker every network
// class (done at 428 s) and the other everything else (done at 95 s).
const recorded = async () => parseSubunitV2(await readFile(path.join(repoRoot, 'fixtures/tempest/compute-zed-smoke-timing.subunit')));
const classOf = (id: string) => id.replace(/\[.*$/, '').split('.').slice(0, -1).join('.');
const NETWORKS_FIRST = 'tempest.api.network.test_networks.NetworksTest.test_create_update_delete_network_subnet[id-0e269138-0da6-4efc-a46d-578161e7b221,smoke]';

test('a class\'s fixtures count in its first test: a network class is seen to cost its ~21 s of dynamic credentials\' network and router', async (t) => {
  const costs = testCosts(await recorded());
  t.true(costs.get(NETWORKS_FIRST)! > 20_000, `first test of NetworksTest: ${costs.get(NETWORKS_FIRST)} ms`);
  t.true(costs.get(NETWORKS_FIRST.replace('test_create_update_delete_network_subnet[id-0e269138-0da6-4efc-a46d-578161e7b221', 'test_list_networks[id-f7ffdeda-e200-4a7a-bcbe-05716e86bf43'))! < 1_000, 'the next test of the class costs its own time');
  t.false([...costs.keys()].some((id) => id.startsWith('setUpClass')), 'fixtures are no tests of their own');
  // Every second of each worker is some test's: the costs of a worker add up to its busy time.
  const workerOne = [...costs].filter(([id]) => id.includes('.api.network.test_networks.') || id.includes('.api.network.test_ports.') || id.includes('.api.network.test_routers.')).reduce((sum, [, ms]) => sum + ms, 0);
  t.true(workerOne > 250_000, `the network classes of worker-1 cost ${Math.round(workerOne / 1000)} s`);
});

test('with this history, classes dealt to two workers by cost (as stestr does with its timing database) leave neither with much more than half', async (t) => {
  const costs = testCosts(await recorded());
  const byClass = new Map<string, number>();
  for (const [id, ms] of costs) byClass.set(classOf(id), (byClass.get(classOf(id)) ?? 0) + ms);
  const workers = [0, 0];
  for (const ms of [...byClass.values()].sort((a, b) => b - a)) workers[workers[0]! <= workers[1]! ? 0 : 1]! += ms;
  const total = workers[0]! + workers[1]!;
  t.true(Math.max(...workers) < 0.6 * total, `split ${workers.map((w) => Math.round(w / 1000)).join(' s / ')} s of ${Math.round(total / 1000)} s`);
});

test('the history reaches stestr as a passed run whose tests took exactly those times', (t) => {
  const costs = new Map([['tempest.api.a.Test.test_x[id-1,smoke]', 21_500], ['tempest.api.a.Test.test_y[id-2]', 120]]);
  const folded = foldSubunit(parseSubunitV2(timesStream(costs)));
  t.deepEqual(folded.tests.map((x) => [x.id, x.status, x.durationMs]), [['tempest.api.a.Test.test_x[id-1,smoke]', 'passed', 21_500], ['tempest.api.a.Test.test_y[id-2]', 'passed', 120]]);
});

test('the history file: this run\'s figures over the last ones, a test not run keeps its figure; a file that is not ours is ignored', async (t) => {
  const file = timesFile('compute', 'zed', await tempDir('tempest-times-'));
  t.is(path.basename(file), 'compute-zed.json');
  t.deepEqual(await readTimes(file), new Map());
  await recordTimes(file, new Map([['a', 100], ['b', 200]]));
  await recordTimes(file, new Map([['b', 250], ['c', 300]]));
  t.deepEqual(await readTimes(file), new Map([['a', 100], ['b', 250], ['c', 300]]));
  await writeFile(file, '{"a": "slow", "b": -1, "c": 5}');
  t.deepEqual(await readTimes(file), new Map([['c', 5]]));
  await writeFile(file, 'not json');
  t.deepEqual(await readTimes(file), new Map());
});
