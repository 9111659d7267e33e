import test from 'ava';
import { foldAttempts, isGreen } from '../../harness/results/verdicts.ts';

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
