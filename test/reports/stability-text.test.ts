import test from 'ava';
import { renderStabilityText } from '../../reports/stability-text.ts';
import type { HistoryRow } from '../../reports/stability-history.ts';

const row = (runId: string, release: string, status: HistoryRow['status'], reason = ''): HistoryRow => ({
  runId, startedAt: runId, commit: '', cell: `identity/${release}/docker`, scenario: 'identity', release, backend: 'docker', status,
  durationS: 1, attempts: 1, redChecks: status === 'failed' ? 1 : 0, reason, repro: `npx gategrid run --scenario identity --release ${release} --backend docker`, scenarioRevision: '', downtime: '', known: '', checksRun: 1, failedChecks: '', flakyChecks: '', report: '', tooBroad: '', images: '', tier: 'blocking',
});

test('the text matrix: latest verdict and green share per cell, columns in the latest run\'s order, red cells with their repro', (t) => {
  const text = renderStabilityText([
    row('r1', 'victoria', 'passed'), row('r1', 'zed', 'passed'),
    row('r2', 'victoria', 'flaky'), row('r2', 'zed', 'failed', 'smoke.service.keystone: down'), row('r2', '2025.1', 'skipped', 'not packaged'),
  ]);
  t.regex(text, /^scenario\s+victoria\/docker\s+zed\/docker\s+2025\.1\/docker$/m);
  t.regex(text, /^identity\s+flaky 2\/2 \(1 flaky\)\s+failed 1\/2\s+skipped$/m);
  t.regex(text, /identity\/zed\/docker failed in r2: smoke\.service\.keystone: down\n\s+reproduce: npx gategrid run --scenario identity --release zed --backend docker/);
  t.notRegex(text, /victoria\/docker flaky in/);
});
