import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inMemoryBackend, memoryEnvironment } from '../in-memory-backend.ts';
import type { Environment, JobSpec } from '../../harness/backends/backend.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { encodeSubunitV2 } from '../../harness/checks/runners/subunit-v2.ts';
import { InfraError } from '../../harness/errors.ts';
import type { BuiltImage, ImageBuilder } from '../../harness/images/image-builder.ts';
import { expandCells } from '../../harness/matrix/cells.ts';
import type { RunResult } from '../../harness/results/model.ts';
import { runMatrix } from '../../harness/runner/run-matrix.ts';
import { tempDir } from '../temp-dir.ts';

// Issue 23 (the cold first verdict): Tempest's image, needed last, is built while the cell deploys.
// The runner with an in-memory backend whose Tempest job writes a one-test stream: the deploy
// starts before Tempest's image is built, the Tempest job runs on that image once it is, and a
// build that fails makes the Tempest phase an error naming it (the harness's side, not the cloud's).

interface Fixture { events: string[]; jobs: JobSpec[]; release: () => void }

function setup(lateFails?: Error, deployFails?: Error): Fixture & { images: ImageBuilder; env: Environment } {
  const events: string[] = [];
  const jobs: JobSpec[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const image = (name: string): BuiltImage => ({ name, tag: `mem/${name}`, id: 'sha256:0123456789abcdef', cached: false, durationMs: 1, logFile: undefined });
  const images = {
    ensureAll: async (names: string[]) => { events.push(`build ${names.join(',')}`); return new Map(names.map((n) => [n, image(n)])); },
    ensure: async (name: string) => { events.push(`build ${name} started`); await gate; events.push(`build ${name} ended`); if (lateFails) throw lateFails; return image(name); },
    isCached: async () => true,
    recordManifests: async () => undefined,
  } as unknown as ImageBuilder;
  const env = memoryEnvironment('late', {
    reserve: async () => undefined,
    startService: async (spec) => {
      events.push(`start ${spec.name}`);
      if (deployFails) throw deployFails;
      if (spec.name === 'keystone') release();
    },
    // A cell torn down early has its build end only after its environment is gone: the images phase's teardown waits for it.
    teardown: async () => { events.push('environment teardown'); setTimeout(release, 100); },
    runJob: async (spec) => {
      jobs.push(spec);
      events.push(`run ${spec.name}`);
      if (spec.name === 'tempest') await writeFile(path.join(spec.outputs!.to, 'results.subunit'), encodeSubunitV2({ testId: 'tempest.api.identity.test_x', status: 'success', timestamp: new Date() }));
      return { exitCode: 0, output: '' };
    },
  });
  return { events, jobs, release, images, env };
}

async function runIdentity(f: ReturnType<typeof setup>, stopAfter?: string): Promise<RunResult['cells'][number]> {
  const catalogues = await loadCatalogues();
  const cells = expandCells({ scenarios: [await loadScenario('identity', catalogues)], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'smoke' });
  const run: RunResult = { schemaVersion: 1, run: { id: 'r-late', startedAt: new Date().toISOString(), gategridVersion: 'test' }, cells: [] };
  await runMatrix(cells, {
    run, outDir: await tempDir('gategrid-late-'), images: f.images, backends: new Map([['docker', inMemoryBackend(async () => f.env)]]),
    actions: { catalog: async () => undefined }, keep: 'never', rerunTempest: false, retries: 0, concurrency: 1, failFast: false,
    timeouts: { images: 10_000, deploy: 10_000, checks: 10_000 }, signal: new AbortController().signal, reporter: { name: 'none' },
    ...(stopAfter ? { stopAfter } : {}),
  });
  return run.cells[0]!;
}

test('Tempest\'s image is built while the cell deploys, and Tempest runs on it once built', async (t) => {
  const f = setup();
  const cell = await runIdentity(f);
  t.false(f.events[0]!.includes('tempest'), `the images phase waits for the deploy's images only: ${f.events[0]}`);
  t.true(f.events.indexOf('build tempest started') < f.events.indexOf('start mariadb'), 'started before the deploy');
  t.true(f.events.indexOf('start mariadb') < f.events.indexOf('build tempest ended'), 'the deploy did not wait for it');
  t.true(f.events.indexOf('build tempest ended') < f.events.indexOf('run tempest'), 'Tempest waited for its image');
  t.is(f.jobs.find((j) => j.name === 'tempest')!.image, 'mem/tempest');
  t.is(cell.images?.['tempest'], 'mem/tempest', 'recorded with the cell\'s images');
  t.true(cell.checks.some((c) => c.id === 'tempest.api.identity.test_x' && c.status === 'passed'));
  // The environment's teardown is the cell's one `teardown`; the build had ended, so nothing else is.
  t.deepEqual(cell.phases.map((p) => p.name).filter((n) => n.endsWith('teardown')), ['teardown']);
});

test('a cell that fails while Tempest\'s image still builds waits for the build in its own phase (images teardown) before it ends', async (t) => {
  const f = setup(undefined, new Error('mariadb did not start'));
  const cell = await runIdentity(f);
  t.is(cell.status, 'error');
  t.false(f.events.includes('run tempest'));
  t.deepEqual(cell.phases.map((p) => p.name).filter((n) => n.endsWith('teardown')), ['teardown', 'images teardown']);
  t.true(f.events.indexOf('environment teardown') < f.events.indexOf('build tempest ended'), 'the build was still running at the teardown');
  t.is(cell.phases.find((p) => p.name === 'images teardown')?.status, 'passed');
});

test('a Tempest image that fails to build makes the Tempest phase an error naming the build, after the deploy ran', async (t) => {
  const f = setup(new InfraError('image tempest (bookworm) did not build (exit 100); log: /logs/tempest-bookworm.log'));
  const cell = await runIdentity(f);
  t.true(f.events.includes('start keystone'));
  t.false(f.events.includes('run tempest'));
  const tempest = cell.phases.find((p) => p.name === 'tempest')!;
  t.is(tempest.status, 'error');
  t.regex(tempest.message ?? '', /image tempest \(bookworm\) did not build/);
  t.is(cell.status, 'error');
});

test('a run that stops before Tempest (--stop-after deploy) builds no Tempest image', async (t) => {
  const f = setup();
  const cell = await runIdentity(f, 'deploy');
  t.true(f.events.includes('start keystone'));
  t.false(f.events.some((e) => e.includes('tempest')), f.events.join('; '));
  t.is(cell.images?.['tempest'], undefined);
  t.deepEqual(cell.phases.map((p) => p.name).filter((n) => n.endsWith('teardown')), ['teardown']);
});
