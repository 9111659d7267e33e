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
    t.deepEqual(shardCells([...cells].reverse(), 1, total).map((c) => c.id), shards[0], `independent of input order for ${total}`);
  }
});

test('a malformed shard is a usage error', (t) => {
  t.throws(() => parseShard('3/2'), { instanceOf: UsageError });
  t.throws(() => parseShard('0/2'), { instanceOf: UsageError });
  t.throws(() => parseShard('two'), { instanceOf: UsageError });
  t.deepEqual(parseShard('2/3'), { index: 2, total: 3 });
});
