import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Upgrade tests for real: identity deployed on zed (bookworm), keystone replaced by 2025.1's
// (trixie) in place, with its endpoint probed all along.
test.serial('integration: keystone zed → 2025.1 in place keeps the resources made before, with the downtime measured', async (t) => {
  const out = await tempOut('upgrade');
  const run = await gategrid(['run', '--scenario', 'identity-upgrade', '--release', 'zed', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /upgrade|PASSED|FAILED/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));

  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'passed');
  t.is(cell.phases.find((p) => p.name === 'upgrade')?.status, 'passed');
  const status = Object.fromEntries(cell.checks.map((c) => [c.id, c.status]));
  t.is(status['api.identity.project-user-crud'], 'passed', 'checked on zed before');
  t.is(status['upgrade.service.keystone'], 'passed');
  t.is(status['upgrade.resources.identity'], 'passed');
  t.is(status['upgrade.api.identity.token-validate'], 'passed', 'checked on 2025.1 after');
  t.is(status['logs.keystone'], 'passed');
  // A container replaced in place cannot answer while it is down: the probe must have seen that.
  const downtime = cell.checks.find((c) => c.id === 'upgrade.downtime.identity')!;
  t.is(downtime.status, 'passed');
  const measured = downtime.details as { downtimeMs: number; requests: number; outages: unknown[] };
  t.true(measured.downtimeMs > 1000 && measured.outages.length >= 1, downtime.message);
  t.true(measured.requests > 10);
  // The new keystone is 2025.1's: its image and the uwsgi/python of trixie in the same log.
  t.regex(cell.images?.['keystone@2025.1'] ?? '', /^gategrid\/keystone:trixie-/);
  t.regex(await readFile(path.join(out, cell.artifacts.logs, 'keystone.log'), 'utf8'), /Python version: 3\.11[\s\S]*Python version: 3\.13/);
  t.deepEqual(await leftovers((await readResults(out)).run.id), []);
});

test.serial('integration: an upgrade over the scenario\'s downtime budget turns the cell red at the downtime check', async (t) => {
  const out = await tempOut('upgrade-budget');
  const run = await gategrid(['run', '--scenario', 'fixtures/scenarios/identity-upgrade-no-downtime-budget.yaml', '--release', 'zed', '--out', out]);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'failed');
  t.regex(cell.reason ?? '', /^upgrade\.downtime\.identity: unavailable [\d.]+ s .*over the budget of 0 s$/);
  const status = Object.fromEntries(cell.checks.map((c) => [c.id, c.status]));
  t.is(status['upgrade.service.keystone'], 'passed');
  t.is(status['upgrade.resources.identity'], 'passed');
  t.regex(run.all, /reproduce: npx gategrid run --scenario fixtures\/scenarios\/identity-upgrade-no-downtime-budget\.yaml --release zed --backend docker --revision [0-9a-f]{12}$/m);
  t.deepEqual(await leftovers((await readResults(out)).run.id), []);
});
