import test from 'ava';
import { startOrder } from '../../harness/runner/run-matrix.ts';
import type { PlannedCell } from '../../harness/matrix/cell.ts';

function cell(id: string, image: string, skipReason?: string): PlannedCell {
  return {
    id, repro: '', ...(skipReason ? { skipReason } : {}),
    scenario: { spec: { checks: { runners: [] } }, services: [{ spec: { image } }] }, tempest: { kind: 'none' }, release: { suite: 'bookworm' },
  } as unknown as PlannedCell;
}

test('skipped cells first, then cells whose images are all built, then cold ones, each group in list order', async (t) => {
  const cells = [cell('a', 'cold'), cell('b', 'warm'), cell('c', 'cold'), cell('d', 'warm'), cell('e', 'cold', 'unsupported')];
  const images = { isCached: async (names: Iterable<string>) => [...names].every((n) => n === 'warm') };
  t.deepEqual(await startOrder(cells, images), [4, 1, 3, 0, 2]);
});

test('a failing cache probe counts as cold, never as an error', async (t) => {
  const cells = [cell('a', 'x'), cell('b', 'warm')];
  const images = { isCached: async (names: Iterable<string>) => { if ([...names].includes('x')) throw new Error('docker gone'); return true; } };
  t.deepEqual(await startOrder(cells, images), [1, 0]);
});
