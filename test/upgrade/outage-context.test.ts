import test from 'ava';
import { outageContext } from '../../harness/upgrade/outage-context.ts';
import { windowsOf } from '../../harness/checks/stop-windows.ts';
import type { CheckResult } from '../../harness/results/model.ts';

// Recorded (cloud-upgrade/zed, 2026-12-07): the kept guest missed its pings for 1.2 s, 257.5 s
// into the upgrade, 7.4 s after nova-compute's new release answered; keystone's stop window.
const service = (name: string, from: string, to: string): CheckResult => ({
  id: `upgrade.service.${name}`, kind: 'upgrade', status: 'passed', durationMs: 1, message: '',
  details: { strategy: 'in-place', container: name, window: { from, to } },
});
const checks = [
  service('keystone', '2026-12-07T00:24:37.475Z', '2026-12-07T00:25:33.852Z'),
  service('nova-compute', '2026-12-07T00:27:55.555Z', '2026-12-07T00:28:31.431Z'),
  service('neutron-server', '2026-12-07T00:28:46.182Z', '2026-12-07T00:29:36.693Z'),
];
const report = (fromMs: number) => ({ url: 'ping 172.24.4.163', requests: 1565, failed: 6, downtimeMs: 1226, observedMs: 316_900, startedAt: '2026-12-07T00:24:21.394Z', outages: [{ fromMs, toMs: fromMs + 1226, first: 'no answer' }] });

test('an outage is placed inside a service\'s stop window, or shortly after the last one, or nowhere', (t) => {
  const windows = windowsOf(checks, () => []);
  t.is(windows.length, 3);
  t.is(outageContext(report(257_484), windows), '7.4 s after nova-compute\'s upgrade');
  t.is(outageContext(report(30_000), windows), 'during keystone\'s upgrade');
  t.is(outageContext(report(1_000), windows), undefined, 'before any window');
  t.is(outageContext({ ...report(0), outages: [] }, windows), undefined);
});
