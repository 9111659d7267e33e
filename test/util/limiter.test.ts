import test from 'ava';
import { Limiter } from '../../harness/util/limiter.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A task that records its start and runs until released. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

test('never more than the limit at once, even when a task arrives as another finishes', async (t) => {
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const task = async () => {
    running++;
    peak = Math.max(peak, running);
    await tick();
    running--;
  };
  // Tasks arrive while others finish: a slot handed to a waiting task is not taken by a newcomer.
  const all: Promise<void>[] = [];
  for (let i = 0; i < 20; i++) {
    all.push(limiter.run(task));
    if (i % 3 === 0) await tick();
  }
  await Promise.all(all);
  t.is(peak, 2);
});

test('waiting tasks start by priority, the highest first, in arrival order among equals', async (t) => {
  const limiter = new Limiter(1);
  const first = gate();
  const order: string[] = [];
  const running = limiter.run(() => first.done);
  const queued = [
    limiter.run(async () => void order.push('leaf-a'), 0),
    limiter.run(async () => void order.push('chain'), 5),
    limiter.run(async () => void order.push('leaf-b'), 0),
    limiter.run(async () => void order.push('middle'), 2),
  ];
  await tick();
  t.deepEqual(order, [], 'nothing starts while the slot is taken');
  first.release();
  await Promise.all([running, ...queued]);
  t.deepEqual(order, ['chain', 'middle', 'leaf-a', 'leaf-b']);
});
