import test from 'ava';
import { encodeSubunitV2, parseSubunitV2 } from '../../../harness/checks/runners/subunit-v2.ts';
import { foldSubunit, subunitRunnerTests } from '../../../harness/checks/runners/subunit-results.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 0, 0, s));
const id = 'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token[id-6f8e4436,smoke]';

test('packets round-trip: ids, statuses, timestamps, tags, attachments, long varints', (t) => {
  const big = Buffer.alloc(70_000, 'x');
  const stream = Buffer.concat([
    encodeSubunitV2({ testId: id, status: 'inprogress', timestamp: at(1), tags: ['worker-0'] }),
    encodeSubunitV2({ testId: id, status: undefined, fileName: 'traceback', fileBytes: big, mimeType: 'text/plain;charset=utf8' }),
    encodeSubunitV2({ testId: id, status: 'fail', timestamp: at(3), eof: true }),
  ]);
  const parsed = parseSubunitV2(stream);
  t.is(parsed.error, undefined);
  t.is(parsed.events.length, 3);
  t.is(parsed.events[0]!.testId, id);
  t.is(parsed.events[0]!.status, 'inprogress');
  t.deepEqual(parsed.events[0]!.tags, ['worker-0']);
  t.deepEqual(parsed.events[0]!.timestamp, at(1));
  t.is(parsed.events[1]!.fileBytes!.length, 70_000);
  t.is(parsed.events[1]!.mimeType, 'text/plain;charset=utf8');
  t.true(parsed.events[2]!.eof);
});

test('a corrupt packet stops the parse with the reason, keeping what came before', (t) => {
  const good = encodeSubunitV2({ testId: 'a', status: 'success', timestamp: at(1) });
  const bad = encodeSubunitV2({ testId: 'b', status: 'success', timestamp: at(2) });
  bad.writeUInt8(bad.readUInt8(bad.length - 6) ^ 0xff, bad.length - 6);
  const parsed = parseSubunitV2(Buffer.concat([good, bad]));
  t.is(parsed.events.length, 1);
  t.regex(parsed.error!, /bad checksum/);
});

test('folding: passed, skipped with reason, failed with traceback, and unfinished as interrupted', (t) => {
  const packets = [
    encodeSubunitV2({ testId: 'x.ok', status: 'inprogress', timestamp: at(0) }),
    encodeSubunitV2({ testId: 'x.ok', status: 'success', timestamp: at(2) }),
    encodeSubunitV2({ testId: 'x.skip', status: 'skip', timestamp: at(2), fileName: 'reason', fileBytes: Buffer.from('Glance is not available.') }),
    encodeSubunitV2({ testId: 'x.fail', status: 'inprogress', timestamp: at(2) }),
    encodeSubunitV2({ testId: 'x.fail', status: 'fail', timestamp: at(5), fileName: 'traceback', fileBytes: Buffer.from('Traceback (most recent call last):\n  File "t.py"\nAssertionError: 401 != 200\n') }),
    encodeSubunitV2({ testId: 'x.cut', status: 'inprogress', timestamp: at(6) }),
  ];
  const whole = Buffer.concat(packets);
  const summary = foldSubunit(parseSubunitV2(whole.subarray(0, whole.length - 3)));
  const byId = Object.fromEntries(summary.tests.map((x) => [x.id, x]));
  t.is(byId['x.ok']!.status, 'passed');
  t.is(byId['x.ok']!.durationMs, 2000);
  t.is(byId['x.skip']!.status, 'skipped');
  t.is(byId['x.skip']!.reason, 'Glance is not available.');
  t.is(byId['x.fail']!.status, 'failed');
  t.is(byId['x.fail']!.reason, 'AssertionError: 401 != 200');
  t.regex(byId['x.fail']!.traceback!, /File "t\.py"/);
  t.is(byId['x.cut'], undefined, 'the cut packet itself was never read');
  t.truthy(summary.interrupted);
  const cutLater = foldSubunit(parseSubunitV2(whole));
  t.is(cutLater.tests.find((x) => x.id === 'x.cut')!.status, 'error');
  t.regex(cutLater.tests.find((x) => x.id === 'x.cut')!.reason!, /interrupted/);
  t.deepEqual(summary.counts, { total: 3, passed: 1, failed: 1, skipped: 1, error: 0 });
});

test('a failed class fixture is failed (its tests never ran), a passed one is not a test', (t) => {
  const summary = foldSubunit(parseSubunitV2(Buffer.concat([
    encodeSubunitV2({ testId: 'setUpClass (x.Tests)', status: 'fail', timestamp: at(1), fileName: 'traceback', fileBytes: Buffer.from('IdentityError: no admin\n') }),
    encodeSubunitV2({ testId: 'tearDownClass (x.Other)', status: 'success', timestamp: at(2) }),
  ])));
  t.deepEqual(summary.tests.map((x) => [x.id, x.status]), [['setUpClass (x.Tests)', 'failed']]);
});

test('a runner\'s subunit as checks read it: a failure\'s traceback its message, a skip its reason', (t) => {
  const tests = subunitRunnerTests(parseSubunitV2(Buffer.concat([
    encodeSubunitV2({ testId: 'rows.test_survive', status: 'inprogress', timestamp: at(1) }),
    encodeSubunitV2({ testId: 'rows.test_survive', status: 'fail', timestamp: at(3), fileName: 'traceback', fileBytes: Buffer.from('Traceback:\nAssertionError: 2 rows, not 3\n') }),
    encodeSubunitV2({ testId: 'rows.test_later', status: 'skip', timestamp: at(3), fileName: 'reason', fileBytes: Buffer.from('not on bookworm') }),
  ])));
  t.deepEqual(tests, [
    { name: 'rows.test_later', status: 'skipped', durationMs: 0, message: 'not on bookworm' },
    { name: 'rows.test_survive', status: 'failed', durationMs: 2000, message: 'Traceback:\nAssertionError: 2 rows, not 3\n' },
  ]);
});
