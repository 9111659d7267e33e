import test from 'ava';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan } from '../../harness/deploy/plan.ts';
import { placeholders } from '../../harness/config/template.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { tempDir } from '../temp-dir.ts';

async function computePlan(scenario: string, releaseName = 'zed') {
  const loaded = await loadScenario(scenario, await loadCatalogues());
  const images = new Map(loaded.services.map((s) => [s.spec.image, `gategrid/${s.spec.image}:test`]));
  const hostPorts = Object.fromEntries(loaded.services.map((s, i) => [s.spec.name, Object.fromEntries(s.spec.ports.map((p) => [String(p), 42000 + i]))]));
  const plan = buildPlan({ scenario: loaded, releaseName, release: loaded.releases.get(releaseName)!, images, secrets: new SecretStore(), hostPorts, runId: 'r1', cellId: `compute/${releaseName}/docker`, backend: 'docker' });
  return { loaded, plan };
}

test('compute: nova services wait for nova-api\'s database job and the registrations they log in with', async (t) => {
  const { plan } = await computePlan('compute');
  const deps = Object.fromEntries(plan.steps.map((s) => [s.name, [...s.deps].sort()]));
  t.true(deps['nova-conductor']!.includes('nova-db-sync'), 'a service may wait for another service\'s job');
  t.true(deps['nova-conductor']!.includes('nova-register'), 'the conductor logs in to placement as nova at start');
  t.true(deps['nova-compute']!.includes('neutron-register'));
  t.deepEqual(deps['nova-discover-hosts'], ['nova-compute', 'nova-scheduler']);
  t.false(deps['nova-api']!.includes('nova-register'), 'registration stays detached from nova-api itself');
});

test('compute: the shared nova.conf is rendered for each nova service, nova-compute gets its own without database access', async (t) => {
  const { plan } = await computePlan('compute');
  const conf = (name: string, target: string) => {
    const step = plan.steps.find((s) => s.name === name);
    return step?.kind === 'service' ? step.spec.files.find((f) => f.target === target)?.content : undefined;
  };
  for (const name of ['nova-api', 'nova-conductor', 'nova-scheduler']) {
    const text = conf(name, '/etc/nova/nova.conf');
    t.truthy(text, name);
    t.deepEqual(placeholders(text!), [], name);
    t.regex(text!, /\[api_database\]\nconnection = mysql\+pymysql:\/\/nova:[^@]+@mariadb\/nova_api/, name);
  }
  const compute = conf('nova-compute', '/etc/nova/nova-compute.conf')!;
  t.regex(compute, /compute_driver = gategrid_fake\.StableFakeDriver/);
  t.notRegex(compute, /\[(api_)?database\]/, 'nova-compute must not get database credentials');
});

test('compute: service users get admin and service by default; the fixture takes service away from nova only', async (t) => {
  const roles = (plan: Awaited<ReturnType<typeof computePlan>>['plan']) => Object.fromEntries(plan.catalog.map((c) => [c.service.name, c.user?.roles]));
  const good = roles((await computePlan('compute')).plan);
  t.deepEqual(good['nova'], ['admin', 'service']);
  t.deepEqual(good['neutron'], ['admin', 'service']);
  const broken = roles((await computePlan(path.resolve('fixtures/scenarios/compute-without-service-role.yaml'))).plan);
  t.deepEqual(broken['nova'], ['admin', 'member']);
  t.deepEqual(broken['neutron'], ['admin', 'service']);
});

test('compute-upgrade: nova moves in Kolla\'s order, compute last of nova, and nova\'s databases move with the conductor', async (t) => {
  const { loaded, plan } = await computePlan('compute-upgrade');
  const order = loaded.spec.upgrade!.services;
  t.true(order.indexOf('nova-conductor') < order.indexOf('nova-api'));
  t.true(order.indexOf('nova-api') < order.indexOf('nova-compute'));
  t.deepEqual(plan.upgrades.get('nova-conductor')!.jobs.map((j) => j.name), ['nova-db-upgrade']);
  t.deepEqual(loaded.spec.upgrade!.resources, ['identity', 'image', 'placement', 'network', 'compute']);
});

test('compute: mariadb never closes idle transactions (neutron\'s port-event dispatch holds them)', async (t) => {
  const { plan } = await computePlan('compute');
  const mariadb = plan.steps.find((s) => s.name === 'mariadb');
  t.regex(mariadb?.kind === 'service' ? mariadb.spec.files[0]!.content : '', /^idle_transaction_timeout = 0$/m);
});

// Trixie's MariaDB 11.8 checks write/write conflicts by default, which OpenStack's services do not
// expect (nova 2025.1 failed on error 1020): every release's server is told OFF, `loose-` so that
// bullseye's 10.5, which has no such variable, starts.
test('compute: mariadb runs without snapshot isolation on every release (2025.1 included)', async (t) => {
  for (const release of ['victoria', 'zed', '2025.1']) {
    const { plan } = await computePlan('compute', release);
    const mariadb = plan.steps.find((s) => s.name === 'mariadb');
    t.regex(mariadb?.kind === 'service' ? mariadb.spec.files[0]!.content : '', /^loose-innodb_snapshot_isolation = OFF$/m, release);
  }
});

test('compute: neutron lets projects overlap their subnets, as Tempest\'s parallel workers assume', async (t) => {
  for (const release of ['victoria', 'zed', '2025.1']) {
    const { plan } = await computePlan('compute', release);
    const neutron = plan.steps.find((s) => s.name === 'neutron-server');
    const conf = neutron?.kind === 'service' ? neutron.spec.files.find((f) => f.target.endsWith('neutron.conf'))?.content ?? '' : '';
    t.regex(conf, /\[DEFAULT\][^[]*^allow_overlapping_ips = true$/m, release);
  }
});

// The conductor's migration job ends with nova-status upgrade check: its script, as the plan renders
// it, run by dash with nova-manage and nova-status stood in by commands on PATH (nova-status prints
// the table 2025.1's really printed after Zed's migrations, recorded in fixtures/nova-status/).
test('nova\'s upgrade job goes on past nova-status warnings and allowed failures, and stops at any other', async (t) => {
  const job = async (scenario: string) => {
    const { plan } = await computePlan(scenario);
    const step = plan.upgrades.get('nova-conductor')!.jobs.find((s) => s.name === 'nova-db-upgrade');
    if (step?.kind !== 'run') throw new Error('no nova-db-upgrade job');
    return step.spec;
  };
  const bin = await tempDir('gategrid-nova-status-');
  const table = path.join(repoRoot, 'fixtures/nova-status/zed-to-2025.1-after-migrations.txt');
  await writeFile(path.join(bin, 'nova-manage'), '#!/bin/sh\nexit 0\n');
  await writeFile(path.join(bin, 'nova-status'), `#!/bin/sh\ncat '${table}'\nexit "\${NOVA_STATUS_RC:-2}"\n`);
  await chmod(path.join(bin, 'nova-manage'), 0o755);
  await chmod(path.join(bin, 'nova-status'), 0o755);
  const run = async (spec: Awaited<ReturnType<typeof job>>, rc: number) => {
    const [shell, flags, script] = spec.command!;
    t.is(shell, 'sh');
    return execa('dash', [flags!, script!], { reject: false, all: true, env: { ...spec.env, PATH: `${bin}:/usr/bin:/bin`, NOVA_STATUS_RC: String(rc) } });
  };
  const upgrade = await job('compute-upgrade');
  t.is(upgrade.env['GG_VARS_NOVA_STATUS_ALLOWED_FAILURES'], 'Older than N-1 computes', 'compute-upgrade allows the skip-level failure');
  const allowed = await run(upgrade, 2);
  t.is(allowed.exitCode, 0, allowed.all);
  t.regex(allowed.all, /"Older than N-1 computes" failed, allowed by the scenario/);
  t.is((await run(upgrade, 1)).exitCode, 0, 'warnings go on');
  t.is((await run(upgrade, 255)).exitCode, 255, 'an error stops it');
  const strict = await run(await job('compute'), 2);
  t.is(strict.exitCode, 2, 'without the allowance, the failed check stops nova');
  t.regex(strict.all, /nova-status upgrade check failed: "Older than N-1 computes": nova is not upgraded/);
});
