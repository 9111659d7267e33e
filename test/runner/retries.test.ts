import test from 'ava';
import { inMemoryBackend } from '../in-memory-backend.ts';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../../harness/backends/backend.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { DeploymentError, InfraError } from '../../harness/errors.ts';
import type { ImageBuilder } from '../../harness/images/image-builder.ts';
import { expandCells } from '../../harness/matrix/cells.ts';
import type { RunResult } from '../../harness/results/model.ts';
import { runMatrix } from '../../harness/runner/run-matrix.ts';

// The retry policy with an in-memory backend whose environment never comes up: `error` (the
// harness's side) is retried, `failed` (the deployment's side) only with --retry-failed.
async function attempts(error: Error, retryFailed: boolean): Promise<RunResult['cells'][number]> {
  const catalogues = await loadCatalogues();
  const cells = expandCells({ scenarios: [await loadScenario('identity', catalogues)], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'none' });
  const backend: Backend = inMemoryBackend(async () => { throw error; });
  const images = { ensureAll: async () => new Map(), isCached: async () => true, recordManifests: async () => undefined } as unknown as ImageBuilder;
  const run: RunResult = { schemaVersion: 1, run: { id: 'r-retries', startedAt: new Date().toISOString(), gategridVersion: 'test' }, cells: [] };
  await runMatrix(cells, {
    run, outDir: path.join(os.tmpdir(), 'gategrid-retries'), images, backends: new Map([['docker', backend]]), actions: { catalog: async () => undefined },
    keep: 'never', rerunTempest: false, retries: 2, retryFailed, concurrency: 1, failFast: false,
    timeouts: { images: 1000, deploy: 1000, checks: 1000 }, signal: new AbortController().signal, reporter: { name: 'none' },
  });
  return run.cells[0]!;
}

test('an error cell is retried', async (t) => {
  const cell = await attempts(new InfraError('engine gone'), false);
  t.is(cell.status, 'error');
  t.deepEqual(cell.attempts!.map((a) => a.status), ['error', 'error', 'error']);
});

test('a failed cell is not retried unless asked: a deployment that fails then passes is a real bug', async (t) => {
  const once = await attempts(new DeploymentError('keystone did not become ready'), false);
  t.is(once.status, 'failed');
  t.is(once.attempts!.length, 1);
  const asked = await attempts(new DeploymentError('keystone did not become ready'), true);
  t.deepEqual(asked.attempts!.map((a) => a.status), ['failed', 'failed', 'failed']);
});

test('a cell\'s logs start empty: a run into an --out folder an earlier run used judges none of its lines', async (t) => {
  const { mkdir, writeFile, readdir } = await import('node:fs/promises');
  const outDir = path.join(os.tmpdir(), 'gategrid-retries');
  const stale = path.join(outDir, 'logs', 'identity-zed-docker');
  await mkdir(path.join(stale, 'attempt-2'), { recursive: true });
  await writeFile(path.join(stale, 'keystone.log'), 'Traceback (most recent call last):\nValueError: from an earlier run\n');
  await attempts(new InfraError('engine gone'), false);
  const left = await readdir(stale, { recursive: true }).catch(() => [] as string[]);
  t.false(left.includes('keystone.log'), `left: ${left.join(', ')}`);
});
