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
import type { Step } from '../../harness/deploy/plan.ts';
import { deployedServiceTypes } from '../../harness/runner/phases/tempest-phase.ts';

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

test('Tempest is told only of the APIs whose service came up: a registration that passed without its service is left out', (t) => {
  const service = (name: string) => ({ kind: 'service', name, deps: [] }) as unknown as Step;
  const register = (name: string, owner: string, type: string) => ({ kind: 'action', name, deps: [], owner, action: 'catalog', timeoutMs: 1, catalog: { service: { name: owner, type } } }) as unknown as Step;
  const steps = [service('keystone'), service('rabbitmq'), service('placement-api'), service('neutron-server'), service('nova-api'),
    register('placement-register', 'placement-api', 'placement'), register('neutron-register', 'neutron-server', 'network'), register('nova-register', 'nova-api', 'compute')];
  const all = new Set(steps.map((s) => s.name));
  t.deepEqual(deployedServiceTypes(steps, all), ['placement', 'network', 'compute']);
  // As on 2026-12-07 (compute/victoria on the local cluster): rabbitmq failed, so neutron-server and
  // nova-api never started, while their registrations with keystone passed.
  const partial = new Set([...all].filter((n) => !['rabbitmq', 'neutron-server', 'nova-api'].includes(n)));
  t.deepEqual(deployedServiceTypes(steps, partial), ['placement']);
  // A registration in no service's recipe (a job of the scenario's own) counts by itself.
  t.deepEqual(deployedServiceTypes([register('x-register', 'x', 'x-type')], new Set(['x-register'])), ['x-type']);
});
