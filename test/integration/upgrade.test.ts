import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Upgrade tests for real: core deployed on zed (bookworm), then keystone, glance and placement
// replaced one at a time by 2025.1's (trixie), in place, with every API probed all along.
test.serial('integration: core zed → 2025.1 service by service keeps what was made before, with each API\'s downtime measured', async (t) => {
  const out = await tempOut('upgrade');
  const run = await gategrid(['run', '--scenario', 'core-upgrade', '--release', 'zed', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /upgrade|PASSED|FAILED/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));

  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'passed');
  t.is(cell.phases.find((p) => p.name === 'upgrade')?.status, 'passed');
  const status = Object.fromEntries(cell.checks.map((c) => [c.id, c.status]));
  t.is(status['api.image.lifecycle'], 'passed', 'checked on zed before');
  for (const service of ['keystone', 'glance-api', 'placement-api']) t.is(status[`upgrade.service.${service}`], 'passed', service);
  for (const group of ['identity', 'image', 'placement']) t.is(status[`upgrade.resources.${group}`], 'passed', group);
  t.is(status['upgrade.api.image.lifecycle'], 'passed', 'checked on 2025.1 after');
  for (const service of ['keystone', 'glance-api', 'placement-api']) t.is(status[`logs.${service}`], 'passed', `logs of ${service}`);
  // A container replaced in place cannot answer while it is down: each probe must have seen that.
  for (const endpoint of ['identity', 'image', 'placement']) {
    const downtime = cell.checks.find((c) => c.id === `upgrade.downtime.${endpoint}`)!;
    t.is(downtime.status, 'passed');
    const measured = downtime.details as { downtimeMs: number; requests: number; outages: unknown[] };
    t.true(measured.downtimeMs > 1000 && measured.outages.length >= 1 && measured.requests > 10, `${endpoint}: ${downtime.message}`);
  }
  // The new services are 2025.1's: trixie images, and trixie's python in the same log after bookworm's.
  t.regex(cell.images?.['keystone@2025.1'] ?? '', /^gategrid\/keystone:trixie-/);
  t.regex(cell.images?.['glance-api@2025.1'] ?? '', /^gategrid\/glance-api:trixie-/);
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
