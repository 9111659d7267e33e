import test from 'ava';
import { summarize } from '../../harness/results/downtime.ts';
import { downtimeCheck, stepOf } from '../../harness/upgrade/downtime-check.ts';
import type { StopWindow } from '../../harness/checks/stop-windows.ts';

test('downtime is measured; it fails the check only over a budget the scenario sets', (t) => {
  const report = summarize('http://127.0.0.1:1/v3', [{ at: 0, ok: false, detail: 'ECONNREFUSED' }, { at: 20_000, ok: true, detail: 'HTTP 200' }], 21_000);
  t.is(downtimeCheck('identity', report, undefined).status, 'passed');
  t.regex(downtimeCheck('identity', report, undefined).message!, /unavailable 20\.0 s in 1 outage\(s\) \(first: ECONNREFUSED\)/);
  t.is(downtimeCheck('identity', report, 30).status, 'passed');
  const over = downtimeCheck('identity', report, 5);
  t.is(over.status, 'failed');
  t.regex(over.message!, /over the budget of 5 s/);
});

test('over the budget only by outages the probe\'s stalls explain: an error (not judgeable), never a failure; otherwise failed', (t) => {
  const s = (at: number, ok: boolean, detail = ok ? 'HTTP 200' : 'TimeoutError') => ({ at, ok, detail });
  const base = summarize('http://127.0.0.1:1/v3', [s(0, true), s(128_400, false), s(131_500, true), s(143_800, false), s(153_300, true)], 170_000);
  // The probe's process ran late from 145.9 s to 153.2 s (the second outage's request was sent at 143.8 s).
  const stalled = { ...base, requestTimeoutMs: 2_000, stalls: [{ fromMs: 145_900, toMs: 153_200 }] };
  const check = downtimeCheck('image', stalled, 5);
  t.is(check.status, 'error');
  t.regex(check.message!, /unavailable 12\.6 s in 2 outage\(s\).*cannot be judged: 1 outage\(s\) overlap stalls of the probe itself \(gategrid's process ran 7\.3 s late in all: the host was overloaded\), and the rest \(3\.1 s\) is within the budget of 5 s/);
  t.deepEqual((check.details as { probeStalls: unknown }).probeStalls, [{ fromMs: 145_900, toMs: 153_200 }]);
  // With a budget of 0 s the outage the probe cannot explain is the endpoint's: failed.
  t.is(downtimeCheck('image', stalled, 0).status, 'failed');
  // No stall: failed, as before.
  t.is(downtimeCheck('image', base, 5).status, 'failed');
});

// The kept guest through a data-plane upgrade: its outages named by the step that lost them.
const T0 = Date.parse('2026-12-07T18:00:00.000Z');
const win = (service: string, fromS: number, toS: number): StopWindow => ({ service, fromMs: T0 + fromS * 1000, toMs: T0 + toS * 1000, names: [service] });
const windows = [win('nova-compute', 10, 20), win('ovn-controller', 40, 45), win('openvswitch-vswitchd', 60, 65)];
const dataPlane = {
  'ovn-controller': { maxGuestDowntimeSeconds: 5, reason: 'flows reinstalled' },
  'openvswitch-vswitchd': { maxGuestDowntimeSeconds: 20, reason: 'the userspace datapath restarts' },
};
const pings = (outages: Array<[number, number]>, endS = 120) => {
  const samples = [{ at: 0, ok: true, detail: 'answered' }];
  for (const [from, to] of outages) samples.push({ at: from * 1000, ok: false, detail: 'no answer' }, { at: to * 1000, ok: true, detail: 'answered' });
  return { ...summarize('ping 172.24.4.10', samples, endS * 1000), startedAt: new Date(T0).toISOString() };
};

test('an outage belongs to the data-plane service in whose stop window it began, or that answered again shortly before; any other to the rest of the upgrade', (t) => {
  t.is(stepOf(T0 + 42_000, windows, dataPlane), 'ovn-controller');
  t.is(stepOf(T0 + 66_000, windows, dataPlane), 'openvswitch-vswitchd', 'the flows reprogrammed after the new switch answered');
  t.is(stepOf(T0 + 12_000, windows, dataPlane), undefined, "nova-compute's window: the control plane's");
  t.is(stepOf(T0 + 25_000, windows, dataPlane), undefined, 'after a control-plane window');
  t.is(stepOf(T0 + 100_000, windows, dataPlane), undefined, 'long after the last window');
});

test("the guest's outages are judged per step: each data-plane service against its own budget, the rest against maxGuestDowntimeSeconds", (t) => {
  // 2 s while the chassis moved, 12 s from the switch's stop, none elsewhere: every budget held.
  const ok = downtimeCheck('guest', pings([[41, 43], [60, 72]]), 1, windows, dataPlane);
  t.is(ok.status, 'passed', ok.message);
  t.regex(ok.message!, /unavailable 14\.0 s in 2 outage\(s\), the longest 12\.0 s/);
  t.regex(ok.message!, /by step: ovn-controller's upgrade 2\.0 s \(budget 5 s\), openvswitch-vswitchd's upgrade 12\.0 s \(budget 20 s\), the rest of the upgrade 0\.0 s \(budget 1 s\)/);
  t.deepEqual((ok.details as { outages: Array<{ step?: string }> }).outages.map((o) => o.step), ['ovn-controller', 'openvswitch-vswitchd']);
  // The same 12 s, plus 2 s after nova-compute moved: the control plane's budget of 1 s is exceeded, named so.
  const red = downtimeCheck('guest', pings([[22, 24], [60, 72]]), 1, windows, dataPlane);
  t.is(red.status, 'failed');
  t.regex(red.message!, /: the rest of the upgrade over its budget of 1 s$/);
  // The switch's step over its own budget: red, naming it, whatever the rest did.
  const slow = downtimeCheck('guest', pings([[60, 90]]), 1, windows, dataPlane);
  t.is(slow.status, 'failed');
  t.regex(slow.message!, /: openvswitch-vswitchd's upgrade over its budget of 20 s$/);
  // Without data-plane budgets the whole outage is judged by the one budget, as for an API.
  t.is(downtimeCheck('guest', pings([[41, 43]]), 1, windows).status, 'failed');
});
