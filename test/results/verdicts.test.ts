import test from 'ava';
import { cellReason, decideCell, decideReason, failsGate, foldAttempts, isGreen, phaseVerdict, runStatus, verdictLabel } from '../../harness/results/verdicts.ts';
import type { CheckResult, PhaseResult } from '../../harness/results/model.ts';

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

// Issue 23: one rule for skipped, error and failed, from a phase's checks to the cell.
const check = (id: string, status: CheckResult['status'], kind: CheckResult['kind'] = 'api'): CheckResult => ({ id, kind, status, durationMs: 1, message: `${id} ${status}` });
const phase = (name: string, status: PhaseResult['status']): PhaseResult => ({ name, status, startedAt: '2026-12-06T00:00:00.000Z', durationMs: 1 });

test('a phase is red only for a red check: error beats failed, and a skipped check is not red (what skipped it says so)', (t) => {
  t.deepEqual(phaseVerdict([check('a', 'passed'), check('b', 'skipped')]), {});
  t.deepEqual(phaseVerdict([check('a', 'passed'), check('b', 'failed'), check('c', 'skipped')]), { status: 'failed', message: '1 of 3 checks not passed, first b' });
  t.deepEqual(phaseVerdict([check('a', 'failed'), check('b', 'error')]), { status: 'error', message: '2 of 2 checks not passed, first a' });
});

test('a cell: interrupted or a harness error is error; an errored check beats a failed one; a red phase without a red check is failed; a flaky check is flaky', (t) => {
  const none = { interrupted: false, harnessErrors: [] };
  t.is(decideCell({ checks: [check('a', 'passed'), check('b', 'skipped')], phases: [phase('checks', 'passed')] }, none), 'passed');
  t.is(decideCell({ checks: [check('a', 'failed'), check('b', 'error')], phases: [] }, none), 'error');
  t.is(decideCell({ checks: [check('a', 'failed')], phases: [] }, none), 'failed');
  t.is(decideCell({ checks: [], phases: [phase('deploy', 'failed')] }, none), 'failed');
  t.is(decideCell({ checks: [check('a', 'flaky')], phases: [] }, none), 'flaky');
  t.is(decideCell({ checks: [check('a', 'passed')], phases: [] }, { interrupted: true, harnessErrors: [] }), 'error');
  t.is(decideCell({ checks: [check('a', 'passed')], phases: [] }, { interrupted: false, harnessErrors: ['images: no engine'] }), 'error');
});

test('a red cell\'s reason: the interruption, the harness\'s error, a dead service before its symptoms, the first red check, the first red phase', (t) => {
  const none = { interrupted: false, harnessErrors: [] };
  t.is(decideReason({ checks: [check('a', 'failed')], phases: [] }, { interrupted: true, harnessErrors: ['x'] }), 'interrupted');
  t.is(decideReason({ checks: [check('a', 'failed')], phases: [] }, { interrupted: false, harnessErrors: ['images: no engine'] }), 'images: no engine');
  t.is(decideReason({ checks: [check('api.identity.token', 'failed'), check('health.keystone', 'failed', 'health')], phases: [] }, none), 'health.keystone: health.keystone failed');
  t.is(decideReason({ checks: [check('a', 'failed'), check('b', 'error')], phases: [] }, none), 'b: b error');
  t.is(decideReason({ checks: [], phases: [{ ...phase('deploy', 'failed'), message: 'mariadb did not become ready' }] }, none), 'mariadb did not become ready');
});

// Issue 25: tiers. A red informing or experimental cell is reported, and fails no gate.
test('only a red blocking cell fails the gate and the run; an informing one says its tier', (t) => {
  const cell = (status: CheckResult['status'] & string, tier?: 'informing' | 'experimental') => ({ status: status as 'passed' | 'failed' | 'error', ...(tier ? { tier } : {}) });
  t.true(failsGate(cell('failed'), false));
  t.false(failsGate(cell('failed', 'informing'), false));
  t.false(failsGate(cell('error', 'experimental'), false));
  t.false(failsGate({ ...cell('failed'), known: [{ id: 'k', bug: 'b' }] }, true), 'known failures let through when the config says so');
  t.true(failsGate({ ...cell('failed'), known: [{ id: 'k', bug: 'b' }] }, false));
  t.is(runStatus([cell('passed'), cell('failed', 'informing')], false), 'passed');
  t.is(runStatus([cell('failed'), cell('error', 'informing')], false), 'failed');
  t.is(runStatus([cell('passed')], true), 'interrupted');
  t.is(verdictLabel({ status: 'failed', tier: 'informing' }), 'failed (informing)');
  t.is(verdictLabel({ status: 'passed' }), 'passed');
});
