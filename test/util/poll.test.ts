// The one polling primitive: done, out of time, out of tries, backoff, abort, and an attempt's own error.
import test from 'ava';
import { poll } from '../../harness/util/poll.ts';

/** A clock the pauses advance, so that the deadline is reached without waiting. */
function fakeTime() {
  let now = Date.now();
  const real = Date.now;
  const pauses: number[] = [];
  Date.now = () => now;
  return { pauses, sleep: async (ms: number) => { pauses.push(ms); now += ms; }, restore: () => { Date.now = real; } };
}

test.serial('done on the third attempt, after two pauses of the first interval', async (t) => {
  const clock = fakeTime();
  try {
    const outcome = await poll(async (n) => (n === 3 ? { done: 'up' } : { again: `try ${n}` }), { timeoutMs: 10_000, intervalMs: 200, sleep: clock.sleep });
    t.deepEqual({ ...outcome, elapsedMs: 0 }, { ok: true, value: 'up', tries: 3, elapsedMs: 0 });
    t.deepEqual(clock.pauses, [200, 200]);
  } finally {
    clock.restore();
  }
});

test.serial('out of time: the last reason, pauses doubling up to their ceiling and never past the deadline', async (t) => {
  const clock = fakeTime();
  try {
    const outcome = await poll(async (n) => ({ again: `exit 1 (try ${n})` }), { timeoutMs: 1_000, intervalMs: 100, backoff: 2, maxIntervalMs: 300, tries: 1_000, sleep: clock.sleep });
    t.false(outcome.ok);
    t.deepEqual(clock.pauses, [100, 200, 300, 300, 100]);
    if (!outcome.ok) {
      t.is(outcome.last, 'exit 1 (try 6)');
      t.is(outcome.tries, 6);
      t.false(outcome.aborted);
    }
  } finally {
    clock.restore();
  }
});

test.serial('out of tries before the deadline', async (t) => {
  const clock = fakeTime();
  try {
    const outcome = await poll(async () => ({ again: 'no' }), { timeoutMs: 60_000, intervalMs: 10, tries: 4, sleep: clock.sleep });
    t.deepEqual(outcome.ok ? undefined : [outcome.tries, clock.pauses.length], [4, 3]);
  } finally {
    clock.restore();
  }
});

test('an aborted signal stops it between attempts, said so', async (t) => {
  const stop = new AbortController();
  const outcome = await poll(async (n) => {
    if (n === 2) stop.abort();
    return { again: `try ${n}` };
  }, { timeoutMs: 60_000, intervalMs: 1, signal: stop.signal });
  t.deepEqual(outcome, { ok: false, last: 'try 2', tries: 2, elapsedMs: outcome.elapsedMs, aborted: true });
});

test('an attempt that throws ends it with that error', async (t) => {
  await t.throwsAsync(poll(async () => { throw new Error('403 Forbidden'); }, { timeoutMs: 1_000 }), { message: '403 Forbidden' });
});
