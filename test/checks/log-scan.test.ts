import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lineTime, logChecks, scanLog, scanSecrets } from '../../harness/checks/log-scan.ts';
import { explainingWindow, windowsOf } from '../../harness/checks/stop-windows.ts';
import { runCheck } from '../../harness/checks/check.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { tempDir } from '../temp-dir.ts';

const recorded = (name: string) => readFile(path.join(repoRoot, 'fixtures', 'logs', name), 'utf8');
/** A shipped scenario's log allow-list entries that apply to one service. */
const allowOf = async (scenario: string, service: string) => (await loadScenario(scenario, await loadCatalogues())).spec.logs.allow.filter((a) => a.services?.includes(service));

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

test('a CRITICAL record is judged by its own level: a DEBUG option dump quoting the word is none; a line of another format still counts by the word', async (t) => {
  // Recorded from neutron-server at debug level (fixtures/scenarios/compute-neutron-debug.yaml): `rate_limit_except_level = CRITICAL`.
  const dump = await recorded('neutron-server-debug-option-dump.log');
  t.regex(dump, /DEBUG neutron\.common\.config \[-\] rate_limit_except_level += CRITICAL/);
  t.deepEqual(scanLog(dump, []), []);
  const critical = '2026-12-07 04:16:36.681 7 CRITICAL neutron [-] Unhandled error: oslo_config.cfg.ConfigFileValueError: Value for option connection is not valid';
  t.deepEqual(scanLog(`${dump}${critical}\n`, []).map((f) => [f.kind, f.line]), [['critical', 10]]);
  t.is(scanLog('mysqld: [CRITICAL] InnoDB: the data file is corrupt\n', []).length, 1);
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

// Issue 27: nova-compute's periodic fanout to the scheduler, logged while compute-upgrade had
// nova-scheduler stopped. The fixture is shaped after the line that turned compute-upgrade/zed red
// (oslo.messaging, "no exchange 'scheduler_fanout'"); the windows are the evidence, and they decide.
const fanoutAt = Date.parse('2026-11-29T05:38:22.419Z');
const schedulerWindow = (fromMs: number, toMs: number) => ({ service: 'nova-scheduler', fromMs, toMs, names: ['nova-scheduler', 'scheduler_fanout'] });

test('a log line logged inside a stopped service\'s upgrade window, naming it, is explained with the reason; the check passes', async (t) => {
  const dir = await tempDir('gg-logs-');
  await writeFile(path.join(dir, 'nova-compute.log'), await recorded('nova-compute-scheduler-fanout.log'));
  const [check] = logChecks(['nova-compute'], new Map([['nova-compute', 'nova-compute']]), new Map());
  const inside = await runCheck(check!, { logFile: (n: string) => path.join(dir, `${n}.log`), windows: [schedulerWindow(fanoutAt - 8_000, fanoutAt + 6_000)] });
  t.is(inside.status, 'passed', inside.message);
  t.regex(inside.message!, /1 error line\(s\) explained by the upgrade's deliberate stops: line 4 .*naming scheduler_fanout, while nova-scheduler was stopped for its upgrade \(05:38:14\.419–05:38:28\.419\)/);
  t.is((inside.details?.['explained'] as unknown[]).length, 1);

  // The same line outside the window (the scheduler stopped later, or died by accident): red.
  const outside = await runCheck(check!, { logFile: (n: string) => path.join(dir, `${n}.log`), windows: [schedulerWindow(fanoutAt + 1_000, fanoutAt + 15_000)] });
  t.is(outside.status, 'failed');
  t.regex(outside.message!, /1 unexplained error line\(s\).*scheduler_fanout/);
  const none = await runCheck(check!, { logFile: (n: string) => path.join(dir, `${n}.log`) });
  t.is(none.status, 'failed', 'with no upgrade, the line is red');
});

test('a window explains only lines that name the stopped service, and only lines that carry a time', (t) => {
  const window = schedulerWindow(fanoutAt - 8_000, fanoutAt + 6_000);
  t.truthy(explainingWindow({ atMs: fanoutAt, context: "NOT_FOUND - no exchange 'scheduler_fanout' in vhost '/'" }, [window]));
  t.falsy(explainingWindow({ atMs: fanoutAt, context: "NOT_FOUND - no exchange 'conductor_fanout' in vhost '/'" }, [window]), 'another service named: red');
  t.falsy(explainingWindow({ atMs: fanoutAt, context: "no exchange 'scheduler_fanout_v2'" }, [window]), 'a longer name is another name');
  t.falsy(explainingWindow({ context: "no exchange 'scheduler_fanout'" }, [window]), 'no time: no evidence');
  t.truthy(explainingWindow({ atMs: fanoutAt, context: "Can't connect to MySQL server on 'mariadb'" }, [{ service: 'mariadb', fromMs: fanoutAt, toMs: fanoutAt, names: ['mariadb'] }]), 'the window\'s ends are inside it');
});

test('log lines carry their own time: oslo.log\'s prefix and ISO 8601, read as UTC', (t) => {
  t.is(lineTime('2026-11-29 05:38:22.419 1 ERROR x'), fanoutAt);
  t.is(lineTime('2026-11-29T05:38:22.419+01:00 x'), fanoutAt - 3_600_000);
  t.is(lineTime('2026-11-29 05:38:22,4 x'), Date.parse('2026-11-29T05:38:22.400Z'));
  t.is(lineTime('  File "x.py", line 1'), undefined);
  const [finding] = scanLog(`2026-11-29 05:38:22.419 1 ERROR m [-] x\n2026-11-29 05:38:22.419 1 ERROR m Traceback (most recent call last):\n2026-11-29 05:38:22.419 1 ERROR m   File "x.py", line 1\n2026-11-29 05:38:22.419 1 ERROR m ValueError: scheduler_fanout\n`, []);
  t.is(finding!.atMs, fanoutAt);
  t.regex(finding!.context, /ValueError: scheduler_fanout/);
});

test('nova-api\'s DBConnectionError relayed by neutron\'s nova notifier is explained inside mariadb\'s stop, by the name its recipe gives, and red outside it', async (t) => {
  // Recorded (compute-upgrade zed, 2026-12-07): the server booted just before the upgrade made
  // neutron send nova a network-changed event in the first second of mariadb's stop; nova-api
  // answered 500 with oslo.db's DBConnectionError and neutron logged it at ERROR.
  const dir = await tempDir('gg-logs-');
  await writeFile(path.join(dir, 'neutron-server.log'), await recorded('neutron-server-nova-notify-db-down.log'));
  const mariadb = (await loadScenario('compute-upgrade', await loadCatalogues())).services.find((s) => s.spec.name === 'mariadb')!;
  const names = ['mariadb', ...mariadb.spec.upgrade!.knownAs];
  const at = Date.parse('2026-12-07T11:23:55.605Z');
  const [check] = logChecks(['neutron-server'], new Map([['neutron-server', 'neutron-server']]), new Map());
  const logFile = (n: string) => path.join(dir, `${n}.log`);
  const inside = await runCheck(check!, { logFile, windows: [{ service: 'mariadb', fromMs: at - 1_300, toMs: at + 5_400, names }] });
  t.is(inside.status, 'passed', inside.message);
  t.regex(inside.message!, /naming DBConnectionError, while mariadb was stopped for its upgrade/);
  const later = await runCheck(check!, { logFile, windows: [{ service: 'mariadb', fromMs: at + 60_000, toMs: at + 67_000, names }] });
  t.is(later.status, 'failed', 'the same line when the database went away by accident');
  const otherStop = await runCheck(check!, { logFile, windows: [{ service: 'glance-api', fromMs: at - 1_300, toMs: at + 5_400, names: ['glance-api'] }] });
  t.is(otherStop.status, 'failed', 'inside another service\'s stop: red');
});

test('the recorded upgrade windows are read from the services\' checks, with the names the recipes give', (t) => {
  const windows = windowsOf([
    { id: 'upgrade.service.nova-scheduler', details: { window: { from: '2026-11-29T05:38:14.000Z', to: '2026-11-29T05:38:28.000Z' } } },
    { id: 'upgrade.service.nova-api', details: {} },
    { id: 'upgrade.downtime.compute', details: { window: { from: 'x', to: 'y' } } },
  ], (s) => (s === 'nova-scheduler' ? ['scheduler_fanout'] : []));
  t.deepEqual(windows, [{ service: 'nova-scheduler', fromMs: Date.parse('2026-11-29T05:38:14.000Z'), toMs: Date.parse('2026-11-29T05:38:28.000Z'), names: ['nova-scheduler', 'scheduler_fanout'] }]);
});

test("cloud's neutron-server allow-list explains OVN's port-deletion race (update_port_postcommit's RowNotFound), and not the same error in another operation", async (t) => {
  // Recorded from cloud/zed (neutron 21, 2026-12-06: managers.py logs the driver failure, then its traceback); the second
  // traceback, a port creation failing on a missing switch, is a real error and stays a finding.
  const allow = await allowOf('cloud', 'neutron-server');
  const findings = scanLog(await recorded('neutron-server-ovn-port-delete-race.log'), allow);
  t.is(findings.length, 1);
  t.regex(findings[0]!.context, /create_port_postcommit/);
  t.is(scanLog(await recorded('neutron-server-ovn-port-delete-race.log'), []).length, 2, 'without the allow-list both count');
});

test("a service that logs one of the cell's secrets is red naming the line and the secret's name, never its value, whatever the allow-list says", async (t) => {
  const dir = await tempDir('gategrid-secret-log-');
  const password = 'f3c1a9d2b7e84c0a9d1e2f3a4b5c6d7e';
  await writeFile(path.join(dir, 'keystone.log'), [
    '2026-12-06 10:00:00.000 7 INFO keystone.server.flask.core [-] Starting keystone',
    `2026-12-06 10:00:01.000 7 DEBUG oslo_db.sqlalchemy.engines [-] connection: mysql+pymysql://keystone:${password}@mariadb/keystone`,
    '2026-12-06 10:00:02.000 7 INFO keystone [-] ready',
  ].join('\n'));
  const secrets = new Map([['keystone_db_password', password], ['short', 'abc']]);
  const redact = (text: string) => text.replaceAll(password, '<secret:keystone_db_password>');
  const allowEverything = new Map([['keystone', [{ pattern: '.*', reason: 'allows every error line' }]]]);
  const [check] = logChecks(['keystone'], new Map([['keystone', 'keystone']]), allowEverything);
  const result = await runCheck(check!, { logFile: (n: string) => path.join(dir, `${n}.log`), secrets, redact });
  t.is(result.status, 'failed');
  t.regex(result.message ?? "", /keystone logged a secret of the cell: 1 line\(s\) .* at line 2 \(keystone_db_password\): .*mysql\+pymysql:\/\/keystone:<secret:keystone_db_password>@mariadb/);
  t.false(JSON.stringify(result).includes(password), 'the value is in no part of the result');
  // The same log without the secret among the cell's: no finding.
  const clean = await runCheck(check!, { logFile: (n: string) => path.join(dir, `${n}.log`), secrets: new Map([['other', '0123456789abcdef0123456789abcdef']]) });
  t.is(clean.status, 'passed');
});

test("cloud's allow-list explains eventlet's ignored _after_fork assertion under Python 3.13 (recorded on 2025.1), and not another AssertionError", async (t) => {
  const allow = await allowOf('cloud', 'nova-compute');
  const text = await recorded('nova-compute-eventlet-after-fork.log');
  t.is(scanLog(text, []).length, 2, 'without the allow-list both tracebacks count');
  const left = scanLog(text, allow);
  t.is(left.length, 1);
  t.regex(left[0]!.context, /Error updating resources/);
});

test("the same race logged by ovsdbapp's transaction as RuntimeError (recorded on cloud/zed) is explained too", async (t) => {
  const allow = await allowOf('cloud', 'neutron-server');
  const text = await recorded('neutron-server-ovn-port-delete-race-runtime.log');
  t.is(scanLog(text, []).length, 2, 'the transaction\'s traceback and the driver\'s');
  t.deepEqual(scanLog(text, allow), []);
});

test('a secret finding made without the cell\'s redaction still masks the value', (t) => {
  const value = '0123456789abcdef0123456789abcdef';
  const [finding] = scanSecrets(`connect mysql://nova:${value}@mariadb/nova`, new Map([['nova_db', value]]));
  t.is(finding?.text, 'connect mysql://nova:<secret:nova_db>@mariadb/nova');
});

test("a raw traceback with another worker's log record written into its middle is still one traceback, judged by its own exception (recorded on cloud/2025.1)", async (t) => {
  const allow = await allowOf('cloud', 'neutron-server');
  const text = await recorded('neutron-server-after-fork-interleaved.log');
  const findings = scanLog(text, []);
  t.is(findings.length, 1);
  t.is(findings[0]!.text, 'AssertionError:', 'its exception, not the Floating IP record written meanwhile');
  t.deepEqual(scanLog(text, allow), []);
});

test("the same race on 2025.1 from OVN's side (set_port_status_down's LspGetUpCommand, recorded on cloud/2025.1) is explained; the same RowNotFound from another command stays red", async (t) => {
  const allow = await allowOf('cloud', 'neutron-server');
  const text = await recorded('neutron-server-ovn-port-down-race-2025.1.log');
  t.is(scanLog(text, []).length, 2, 'the failed command\'s traceback and the event loop\'s');
  t.deepEqual(scanLog(text, allow), []);
  const other = text.replace('Error executing command (LspGetUpCommand)', 'Error executing command (LsAddCommand)');
  const left = scanLog(other, allow);
  t.is(left.length, 1);
  t.regex(left[0]!.context, /LsAddCommand/);
  t.deepEqual(scanLog(text, await allowOf('cloud-upgrade', 'neutron-server')), [], 'cloud-upgrade runs the same workload checks');
});

test("an ignored exception's header with other workers' records written before its traceback is still its header (recorded on cloud-upgrade, zed → 2025.1)", async (t) => {
  const allow = await allowOf('cloud-upgrade', 'neutron-server');
  const text = await recorded('neutron-server-after-fork-header-interleaved.log');
  const [finding] = scanLog(text, []);
  t.regex(finding!.context, /^Exception ignored in: <function _after_fork/, 'judged with its own header, not the record written meanwhile');
  t.deepEqual(scanLog(text, allow), []);
  // A traceback whose nearest untimestamped line above is not such a header keeps the line before it.
  const plain = text.replace('Exception ignored in: <function _after_fork at 0x7f874dc7f6a0>', 'something else');
  t.is(scanLog(plain, allow).length, 1);
});

test("cloud's allow-list explains libvirt losing a dying guest's monitor on neutron's port-deleted event only (recorded on cloud/zed); the same error on a user's detach stays red", async (t) => {
  // Recorded from the wider Tempest selection on cloud/zed (2026-12-08): nova-compute's
  // external_instance_event → _process_instance_vif_deleted_event → detach_interface while the
  // server's delete stopped qemu. The second record is shaped from it with nova's detach_interface
  // RPC (a user's detach) as the caller: frames decide.
  const allow = await allowOf('cloud', 'nova-compute');
  const text = await recorded('nova-compute-vif-deleted-detach-race.log');
  const findings = scanLog(text, allow);
  t.is(findings.length, 1);
  t.is(findings[0]!.line, 57);
  t.is(scanLog(text, []).length, 2, 'without the allow-list both count');
  // An entry with frames is about tracebacks only: a CRITICAL line its pattern matches is not excused by it.
  const critical = '2026-12-08 00:10:47.277 1 CRITICAL nova [-] Unable to read from monitor: Connection reset by peer\n';
  t.is(scanLog(critical, [{ pattern: 'Unable to read from monitor', reason: 'r' }]).length, 0);
  t.is(scanLog(critical, [{ pattern: 'Unable to read from monitor', frames: 'in detach_device', reason: 'r' }]).length, 1);
});
