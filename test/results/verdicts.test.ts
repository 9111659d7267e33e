import test from 'ava';
import { cellReason, foldAttempts, isGreen } from '../../harness/results/verdicts.ts';

test('failed then passed is flaky, and flaky counts green for gating', (t) => {
  t.is(foldAttempts(['failed', 'passed']), 'flaky');
  t.is(foldAttempts(['error', 'failed', 'passed']), 'flaky');
  t.true(isGreen('flaky'));
});

test('always red stays red with the last status; one green attempt is passed', (t) => {
  t.is(foldAttempts(['failed', 'failed']), 'failed');
  t.is(foldAttempts(['failed', 'error']), 'error');
  t.is(foldAttempts(['passed']), 'passed');
  t.false(isGreen('failed'));
  t.false(isGreen('error'));
});

test('a red cell always says why: its reason, else its first red check, else its first red phase', (t) => {
  const base = { status: 'failed' as const, checks: [], phases: [] };
  t.is(cellReason({ ...base, reason: 'given' }), 'given');
  t.is(cellReason({ ...base, checks: [{ id: 'api.identity.token-issue', kind: 'api', status: 'failed', durationMs: 1, message: 'HTTP 500 from keystone' }] }), 'api.identity.token-issue: HTTP 500 from keystone');
  t.is(cellReason({ ...base, phases: [{ name: 'deploy', status: 'failed', startedAt: '', durationMs: 1, message: 'keystone did not become ready' }] }), 'deploy failed: keystone did not become ready');
  t.is(cellReason({ ...base, status: 'passed' }), '');
});
