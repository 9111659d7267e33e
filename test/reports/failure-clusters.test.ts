import test from 'ava';
import { failureClusters, knownShare } from '../../reports/failure-clusters.ts';
import { maskVarying as maskFailure } from '../../harness/results/masking.ts';
import { renderDashboard } from '../../reports/dashboard-html.ts';
import type { HistoryRow } from '../../reports/stability-history.ts';

const row = (runId: string, cell: string, status: HistoryRow['status'], reason = '', known = ''): HistoryRow => ({
  runId, startedAt: `2026-12-0${runId.slice(-1)}T10:00:00.000Z`, commit: '', cell, scenario: cell.split('/')[0]!, release: cell.split('/')[1]!, backend: 'docker', status,
  durationS: 1, attempts: 1, redChecks: 1, reason, repro: '', scenarioRevision: '', downtime: '', known, checksRun: 1, failedChecks: '', flakyChecks: '', report: '', tooBroad: '', images: '', tier: 'blocking',
});

// Issue 25: the same failure in two cells and runs, differing only in what varies (a server's
// UUID, an address, a port, a duration, a time), is one cluster; another failure is another.
const BOOT = (uuid: string, ip: string, s: string) => `api.workload.server-boot: guest gategrid-guest-${uuid.slice(0, 8)} (${ip}) did not answer ping within ${s} s: no lease (server ${uuid} at 23:31:0${s.length})`;

test('the same failure with other ids, addresses, numbers and times is one cluster, across cells and runs; another is another', (t) => {
  t.is(maskFailure(BOOT('0b5c0f2e-51a5-4f3b-9a0c-4d1f8f5e2a11', '10.105.123.169', '120')), maskFailure(BOOT('7d1e2f3a-0000-4f3b-9a0c-aaaaaaaaaaaa', '10.7.1.12', '90')));
  const history = [
    row('r1', 'cloud/2025.1/docker', 'failed', BOOT('0b5c0f2e-51a5-4f3b-9a0c-4d1f8f5e2a11', '10.105.123.169', '120')),
    row('r2', 'cloud/2025.1/docker', 'failed', BOOT('7d1e2f3a-0000-4f3b-9a0c-aaaaaaaaaaaa', '10.7.1.12', '120')),
    row('r3', 'cloud-upgrade/zed/docker', 'error', BOOT('11111111-2222-4333-8444-555555555555', '10.9.9.9', '120')),
    row('r3', 'compute/2025.1/docker', 'failed', 'logs.nova-compute: 1 unexplained error line(s); first at line 812: SAVEPOINT sa_savepoint_1 does not exist', 'mariadb-snapshot https://bugs/1'),
    row('r3', 'core/zed/docker', 'passed'),
  ];
  const clusters = failureClusters(history);
  t.is(clusters.length, 2);
  t.is(clusters[0]!.count, 3);
  t.deepEqual(clusters[0]!.cells, ['cloud-upgrade/zed/docker', 'cloud/2025.1/docker']);
  t.is(clusters[0]!.firstSeen, '2026-12-01T10:00:00.000Z');
  t.false(clusters[0]!.known);
  t.true(clusters[1]!.known);
  t.deepEqual(knownShare(history), { red: 4, known: 1 });
  const page = renderDashboard(history, { lastRuns: 30, regressionAfter: 3, known: [] });
  t.regex(page, /1 of 4 red cell result\(s\) \(25 %\) explained by known-failure signatures; 1 unknown cluster\(s\)/);
  t.regex(page, /<tr><td>3<\/td><td>cloud-upgrade\/zed\/docker<br>cloud\/2025\.1\/docker<\/td>/);
});
