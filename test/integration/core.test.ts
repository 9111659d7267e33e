import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';
import { readHistory } from '../../reports/xlsx-reporter.ts';

// Real containers from real Debian packages: these tests deploy OpenStack, one deployment at a
// time within this file, and share the image cache: the first builds, the rest reuse.

const API_CHECKS = [
  'api.identity.token-issue', 'api.identity.token-validate', 'api.identity.token-revoke', 'api.identity.catalog',
  'api.identity.project-user-crud', 'api.identity.unauthenticated', 'api.image.lifecycle', 'api.image.unauthenticated',
  'api.placement.resource-provider', 'api.placement.unauthenticated',
];
const SERVICES = ['mariadb', 'memcached', 'rabbitmq', 'keystone', 'glance-api', 'placement-api'];

// One deployment serves the whole green path: the checks, real Tempest smoke and the shared report
// (each of these was its own deployment before; the tests' time is mostly deploying).
test.serial('integration: core on zed deploys for real and is green: every check, Tempest smoke (every test a check), the shared report, nothing left behind', async (t) => {
  const out = await tempOut('green');
  const run = await gategrid(['run', '--scenario', 'core', '--release', 'zed', '--tempest', 'smoke', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /tempest:|PASSED|FAILED|ERROR|deploy passed|images passed/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));

  const results = await readResults(out);
  t.is(results.schemaVersion, 1);
  const cell = results.cells[0]!;
  t.is(cell.id, 'core/zed/docker');
  t.true(cell.status === 'passed' || cell.status === 'flaky', cell.reason);
  const ids = new Set(cell.checks.map((c) => c.id));
  for (const id of [...API_CHECKS, ...SERVICES.map((s) => `smoke.service.${s}`), ...SERVICES.map((s) => `logs.${s}`), 'smoke.endpoint.identity', 'smoke.endpoint.image', 'smoke.endpoint.placement']) {
    t.true(ids.has(id), `missing check ${id}`);
  }
  t.deepEqual(cell.checks.filter((c) => c.kind !== 'tempest' && c.status !== 'passed'), []);
  t.true(cell.phases.some((p) => p.name === 'deploy/keystone-bootstrap' && p.status === 'passed'));
  t.deepEqual(cell.phases.filter((p) => !p.name.includes('/')).map((p) => [p.name, p.status]), [
    ['images', 'passed'], ['environment', 'passed'], ['deploy', 'passed'], ['checks', 'passed'], ['tempest', 'passed'], ['health', 'passed'], ['logs', 'passed'], ['teardown', 'passed'],
  ]);
  // Tempest smoke is the scenario's default selection, so the repro command does not repeat it.
  t.regex(cell.repro, /^npx gategrid run --scenario core --release zed --backend docker --revision [0-9a-f]{12}$/);
  t.is(cell.scenarioRevision, cell.repro.split(' ').at(-1));

  // Real Tempest: every test is a check, skips carry their reason, the counts are in the phase.
  const tempest = cell.checks.filter((c) => c.kind === 'tempest');
  t.true(tempest.length >= 30, `only ${tempest.length} Tempest tests`);
  t.true(tempest.filter((c) => c.status === 'passed').length >= 10);
  t.true(tempest.some((c) => c.status === 'skipped' && (c.message ?? '').length > 0), 'skips carry their reason');
  t.deepEqual(tempest.filter((c) => c.status === 'failed' || c.status === 'error'), []);
  const phase = cell.phases.find((p) => p.name === 'tempest')!;
  t.is((phase.details as { total: number }).total, tempest.length);
  t.true(((phase.details as { wallMs: number }).wallMs) > 0);
  const conf = await readFile(path.join(out, cell.artifacts.tempest!, 'tempest.conf'), 'utf8');
  t.regex(conf, /admin_password = <secret:admin>/, 'the saved tempest.conf is redacted');

  const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
  t.regex(junit, new RegExp(`<testsuite name="core/zed/docker" tests="${cell.checks.length}" failures="0" errors="0"`));
  t.regex(junit, /classname="core\/zed\/docker\.tempest" name="tempest\.api\.identity\./);
  t.true((await stat(path.join(out, cell.artifacts.logs, 'keystone.log'))).size > 0, 'keystone log saved');
  // The shared report: the HTML page and the stability matrix (in --out when it is given).
  t.regex(await readFile(path.join(out, 'report.html'), 'utf8'), new RegExp(`<h2 id="cell-core-zed-docker">core/zed/docker <span class="s ${cell.status}">${cell.status}</span></h2>`));
  const history = await readHistory(path.join(out, 'stability-matrix.xlsx'));
  t.deepEqual(history.map((r) => [r.runId, r.cell, r.status]), [[results.run.id, 'core/zed/docker', cell.status]]);
  t.deepEqual(await leftovers(results.run.id), []);
});

test.serial('integration: a wrong glance database password turns the cell red at the right checks, with the repro command', async (t) => {
  const out = await tempOut('broken');
  const run = await gategrid(['run', '--scenario', 'fixtures/scenarios/core-broken-glance-db.yaml', '--release', 'zed', '--out', out]);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  // The second run of the same images rebuilds nothing.
  t.notRegex(run.all, /image \S+ built in/);
  t.regex(run.all, /reproduce: npx gategrid run --scenario fixtures\/scenarios\/core-broken-glance-db\.yaml --release zed --backend docker --revision [0-9a-f]{12}$/m);

  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'failed');
  const status = Object.fromEntries(cell.checks.map((c) => [c.id, c.status]));
  t.is(status['smoke.job.glance-db-sync'], 'failed');
  t.is(status['smoke.service.glance-api'], 'failed');
  t.is(status['api.image.lifecycle'], 'failed');
  t.is(status['smoke.service.keystone'], 'passed');
  t.is(status['api.identity.project-user-crud'], 'passed');
  t.is(status['api.placement.resource-provider'], 'passed');
  t.regex(cell.checks.find((c) => c.id === 'smoke.job.glance-db-sync')!.message!, /Access denied for user 'glance'/);
  // The progress line and the results agree: the deploy phase is red, and says where.
  t.is(cell.phases.find((p) => p.name === 'deploy')?.status, 'failed');
  t.regex(run.all, /deploy failed in [\d.]+ s: \d+ of \d+ steps not passed, first glance-db-sync/);
  t.deepEqual(await leftovers((await readResults(out)).run.id), []);
});
