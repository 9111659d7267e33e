/** runCheck and runChecksInOrder under a stopped run: nothing starts after the stop, nothing waits for it, no timer outlives it. */
import test from 'ava';
import { runCheck, runChecksInOrder, type Check } from '../../harness/checks/check.ts';
import type { CheckResult } from '../../harness/results/model.ts';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test.serial('a check is not started once the run is stopped', async (t) => {
  let ran = false;
  const controller = new AbortController();
  controller.abort();
  const result = await runCheck({ id: 'c', kind: 'api', async run() { ran = true; } }, undefined, controller.signal);
  t.false(ran);
  t.is(result.status, 'error');
  t.regex(result.message ?? '', /interrupted before it started/);
});

test.serial('a stop ends a running check at once and leaves no timer of it behind', async (t) => {
  const controller = new AbortController();
  const before = timers();
  // A check that would wait for its whole 2-minute allowance: it never answers.
  const pending = runCheck({ id: 'slow', kind: 'api', run: () => new Promise<void>(() => {}) }, undefined, controller.signal);
  t.is(timers(), before + 1, 'the check\'s deadline is armed');
  const started = Date.now();
  setImmediate(() => controller.abort());
  const result = await pending;
  t.true(Date.now() - started < 1_000, 'answered at once, not after the check\'s deadline');
  t.is(result.status, 'error');
  t.regex(result.message ?? '', /^interrupted after/);
  t.is(timers(), before, 'the deadline\'s timer is gone');
});

test.serial('checks in order: none starts after the stop', async (t) => {
  const controller = new AbortController();
  const ran: string[] = [];
  const check = (id: string, stop = false): Check<undefined> => ({ id, kind: 'probe', async run() { ran.push(id); if (stop) controller.abort(); } });
  const results: CheckResult[] = [];
  await runChecksInOrder([check('one'), check('two', true), check('three')], undefined, controller.signal, (r) => results.push(r));
  t.deepEqual(ran, ['one', 'two']);
  t.deepEqual(results.map((r) => r.id), ['one', 'two']);
});

test.serial('without a stop, a check still runs to its own deadline', async (t) => {
  const result = await runCheck({ id: 'quick', kind: 'api', timeoutMs: 50, run: () => new Promise<void>(() => {}) }, undefined);
  t.is(result.status, 'failed');
  t.regex(result.message ?? '', /did not finish within 0.05s/);
});
