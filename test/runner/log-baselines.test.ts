// Green runs' compact logs kept between runs: recorded by a green cell, compared by a red one, read back from disk.
import test from 'ava';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellResult } from '../../harness/results/model.ts';
import { LogBaselines } from '../../harness/runner/log-baselines.ts';
import { tempDir } from '../temp-dir.ts';

async function cellWithLogs(outDir: string, logs: Record<string, string>): Promise<CellResult> {
  const dir = path.join(outDir, 'logs/identity-zed-docker');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(logs)) await writeFile(path.join(dir, name), text);
  return { id: 'identity/zed/docker', scenario: 'identity', release: 'zed', backend: 'docker', status: 'passed', phases: [], checks: [], repro: '', artifacts: { logs: 'logs/identity-zed-docker/' } };
}

test('a green cell records its services\' logs (Tempest\'s left out, no line kept); a red one of a later run gets what is new', async (t) => {
  const store = new LogBaselines(await tempDir('gg-baselines-'));
  const greenOut = await tempDir('gg-green-');
  const greenCell = await cellWithLogs(greenOut, {
    'keystone.log': '2026-12-07 02:30:23.726 8 INFO keystone [req-6a8516f1-09ae-4e72-a09f-eaea7a9df1d9] token issued for admin\n',
    'tempest.log': 'Ran 55 tests\n',
  });
  t.is(await store.compare(greenCell, greenOut), undefined, 'nothing recorded yet');
  await store.record(greenCell, greenOut, 'r-green');
  const redOut = await tempDir('gg-red-');
  const redCell = await cellWithLogs(redOut, {
    'keystone.log': '2026-12-07 04:00:01.000 9 INFO keystone [req-0b5c0f2e-51a5-4f3b-9a0c-4d1f8f5e2a11] token issued for admin\n2026-12-07 04:00:02.000 9 ERROR keystone [-] DBConnectionError: Connection refused\n',
    'tempest.log': 'Ran 55 tests, 3 failed\n',
  });
  const found = await store.compare({ ...redCell, status: 'failed' }, redOut);
  t.is(found?.since.runId, 'r-green');
  t.deepEqual(found?.services, [{ service: 'keystone', lines: ['2026-12-07 04:00:02.000 9 ERROR keystone [-] DBConnectionError: Connection refused'], more: 0 }]);
});

test('the record holds hashes only: no line of the log', async (t) => {
  const dir = await tempDir('gg-baselines-');
  const store = new LogBaselines(dir);
  const out = await tempDir('gg-green-');
  await store.record(await cellWithLogs(out, { 'keystone.log': 'connection = mysql+pymysql://keystone:hunter2-not-a-real-one@mariadb/keystone\n' }), out, 'r-green');
  const [file] = await readdir(dir);
  const { gunzipSync } = await import('node:zlib');
  const text = gunzipSync(await readFile(path.join(dir, file!))).toString('utf8');
  t.notRegex(text, /hunter2|mysql|keystone:/);
  t.regex(text, /"keystone":\["[0-9a-f]{12}"\]/);
});
