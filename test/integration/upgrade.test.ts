import test from 'ava';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Upgrade tests for real, core (keystone, glance, placement on zed, moved to 2025.1): rolling
// behind haproxy, and a new release that never answers. The compute upgrade (in place) is in
// compute-upgrade.test.ts (its own file, so that it runs beside these); an upgrade over its
// downtime budget is kubernetes.test.ts's identity upgrade.

// Rolling behind haproxy: the same upgrade with the cloud open. Zero failed probe requests is the
// cell's budget; every service says it rolled (none fell back to in place); Tempest from 2025.1.
test.serial('integration: core zed → 2025.1 rolling behind haproxy fails no probe request, and Tempest from 2025.1 passes', async (t) => {
  const out = await tempOut('rolling');
  const run = await gategrid(['run', '--scenario', 'core-upgrade-rolling', '--release', 'zed', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /upgrade|PASSED|FAILED|tempest:/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));
  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'passed');
  for (const service of ['keystone', 'glance-api', 'placement-api']) {
    const check = cell.checks.find((c) => c.id === `upgrade.service.${service}`)!;
    t.regex(check.message ?? '', /^zed → 2025\.1 rolling behind haproxy in [\d.]+ s$/, service);
    t.like(check.details, { strategy: 'rolling', container: `${service}-next` });
    // Verified while its old slot was drained (the new one serving): every resource, its own included.
    t.regex(cell.checks.find((c) => c.id === `upgrade.while-down.${service}`)?.message ?? '', new RegExp(`^while ${service} was drained: identity, image, placement resources intact$`));
    t.is(cell.checks.find((c) => c.id === `upgrade.health.${service}`)?.status, 'passed');
  }
  for (const endpoint of ['identity', 'image', 'placement']) {
    const downtime = cell.checks.find((c) => c.id === `upgrade.downtime.${endpoint}`)!;
    const measured = downtime.details as { downtimeMs: number; failed: number; requests: number };
    t.is(measured.failed, 0, `${endpoint}: ${downtime.message}`);
    t.true(measured.requests > 20, `${endpoint} was probed all along`);
  }
  for (const group of ['identity', 'image', 'placement']) t.is(cell.checks.find((c) => c.id === `upgrade.resources.${group}`)?.status, 'passed', group);
  t.is(cell.phases.find((p) => p.name === 'tempest')?.status, 'passed');
  t.regex(cell.images?.['tempest@2025.1'] ?? '', /^gategrid\/tempest:trixie-/);
  // The second slots' logs were scanned with their recipes' allow-lists.
  t.is(cell.checks.find((c) => c.id === 'logs.keystone-next')?.status, 'passed');
  t.deepEqual(await leftovers((await readResults(out)).run.id), []);
});

// The failure path for real: keystone's 2025.1 release started beside Zed's but never answering
// (an injected fault: its command is a sleep). The upgrade stops red there; Zed's keystone was
// never drained, so the probe saw no failed request and every resource is intact.
test.serial('integration: a rolling upgrade whose new release never answers is red at that service, the old release still serving, no outage', async (t) => {
  const out = await tempOut('rolling-silent');
  const run = await gategrid(['run', '--scenario', 'core-upgrade-rolling', '--release', 'zed', '--tempest', 'none', '--out', out,
    '--inject-fault', 'core-upgrade-rolling/zed/docker:silent-upgrade=keystone,within=20']);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'failed');
  const status = Object.fromEntries(cell.checks.map((c) => [c.id, c.status]));
  t.is(status['upgrade.service.keystone'], 'failed');
  t.regex(cell.reason ?? '', /^upgrade\.service\.keystone: .*keystone-next/);
  t.regex(cell.repro, / --inject-fault core-upgrade-rolling\/zed\/docker:silent-upgrade=keystone,within=20$/, 'it reproduces with its fault');
  t.is(status['upgrade.service.glance-api'], 'skipped');
  t.is(status['upgrade.service.placement-api'], 'skipped');
  const identity = cell.checks.find((c) => c.id === 'upgrade.downtime.identity')!;
  t.is(identity.status, 'passed', identity.message);
  t.is((identity.details as { failed: number }).failed, 0, identity.message);
  for (const group of ['identity', 'image', 'placement']) t.is(status[`upgrade.resources.${group}`], 'passed', group);
  t.is(status['upgrade.api.identity.token-issue'], 'passed', 'Zed\'s keystone still serves after the failed upgrade');
  t.deepEqual(await leftovers((await readResults(out)).run.id), []);
});
