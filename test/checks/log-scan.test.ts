import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { scanLog } from '../../harness/checks/log-scan.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { loadCatalogues, loadScenario } from '../../harness/config/load-scenario.ts';

const recorded = (name: string) => readFile(path.join(repoRoot, 'fixtures', 'logs', name), 'utf8');

test('a clean keystone log has no findings (warnings are not failures)', async (t) => {
  t.deepEqual(scanLog(await recorded('keystone-clean.log'), []), []);
});

test('an oslo.log traceback and a CRITICAL line are both found, with their lines', async (t) => {
  const findings = scanLog(await recorded('keystone-traceback.log'), []);
  t.is(findings.length, 2);
  t.is(findings[0]!.kind, 'traceback');
  t.is(findings[0]!.line, 2);
  t.regex(findings[0]!.text, /DBConnectionError/);
  t.is(findings[1]!.kind, 'critical');
  t.is(findings[1]!.line, 7);
});

test("keystone's allow-list explains its known noise, and only that", async (t) => {
  const keystone = (await loadScenario('identity', await loadCatalogues())).services.find((s) => s.spec.name === 'keystone')!;
  const allowed = await recorded('keystone-allowed.log');
  t.deepEqual(scanLog(allowed, keystone.spec.logs.allow), []);
  t.is(scanLog(allowed, []).length, 2, 'without the allow-list both tracebacks count');
  t.is(scanLog(await recorded('keystone-traceback.log'), keystone.spec.logs.allow).length, 2, 'the allow-list does not hide real errors');
});

test('every allow-list entry of every recipe is a valid pattern with a reason', async (t) => {
  const scenario = await loadScenario('core', await loadCatalogues());
  for (const s of scenario.services) {
    for (const entry of s.spec.logs.allow) {
      t.notThrows(() => new RegExp(entry.pattern), `${s.spec.name}: ${entry.pattern}`);
      t.true(entry.reason.length >= 8);
    }
  }
});

test('chained tracebacks are one error, judged by their final exception (recorded from Tempest negative tests)', async (t) => {
  const keystone = (await loadScenario('identity', await loadCatalogues())).services.find((s) => s.spec.name === 'keystone')!;
  const log = await recorded('keystone-tempest-negative.log');
  const all = scanLog(log, []);
  t.true(all.length >= 3);
  t.true(all.some((f) => /^keystone\.exception\.SchemaValidationError: /.test(f.text)), 'a chained group reports its final exception');
  t.false(all.some((f) => /^jsonschema\.exceptions\.ValidationError/.test(f.text)), 'the inner exception is not a finding of its own');
  t.deepEqual(scanLog(log, keystone.spec.logs.allow), [], 'every one of them is a 4xx answer');
});

test('a chain that ends in a server error is a finding even when it began with an allowed one', (t) => {
  const p = '2026-11-22 03:27:02.796 7 ERROR keystone.server.flask.application ';
  const log = [
    `${p}Traceback (most recent call last):`,
    `${p}  File "a.py", line 1, in f`,
    `${p}keystone.exception.UserNotFound: Could not find user: x.`,
    `${p}`,
    `${p}During handling of the above exception, another exception occurred:`,
    `${p}`,
    `${p}Traceback (most recent call last):`,
    `${p}  File "b.py", line 2, in g`,
    `${p}KeyError: 'user'`,
  ].join('\n');
  const allow = [{ pattern: 'keystone\\.exception\\.\\w*NotFound: ', reason: 'client errors are answers' }];
  const findings = scanLog(log, allow);
  t.is(findings.length, 1);
  t.is(findings[0]!.text, "KeyError: 'user'");
});

test('a crash is a finding: uwsgi segfaulting when keystone (zed) is stopped for an upgrade, unless the recipe allows it', async (t) => {
  const text = await readFile(path.join(repoRoot, 'fixtures/logs/keystone-zed-stopped-for-upgrade.log'), 'utf8');
  const findings = scanLog(text, []);
  t.deepEqual(findings.map((f) => [f.kind, f.text]), [7, 10, 8, 9].map((pid) => ['crash', `!!! uWSGI process ${pid} got Segmentation Fault !!!`]));
  const recipe = (await loadScenario('identity', await loadCatalogues())).services.find((s) => s.spec.name === 'keystone')!;
  t.deepEqual(scanLog(text, recipe.spec.logs.allow), []);
  t.deepEqual(scanLog('Fatal Python error: Segmentation fault\n', recipe.spec.logs.allow).map((f) => f.kind), ['crash'], 'the allow-list names the uwsgi line only');
});

test('uWSGI worker deaths and signals are crashes, as Kolla\'s check-logs counts them', (t) => {
  const log = [
    '*** uWSGI is running in multiple interpreter mode ***',
    'DAMN ! worker 2 (pid: 31) died, killed by signal 9 :( trying respawn ...',
    'Respawned uWSGI worker 2 (new pid: 44)',
    '!!! uWSGI process 12 got Bus Error !!!',
  ].join('\n');
  const findings = scanLog(log, []);
  t.deepEqual(findings.map((f) => [f.line, f.kind]), [[2, 'crash'], [4, 'crash']]);
});

test('keystone-bootstrap\'s two key setups exiting at once interleave their ignored shutdown exceptions: explained, not a finding', async (t) => {
  // Recorded on the bench (Kubernetes): the second traceback arrives without its "Exception ignored in" line.
  const text = await recorded('keystone-bootstrap-interleaved-shutdown.log');
  const keystone = (await loadScenario('identity', await loadCatalogues())).services.find((s) => s.spec.name === 'keystone')!;
  t.true(scanLog(text, []).length > 0, 'without the allow-list it is a finding');
  t.deepEqual(scanLog(text, keystone.spec.logs.allow), []);
  t.true(scanLog("Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nAttributeError: 'NoneType' object has no attribute 'other'\n", keystone.spec.logs.allow).length > 0, 'only that exact exception is explained');
});

test('a RemoteError carrying the remote traceback as a list repr is one finding, judged by its exception line', async (t) => {
  // Recorded: nova-compute's heartbeat through the conductor while mariadb restarted for its upgrade.
  const text = await recorded('nova-compute-remote-db-error.log');
  const findings = scanLog(text, []);
  t.is(findings.length, 1);
  t.regex(findings[0]!.text, /^oslo_messaging\.rpc\.client\.RemoteError: Remote error: DBConnectionError \(pymysql\.err\.OperationalError\) \(2003/);
  const allowed = scanLog(text, [{ pattern: "RemoteError: Remote error: DBConnectionError \\(pymysql\\.err\\.OperationalError\\) \\((2003|2013|2006),", reason: 'mariadb restarted by the scenario' }]);
  t.deepEqual(allowed, []);
});
