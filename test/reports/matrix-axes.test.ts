import test from 'ava';
import { matrixAxes, mergedOrder } from '../../reports/matrix-axes.ts';

// Issue 25: the release columns read as the releases file orders them, even when the newest run
// had only some of them (the matrix used to show zed, 2025.1, victoria).
test('a newer run with only zed and 2025.1 does not put them before an older run\'s victoria', (t) => {
  const cell = (runId: string, release: string, scenario = 'core') => ({ runId, scenario, release, backend: 'docker' });
  const history = [cell('r2', 'zed'), cell('r2', '2025.1'), cell('r1', 'victoria'), cell('r1', 'zed'), cell('r1', '2025.1'), cell('r1', 'victoria', 'identity')];
  const { scenarios, columns } = matrixAxes(history);
  t.deepEqual(columns.map((c) => c.release), ['victoria', 'zed', '2025.1']);
  t.deepEqual(scenarios, ['core', 'identity']);
});

test('merged orders: agreement is kept, a contradiction goes the first (newer) sequence\'s way, the unordered keep first appearance', (t) => {
  t.deepEqual(mergedOrder([['b', 'c'], ['a', 'b', 'c']]), ['a', 'b', 'c']);
  t.deepEqual(mergedOrder([['c', 'b'], ['b', 'c']]), ['c', 'b']);
  t.deepEqual(mergedOrder([['x'], ['y']]), ['x', 'y']);
  t.deepEqual(mergedOrder([]), []);
});
