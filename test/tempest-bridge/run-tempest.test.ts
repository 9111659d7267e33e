import test from 'ava';
import { encodeSubunitV2, parseSubunitV2 } from '../../harness/checks/runners/subunit-v2.ts';
import { foldSubunit } from '../../harness/checks/runners/subunit-results.ts';
import { markFlaky, toCheck } from '../../tempest-bridge/run-tempest.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 0, 0, s));
// Tempest's rerun of its failures alone: a test that passes then is flaky, never green.

test('failed then passed alone is flaky; failed twice stays failed; the first failure is kept', (t) => {
  const first = foldSubunit(parseSubunitV2(Buffer.concat([
    encodeSubunitV2({ testId: 'a', status: 'fail', timestamp: at(1), fileName: 'traceback', fileBytes: Buffer.from('AssertionError: role missing\n') }),
    encodeSubunitV2({ testId: 'b', status: 'fail', timestamp: at(1), fileName: 'traceback', fileBytes: Buffer.from('AssertionError: 500\n') }),
    encodeSubunitV2({ testId: 'c', status: 'success', timestamp: at(1) }),
  ])));
  const again = foldSubunit(parseSubunitV2(Buffer.concat([
    encodeSubunitV2({ testId: 'a', status: 'success', timestamp: at(2) }),
    encodeSubunitV2({ testId: 'b', status: 'fail', timestamp: at(2) }),
  ])));
  const checks = first.tests.map(toCheck);
  markFlaky(checks, again);
  t.deepEqual(checks.map((c) => [c.id, c.status]), [['a', 'flaky'], ['b', 'failed'], ['c', 'passed']]);
  t.regex(checks[0]!.message!, /failed, then passed when run again alone: AssertionError: role missing/);
  t.is(checks[0]!.kind, 'tempest');
});
