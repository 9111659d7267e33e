import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DowntimeProbe } from '../../harness/upgrade/downtime-probe.ts';
import { summarize } from '../../harness/results/downtime.ts';
import { apisDownWith, summarizeUpgrade } from '../../harness/upgrade/run-upgrade.ts';
import { downtimeCheck } from '../../harness/upgrade/downtime-check.ts';
import { downtimeLine, downtimeOf } from '../../harness/results/downtime.ts';

test('outages run from the first failed request to the next answered one, or to the end', (t) => {
  const s = (at: number, ok: boolean, detail = ok ? 'HTTP 200' : 'ECONNREFUSED') => ({ at, ok, detail });
  const report = summarize('u', [s(0, true), s(200, false), s(400, false), s(600, true), s(800, false, 'HTTP 503')], 1000);
  t.deepEqual(report.outages, [{ fromMs: 200, toMs: 600, first: 'ECONNREFUSED' }, { fromMs: 800, toMs: 1000, first: 'HTTP 503' }]);
  t.is(report.downtimeMs, 600);
  t.is(report.failed, 3);
  t.is(summarize('u', [s(0, true), s(200, true)], 400).downtimeMs, 0);
});

test('the probe measures a real outage of a local server, within bounds', async (t) => {
  let up = true;
  const server = createServer((_req, res) => res.writeHead(up ? 200 : 503).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  const probe = new DowntimeProbe(url, { ok: (status) => status === 200, intervalMs: 20 });
  probe.start();
  await new Promise((r) => setTimeout(r, 150));
  up = false;
  await new Promise((r) => setTimeout(r, 300));
  up = true;
  await new Promise((r) => setTimeout(r, 150));
  const report = await probe.stop();
  t.is(report.outages.length, 1);
  t.is(report.outages[0]!.first, 'HTTP 503');
  // 300 ms down, give or take a polling interval and the latency of a loaded machine.
  t.true(report.downtimeMs >= 150 && report.downtimeMs <= 1_500, `measured ${report.downtimeMs} ms`);
});

test.serial('the probe\'s own stall is recorded: a blocked event loop is not the endpoint\'s outage', async (t) => {
  const server = createServer((_req, res) => res.writeHead(200).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const probe = new DowntimeProbe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { ok: (status) => status === 200, intervalMs: 20 });
  probe.start();
  await new Promise((r) => setTimeout(r, 200));
  // gategrid's own process blocked for 1.6 s (a long synchronous step, or a starved host).
  const until = Date.now() + 1_600;
  while (Date.now() < until) { /* blocked */ }
  await new Promise((r) => setTimeout(r, 200));
  const report = await probe.stop();
  t.is(report.stalls?.length, 1, JSON.stringify(report.stalls));
  t.true(report.stalls![0]!.toMs - report.stalls![0]!.fromMs >= 1_500);
});

test('the upgrade phase says which services moved and each endpoint\'s downtime', (t) => {
  const summary = summarizeUpgrade('zed', '2025.1', [
    { id: 'upgrade.service.keystone', kind: 'upgrade', status: 'passed', durationMs: 1 },
    { id: 'upgrade.service.glance-api', kind: 'upgrade', status: 'failed', durationMs: 1 },
    { id: 'upgrade.downtime.identity', kind: 'upgrade', status: 'passed', durationMs: 1, details: { downtimeMs: 20_160 } },
    { id: 'upgrade.downtime.image', kind: 'upgrade', status: 'passed', durationMs: 1, details: { downtimeMs: 0 } },
  ]);
  t.is(summary.message, 'keystone upgraded zed → 2025.1; downtime: identity 20.2 s, image 0.0 s');
  t.deepEqual(summary.details, { from: 'zed', to: '2025.1', upgraded: ['keystone'], downtimeMs: { identity: 20_160, image: 0 } });
});

test('an aborted signal (deadline, Ctrl-C) stops the probe', async (t) => {
  const server = createServer((_req, res) => res.writeHead(200).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const abort = new AbortController();
  const probe = new DowntimeProbe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { ok: (s) => s === 200, intervalMs: 20 });
  probe.start(abort.signal);
  t.teardown(async () => void (await probe.stop()));
  await new Promise((r) => setTimeout(r, 100));
  abort.abort();
  const ended = await Promise.race([probe.finished().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 3_000))]);
  t.true(ended, 'polling ended on the abort, without stop()');
  const before = (await probe.stop()).requests;
  t.true(before > 0);
});

test('verify-while-down: a service takes down its own APIs and those of the services that start after it', async (t) => {
  const { loadScenario } = await import('../../harness/config/load-scenario.ts');
  const { loadCatalogues } = await import('../../harness/config/load-catalogues.ts');
  const { SecretStore } = await import('../../harness/config/secrets.ts');
  const { buildPlan } = await import('../../harness/deploy/plan.ts');
  const loaded = await loadScenario('compute-upgrade', await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:test`]));
  const ports = { keystone: { '5000': 1 }, 'glance-api': { '9292': 2 }, 'placement-api': { '8778': 3 }, 'nova-api': { '8774': 4 }, 'neutron-server': { '9696': 5 } };
  const plan = buildPlan({ scenario: loaded, releaseName: '2025.1', release: loaded.releases.get('2025.1')!, images, secrets: new SecretStore(), hostPorts: ports, runId: 'r', cellId: 'c', backend: 'docker' });
  t.deepEqual([...apisDownWith(plan, 'mariadb')].sort(), ['compute', 'identity', 'image', 'network', 'placement']);
  t.deepEqual([...apisDownWith(plan, 'glance-api')], ['image']);
  t.deepEqual([...apisDownWith(plan, 'neutron-server')], ['network']);
  // The conductor and the compute serve no API: the others' resources are all verifiable meanwhile.
  t.deepEqual([...apisDownWith(plan, 'nova-compute')], []);
});

test('an upgrade cell\'s downtime reads back from its checks, one line for the matrix', (t) => {
  const report = summarize('http://127.0.0.1:1/v3', [{ at: 0, ok: true, detail: 'HTTP 200' }, { at: 200, ok: false, detail: 'ECONNREFUSED' }, { at: 2400, ok: true, detail: 'HTTP 200' }], 3000);
  const identity = downtimeCheck('identity', { ...report, startedAt: '2026-11-22T14:00:00.000Z' }, undefined);
  const image = downtimeCheck('image', summarize('u', [{ at: 0, ok: true, detail: 'HTTP 300' }], 3000), 0);
  const cell = { checks: [identity, image, { id: 'upgrade.service.keystone', kind: 'upgrade' as const, status: 'passed' as const, durationMs: 1 }] };
  const rows = downtimeOf(cell);
  t.deepEqual(rows.map((r) => [r.endpoint, r.downtimeMs, r.failed, r.requests, r.withinBudget]), [['identity', 2200, 1, 3, true], ['image', 0, 0, 1, true]]);
  t.is(rows[0]!.startedAt, '2026-11-22T14:00:00.000Z');
  t.deepEqual(rows[0]!.outages, [{ fromMs: 200, toMs: 2400, first: 'ECONNREFUSED' }]);
  t.is(downtimeLine(cell), 'identity 2.2 s (1/3 failed), image 0 s (0/1 failed)');
  t.is(downtimeLine({ checks: [] }), '');
  // A guest that lost pings twice: the longest gap beside the total.
  const twice = summarize('ping 172.24.4.10', [{ at: 0, ok: true, detail: 'answered' }, { at: 1000, ok: false, detail: 'no answer' }, { at: 2000, ok: true, detail: 'answered' }, { at: 5000, ok: false, detail: 'no answer' }, { at: 9000, ok: true, detail: 'answered' }], 10_000);
  t.is(downtimeLine({ checks: [downtimeCheck('guest', twice, undefined)] }), 'guest 5.0 s in 2, the longest 4.0 s (2/5 failed)');
});
