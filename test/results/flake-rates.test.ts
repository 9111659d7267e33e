import test from 'ava';
import { flakeRates } from '../../harness/results/flake-rates.ts';
import type { RunResult } from '../../harness/results/model.ts';

const run = (id: string, statuses: Record<string, 'passed' | 'failed' | 'error' | 'flaky' | 'skipped'>): RunResult => ({
  schemaVersion: 1, run: { id, startedAt: '2026-12-07T00:00:00.000Z', gategridVersion: 't' },
  cells: [{ id: 'identity/zed/docker', scenario: 'identity', release: 'zed', backend: 'docker', status: 'passed', phases: [], repro: '', artifacts: { logs: '' },
    checks: Object.entries(statuses).map(([id, status]) => ({ id, kind: 'api' as const, status, durationMs: 1 })) }],
});

test('each check\'s red rate over repeated runs, the reddest first; flaky within a run counts red once; skipped never', (t) => {
  const rates = flakeRates([
    run('r1', { 'api.identity.token': 'passed', 'api.identity.catalog': 'failed', 'tempest.x': 'skipped' }),
    run('r2', { 'api.identity.token': 'flaky', 'api.identity.catalog': 'error', 'tempest.x': 'skipped' }),
    run('r3', { 'api.identity.token': 'passed', 'api.identity.catalog': 'passed', 'tempest.x': 'skipped' }),
  ]);
  t.deepEqual(rates.map((r) => [r.check, r.red, r.runs]), [['api.identity.catalog', 2, 3], ['api.identity.token', 1, 3], ['tempest.x', 0, 3]]);
});
