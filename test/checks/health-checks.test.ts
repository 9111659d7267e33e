import test from 'ava';
import type { ContainerState, Environment } from '../../harness/backends/backend.ts';
import { runChecks } from '../../harness/checks/check.ts';
import { healthChecks } from '../../harness/checks/health-checks.ts';
import { firstRedCheck } from '../../harness/results/verdicts.ts';

// The end-of-cell health judgement on an in-memory environment: what the engine says of each service.
const envWith = (states: Record<string, ContainerState>) => ({ state: async (name: string) => states[name] ?? { status: 'missing', exitCode: undefined, restarts: 0 } }) as unknown as Environment;

test('a service that died or restarted during the cell is red at its health check, saying how; a healthy one passes', async (t) => {
  const env = envWith({
    mariadb: { status: 'running', exitCode: undefined, restarts: 0 },
    keystone: { status: 'exited (OOM-killed)', exitCode: 137, restarts: 0, finishedAt: '2026-12-06T23:31:07.123456789Z' },
    memcached: { status: 'running', exitCode: undefined, restarts: 1, lastExit: 'exited with code 139 at 10:00:01' },
  });
  const results = await runChecks(healthChecks(['mariadb', 'keystone', 'memcached', 'glance-api']), { env });
  const by = Object.fromEntries(results.map((r) => [r.id, r]));
  t.is(by['health.mariadb']!.status, 'passed');
  t.is(by['health.keystone']!.status, 'failed');
  t.regex(by['health.keystone']!.message ?? '', /keystone died during the cell at 23:31:07 UTC: it is exited \(OOM-killed\) \(exit code 137: killed\)/);
  t.regex(by['health.memcached']!.message ?? '', /memcached restarted 1 time\(s\) during the cell; its previous run exited with code 139/);
  t.regex(by['health.glance-api']!.message ?? '', /glance-api died during the cell: it is missing/);
});

test("the cell's reason is the first dead service, not the errors it caused before it was judged", (t) => {
  const checks = [
    { id: 'tempest.api.identity.v3.test_tokens', kind: 'tempest', status: 'failed' as const },
    { id: 'health.keystone', kind: 'health', status: 'failed' as const },
    { id: 'logs.keystone', kind: 'logs', status: 'failed' as const },
  ];
  t.is(firstRedCheck(checks)?.id, 'health.keystone');
  t.is(firstRedCheck([{ id: 'x', kind: 'api', status: 'error' as const }, ...checks])?.id, 'x', 'a harness error still comes first');
});
