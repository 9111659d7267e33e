/**
 * gategrid benchmark: prints where the time goes for the core scenario on zed, each figure beside
 * its target. Not a test: it measures, it does not assert.
 *
 *   npm run bench               warm images (the common case)
 *   npm run bench -- --cold     removes gategrid's images first and measures every build cold
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCatalogues, loadScenario } from '../harness/config/load-scenario.ts';
import { docker, listByLabel, removeByLabel } from '../harness/docker-cli.ts';
import { ImageBuilder, type BuiltImage } from '../harness/images/image-builder.ts';
import { ensureBaseImage, baseImageTag } from '../harness/images/base-image.ts';
import { DockerBackend } from '../harness/backends/docker/docker-backend.ts';
import { registerCatalog } from '../harness/openstack/catalog-registration.ts';
import { runMatrix } from '../harness/runner/run-matrix.ts';
import { expandCells } from '../harness/matrix/cells.ts';
import { LABEL_RUN, LABEL_OWNER } from '../harness/labels.ts';
import type { RunResult } from '../harness/results/model.ts';

const cold = process.argv.includes('--cold');
const release = 'zed';
const rows: Array<[string, string, string]> = [];
const row = (name: string, value: string, target = '') => { rows.push([name, value, target]); process.stdout.write(`  ${name.padEnd(44)} ${value.padStart(10)}  ${target}\n`); };
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const catalogues = await loadCatalogues();
const scenario = await loadScenario('core', catalogues);
const suite = catalogues.releases.get(release)!.suite;
const names = [...new Set(scenario.services.map((x) => x.spec.image))];

process.stdout.write(`gategrid benchmark: core/${release}/docker on ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB (${cold ? 'cold' : 'warm'} images)\n\n`);

if (cold) {
  const images = (await docker(['images', '-q', '--filter', `label=io.gategrid.image`])).stdout.split('\n').filter(Boolean);
  if (images.length > 0) await docker(['rmi', '-f', ...new Set(images)], { allowFailure: true });
  await docker(['rmi', '-f', baseImageTag(suite)], { allowFailure: true });
}

process.stdout.write('images\n');
const base = await ensureBaseImage(suite);
row(`base image (${base.source})`, s(base.durationMs), base.source === 'debootstrap' ? 'debootstrap ~25-40 s' : '');
const built: BuiltImage[] = [];
const builder = () => new ImageBuilder(catalogues.images, { logDir: path.join(os.tmpdir(), 'gategrid-bench-images'), parallel: 2, events: { onImage: (i) => built.push(i) } });
let t0 = Date.now();
await builder().ensureAll(names, suite);
const firstPass = Date.now() - t0;
for (const i of built) row(`  image ${i.name} (${i.cached ? 'cached' : 'built'})`, s(i.durationMs));
row('  all images, first pass (parallel 2)', s(firstPass));
built.length = 0;
t0 = Date.now();
await builder().ensureAll(names, suite);
row('  all images, no-op rebuild', s(Date.now() - t0), 'target <= 3 s');

process.stdout.write('\ncore cell\n');
const cpu0 = process.cpuUsage();
const core = await runCells(expandCells({ scenarios: [scenario], releases: [release], backends: ['docker'], cells: [], tempest: 'none' }), 1);
const cpu = process.cpuUsage(cpu0);
const { run, wall, peakMiB, teardownMs } = core;
const cell = run.cells[0]!;

const steps = cell.phases.filter((p) => p.name.startsWith('deploy/'));
for (const p of steps) row(`  ${p.name.slice(7)} (${p.status})`, s(p.durationMs));
const services = steps.filter((p) => cell.checks.some((c) => c.id === `smoke.service.${p.name.slice(7)}`));
const firstStart = Math.min(...steps.map((p) => Date.parse(p.startedAt)));
const lastApi = Math.max(...services.map((p) => Date.parse(p.startedAt) + p.durationMs));
row('all core APIs answering, from first container', s(lastApi - firstStart), 'target <= 45 s');
for (const name of ['checks', 'logs']) {
  const p = cell.phases.find((x) => x.name === name);
  if (p) row(`${name} phase (${p.status})`, s(p.durationMs));
}
row('teardown', s(teardownMs));
row('cell total (images warm)', s(wall));
const harnessShare = ((cpu.user + cpu.system) / 1000) / wall;
row("harness's own CPU share of wall time", `${(harnessShare * 100).toFixed(1)} %`, 'target < 5 %');
row('peak memory of the deployment', `${peakMiB.toFixed(0)} MiB`, 'measured here before: ~1.2 GiB idle');
row('verdict', cell.status, `${cell.checks.filter((c) => c.status === 'passed').length}/${cell.checks.length} checks passed`);

process.stdout.write('\nmatrix: identity on zed and 2025.1 at once\n');
const identity = await loadScenario('identity', catalogues);
const matrix = await runCells(expandCells({ scenarios: [identity], releases: ['zed', '2025.1'], backends: ['docker'], cells: [], tempest: 'none' }), 2);
for (const c of matrix.run.cells) row(`  ${c.id} (${c.status})`, s(c.durationMs ?? 0));
const sum = matrix.run.cells.reduce((acc, c) => acc + (c.durationMs ?? 0), 0);
row('  sum of the cells\' times', s(sum));
row('  wall time of the matrix', s(matrix.wall), `${(sum / matrix.wall).toFixed(2)}x parallel speed-up`);
row('  peak memory of both deployments', `${matrix.peakMiB.toFixed(0)} MiB`);

process.stdout.write('\nupgrade: core zed → 2025.1, service by service, in place\n');
const coreUpgrade = await loadScenario('core-upgrade', catalogues);
const upgrade = await runCells(expandCells({ scenarios: [coreUpgrade], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'none' }), 1);
const upgraded = upgrade.run.cells[0]!;
for (const c of upgraded.checks.filter((x) => x.id.startsWith('upgrade.service.') || x.id.startsWith('upgrade.downtime.'))) {
  const downtime = (c.details as { downtimeMs?: number } | undefined)?.downtimeMs;
  row(`  ${c.id.slice('upgrade.'.length)} (${c.status})`, s(downtime ?? c.durationMs), downtime === undefined ? '' : 'API unavailable (in-place upgrade: measured, no target)');
}
const upgradePhase = upgraded.phases.find((p) => p.name === 'upgrade');
if (upgradePhase) row('  upgrade phase (resources, upgrades, verification)', s(upgradePhase.durationMs));
row('  cell total', s(upgrade.wall), `${upgraded.status}, ${upgraded.checks.filter((c) => c.status === 'passed').length}/${upgraded.checks.length} checks passed`);

/** Runs cells with everything kept, reads the cgroup memory peaks, then tears down and times it. */
async function runCells(cells: ReturnType<typeof expandCells>, concurrency: number) {
  const wall0 = Date.now();
  const run: RunResult = { schemaVersion: 1, run: { id: `bench-${Date.now()}`, startedAt: new Date().toISOString(), gategridVersion: 'bench' }, cells: [] };
  await runMatrix(cells, {
    run, outDir: path.join(os.tmpdir(), 'gategrid-bench'), images: builder(), keep: 'always', rerunTempest: false, retries: 0, concurrency, failFast: false,
    backends: new Map([['docker', new DockerBackend()]]), actions: { catalog: registerCatalog },
    timeouts: { images: 45 * 60_000, deploy: 10 * 60_000, checks: 15 * 60_000 }, signal: new AbortController().signal, reporter: { name: 'bench' },
  });
  const peakMiB = await peakMemoryMiB(run.run.id);
  const t1 = Date.now();
  await removeByLabel([`${LABEL_RUN}=${run.run.id}`]);
  return { run, peakMiB, teardownMs: Date.now() - t1, wall: Date.now() - wall0 };
}

/** Sums each container's cgroup (v1) memory high-water mark; 0 where cgroups cannot be read. */
async function peakMemoryMiB(runId: string): Promise<number> {
  const ids = await listByLabel('container', [`${LABEL_RUN}=${runId}`, `${LABEL_OWNER}=gategrid`]);
  let total = 0;
  for (const short of ids) {
    const full = (await docker(['inspect', '--format', '{{.Id}}', short])).stdout.trim();
    const v1 = await readFile(`/sys/fs/cgroup/memory/docker/${full}/memory.max_usage_in_bytes`, 'utf8').catch(() => '0');
    total += Number(v1);
  }
  return total / 2 ** 20;
}
