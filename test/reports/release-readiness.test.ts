import test from 'ava';
import { readinessBadge, releaseReadiness, type ReleaseCriteria } from '../../reports/release-readiness.ts';
import type { HistoryRow } from '../../reports/stability-history.ts';

const row = (run: number, cell: string, status: HistoryRow['status'], durationS = 60, known = ''): HistoryRow => ({
  runId: `r${run}`, startedAt: `2026-12-${String(run).padStart(2, '0')}T10:00:00.000Z`, commit: '', cell, scenario: cell.split('/')[0]!, release: cell.split('/')[1]!, backend: cell.split('/')[2]!, status,
  durationS, attempts: 1, redChecks: 0, reason: status === 'passed' ? '' : 'x', repro: '', scenarioRevision: '', downtime: '', known, checksRun: 1, failedChecks: '', flakyChecks: '', report: '', tooBroad: '', images: '', tier: 'blocking',
});
const criteria: ReleaseCriteria = { lastGreen: 3, passRatePercent: 75, window: 10, maxConsecutiveFailures: 2, knownCountsGreen: false };

// Issue 25: go for one release, no-go with the failing criteria and cells for another.
test('a release whose every cell is green in its last runs is go; one with a red streak is no-go, naming criteria and cells', (t) => {
  const history = [1, 2, 3, 4].flatMap((n) => [
    row(n, 'core/2025.1/docker', 'passed'), row(n, 'identity/2025.1/docker', n === 1 ? 'failed' : 'passed'),
    row(n, 'core/zed/docker', n >= 2 ? 'failed' : 'passed'), row(n, 'identity/zed/docker', n === 4 ? 'flaky' : 'passed'), row(n, 'cloud/zed/docker', 'skipped'),
  ]);
  const by = Object.fromEntries(releaseReadiness(history, criteria).map((r) => [r.release, r]));
  t.true(by['2025.1']!.go, by['2025.1']!.reasons.join('; '));
  t.is(by['2025.1']!.cells, 2);
  t.false(by.zed!.go);
  t.deepEqual(by.zed!.reasons, [
    'not green in each of its last 3 runs: core/zed/docker',
    'under 75 % green over its last 10 runs: core/zed/docker',
    'red more than 2 runs in a row: core/zed/docker',
  ]);
  t.is(by.zed!.cells, 2, 'a skipped cell is no evidence');
  t.regex(readinessBadge(by.zed!), /<svg[^>]*aria-label="zed\/docker: no-go"/);
});

test('too few runs, a slow cell, and known failures when they count as green', (t) => {
  const few = releaseReadiness([row(1, 'core/zed/docker', 'passed')], criteria)[0]!;
  t.deepEqual(few.reasons, ['not green in each of its last 3 runs: core/zed/docker']);
  const slow = releaseReadiness([1, 2, 3].map((n) => row(n, 'core/zed/docker', 'passed', 1800)), { ...criteria, maxDurationMinutes: 20 })[0]!;
  t.deepEqual(slow.reasons, ['cells take 30.0 min at the 90th percentile, over 20 min']);
  const known = [1, 2, 3].map((n) => row(n, 'core/zed/docker', 'failed', 60, 'bug-1 https://bugs/1'));
  t.false(releaseReadiness(known, criteria)[0]!.go);
  t.true(releaseReadiness(known, { ...criteria, knownCountsGreen: true })[0]!.go);
});
