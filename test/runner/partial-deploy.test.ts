import test from 'ava';
import { inMemoryBackend, memoryEnvironment } from '../in-memory-backend.ts';
import type { Backend } from '../../harness/backends/backend.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { DeploymentError } from '../../harness/errors.ts';
import type { ImageBuilder } from '../../harness/images/image-builder.ts';
import { expandCells } from '../../harness/matrix/cells.ts';
import type { RunResult } from '../../harness/results/model.ts';
import { runMatrix } from '../../harness/runner/run-matrix.ts';
import { tempDir } from '../temp-dir.ts';

// The runner's logic with an in-memory backend (no deployment is judged here): when identity did
// not deploy, Tempest is skipped with that reason instead of adding failures that echo the deploy's.
function memoryBackend(failing: string, events: string[] = []): Backend {
  const started: string[] = [];
  const env = memoryEnvironment('memory', {
    reserve: async (addresses) => { events.push(`reserve ${addresses.map((a) => `${a.name}:${a.listens.join(',')}`).join(' ')}`); },
    startService: async (spec) => { started.push(spec.name); events.push(`start ${spec.name}`); if (spec.name === failing) throw new DeploymentError(`${failing} did not become ready within 1 s`); },
    runJob: async (spec) => { started.push(spec.name); events.push(`run ${spec.name}`); return { exitCode: 0, output: '' }; },
    containers: () => [...started],
  });
  return inMemoryBackend(async () => env);
}

test('with identity not deployed, Tempest is skipped with the reason, and the cell is failed by its deploy', async (t) => {
  const catalogues = await loadCatalogues();
  const cells = expandCells({ scenarios: [await loadScenario('identity', catalogues)], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'smoke' });
  const images = {
    ensureAll: async (names: string[]) => new Map(names.map((n) => [n, { name: n, tag: `mem/${n}`, id: 'sha256:0123456789abcdef' }])),
    ensure: async (n: string) => ({ name: n, tag: `mem/${n}`, id: 'sha256:0123456789abcdef' }),
    isCached: async () => true, recordManifests: async () => undefined,
  } as unknown as ImageBuilder;
  const run: RunResult = { schemaVersion: 1, run: { id: 'r-partial', startedAt: new Date().toISOString(), gategridVersion: 'test' }, cells: [] };
  await runMatrix(cells, {
    run, outDir: await tempDir('gategrid-partial-'), images, backends: new Map([['docker', memoryBackend('keystone')]]),
    actions: { catalog: async () => undefined }, keep: 'never', rerunTempest: false, retries: 0, concurrency: 1, failFast: false,
    timeouts: { images: 10_000, deploy: 10_000, checks: 10_000 }, signal: new AbortController().signal, reporter: { name: 'none' },
  });
  const cell = run.cells[0]!;
  t.is(cell.status, 'failed');
  const tempest = cell.phases.find((p) => p.name === 'tempest')!;
  t.is(tempest.status, 'skipped');
  t.is(tempest.message, 'not run: the identity service (keystone) did not deploy');
  t.false(cell.checks.some((c) => c.kind === 'tempest'));
  t.regex(cell.reason ?? '', /keystone/);
});

test('every address of the deployment is reserved before its first container starts (Kubernetes pods see only the names that exist when they are made)', async (t) => {
  const catalogues = await loadCatalogues();
  const cells = expandCells({ scenarios: [await loadScenario('identity', catalogues)], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'none' });
  const images = { ensureAll: async (names: string[]) => new Map(names.map((n) => [n, { tag: `mem/${n}`, id: 'sha256:0123456789abcdef' }])), isCached: async () => true, recordManifests: async () => undefined } as unknown as ImageBuilder;
  const run: RunResult = { schemaVersion: 1, run: { id: 'r-reserve', startedAt: new Date().toISOString(), gategridVersion: 'test' }, cells: [] };
  const events: string[] = [];
  await runMatrix(cells, {
    run, outDir: await tempDir('gategrid-reserve-'), images, backends: new Map([['docker', memoryBackend('mariadb', events)]]),
    actions: { catalog: async () => undefined }, keep: 'never', rerunTempest: false, retries: 0, concurrency: 1, failFast: false,
    timeouts: { images: 10_000, deploy: 10_000, checks: 10_000 }, signal: new AbortController().signal, reporter: { name: 'none' },
  });
  t.deepEqual(events.slice(0, 2), ['reserve mariadb:3306 memcached:11211 keystone:5000', 'start mariadb']);
});
