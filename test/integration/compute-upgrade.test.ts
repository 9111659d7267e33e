import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Upgrade tests for real: compute deployed on zed (bookworm), then mariadb (10.11 → 11.8), keystone,
// glance, placement, nova and neutron replaced one at a time by 2025.1's (trixie), in place, with
// every API probed all along and the other services' resources verified while each is down; then
// the checks again on 2025.1 (a new server boots). The scenario runs no Tempest (its default): Tempest
// from the release moved to is upgrade.test.ts's rolling test.
// core-upgrade is the same without nova and neutron. Before its upgrade, the cell is the compute
// scenario's deployment on zed with its checks: this test also stands for "compute on zed is green"
// (compute.test.ts deploys only the broken variant).
const COMPUTE_CHECKS = [
  'api.network.lifecycle', 'api.network.unauthenticated', 'api.compute.services', 'api.compute.hypervisors', 'api.compute.flavor-crud',
  'api.compute.server-boot', 'api.compute.server-actions', 'api.compute.server-delete', 'api.compute.unauthenticated',
];
const NOVA = ['nova-api', 'nova-conductor', 'nova-scheduler', 'nova-compute', 'neutron-server'];
const UPGRADED = ['mariadb', 'keystone', 'glance-api', 'placement-api', 'nova-conductor', 'nova-scheduler', 'nova-api', 'nova-compute', 'neutron-server'];
test.serial('integration: compute zed → 2025.1 service by service keeps what was made before, a server stays ACTIVE, each API\'s downtime measured', async (t) => {
  const out = await tempOut('upgrade');
  const run = await gategrid(['run', '--scenario', 'compute-upgrade', '--release', 'zed', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /upgrade|PASSED|FAILED/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));

  const cell = (await readResults(out)).cells[0]!;
  t.is(cell.status, 'passed');
  t.is(cell.phases.find((p) => p.name === 'upgrade')?.status, 'passed');
  const status = Object.fromEntries(cell.checks.map((c) => [c.id, c.status]));
  t.is(status['api.image.lifecycle'], 'passed', 'checked on zed before');
  // Compute on zed, before the upgrade: every service up, a server boots with a port neutron bound.
  for (const id of [...COMPUTE_CHECKS, ...NOVA.map((s) => `smoke.service.${s}`), 'smoke.job.nova-discover-hosts']) t.is(status[id], 'passed', id);
  t.regex(cell.checks.find((c) => c.id === 'api.compute.server-boot')?.message ?? '', /^server ACTIVE in [\d.]+ s on gategrid-compute, port bound \(ovs\) with 10\.\d+\.\d+\.\d+$/);
  for (const service of UPGRADED) t.is(status[`upgrade.service.${service}`], 'passed', service);
  for (const service of UPGRADED) t.is(status[`upgrade.health.${service}`], 'passed', `${service} still running at the end`);
  for (const group of ['identity', 'image', 'placement', 'network', 'compute']) t.is(status[`upgrade.resources.${group}`], 'passed', group);
  t.regex(cell.checks.find((c) => c.id === 'upgrade.resources.compute')?.message ?? '', /server booted before the upgrade is ACTIVE on gategrid-compute with the same port and address/);
  // mariadb moved first, with its own upgrade step; while it was down nothing could be verified, and it says so.
  t.regex(cell.checks.find((c) => c.id === 'upgrade.service.mariadb')?.message ?? '', /in place in [\d.]+ s; nothing verifiable while it was stopped/);
  t.regex(await readFile(path.join(out, cell.artifacts.logs, 'mariadb-upgrade.log'), 'utf8'), /11\.8\.\d+-MariaDB/);
  // Grenade's verify-while-down: while glance was down, the others' resources were intact; while the
  // compute was down, all of them (it serves no API).
  t.regex(cell.checks.find((c) => c.id === 'upgrade.while-down.glance-api')?.message ?? '', /^while glance-api was stopped: identity, placement, network, compute resources intact \(image not verifiable/);
  t.regex(cell.checks.find((c) => c.id === 'upgrade.while-down.nova-compute')?.message ?? '', /^while nova-compute was stopped: identity, image, placement, network, compute resources intact$/);
  t.is(cell.checks.filter((c) => c.id.startsWith('upgrade.while-down.') && c.status !== 'passed').length, 0);
  // Once every nova service runs 2025.1, nova's and placement's online data migrations, as Kolla's last steps.
  t.regex(run.all, /upgrade: nova-compute: nova-online-data-migrations passed in [\d.]+ s/);
  t.regex(run.all, /upgrade: placement-api: placement-online-data-migrations passed in [\d.]+ s/);
  t.regex(await readFile(path.join(out, cell.artifacts.logs, 'nova-online-data-migrations.log'), 'utf8'), /Running batches of \d+ until complete/);
  t.is(status['upgrade.api.image.lifecycle'], 'passed', 'checked on 2025.1 after');
  t.is(status['upgrade.api.compute.server-boot'], 'passed', 'a new server boots on 2025.1 after');
  for (const service of UPGRADED) t.is(status[`logs.${service}`], 'passed', `logs of ${service}`);
  // A container replaced in place cannot answer while it is down: each probe must have seen that.
  for (const endpoint of ['identity', 'image', 'placement', 'compute', 'network']) {
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
