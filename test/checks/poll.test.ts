import test from 'ava';
import { CheckFailed } from '../../harness/checks/check.ts';
import { pollUntil } from '../../harness/checks/poll.ts';

test('pollUntil returns the first accepted value', async (t) => {
  let n = 0;
  t.is(await pollUntil('n to reach 3', async () => ++n, (v) => v === 3, { timeoutMs: 1000, intervalMs: 1 }), 3);
});

test('pollUntil stops at a terminal state with its reason', async (t) => {
  const error = await t.throwsAsync(pollUntil('server to reach ACTIVE', async () => 'ERROR', (v) => v === 'ACTIVE',
    { timeoutMs: 5000, intervalMs: 1, failed: (v) => (v === 'ERROR' ? 'the server went to ERROR' : undefined) }), { instanceOf: CheckFailed });
  t.is(error.message, 'server to reach ACTIVE: the server went to ERROR');
});

test('pollUntil is bounded in time and names the last state', async (t) => {
  const started = Date.now();
  const error = await t.throwsAsync(pollUntil('x', async () => 'BUILD', (v) => v === 'ACTIVE', { timeoutMs: 50, intervalMs: 10, describe: (v) => `status ${v}` }), { instanceOf: CheckFailed });
  t.regex(error.message, /not reached within 0\.05 s \(last: status BUILD\)/);
  t.true(Date.now() - started < 1000);
});
