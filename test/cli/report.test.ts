import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gategrid } from '../integration/helpers.ts';
import { readHistory } from '../../reports/xlsx-reporter.ts';

const fixture = (name: string) => path.join('fixtures/results', name);

test('gategrid report merges results.json files into the stability matrix and prints it; merging again changes nothing', async (t) => {
  const matrix = path.join(await mkdtemp(path.join(os.tmpdir(), 'gg-report-cli-')), 'm.xlsx');
  const run = await gategrid(['report', '--matrix', matrix, fixture('core-zed-keystone-not-ready.json'), fixture('core-zed-green.json')]);
  t.is(run.exitCode, 0, run.all);
  t.regex(run.all, /merged 2 run\(s\)/);
  t.regex(run.all, /^scenario\s+zed\/docker$/m);
  t.regex(run.all, /^core\s+passed 1\/2$/m);
  t.is((await readHistory(matrix)).length, 2);

  // Merging the same run again changes nothing.
  const again = await gategrid(['report', '--matrix', matrix, fixture('core-zed-green.json')]);
  t.regex(again.all, /^core\s+passed 1\/2$/m);
  t.is((await readHistory(matrix)).length, 2);
});

test('gategrid report refuses a file that is not a results.json, naming it, with exit 2', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gg-report-cli-'));
  const bad = path.join(dir, 'results.json');
  await writeFile(bad, '{"hello": 1}');
  const run = await gategrid(['report', '--matrix', path.join(dir, 'm.xlsx'), bad]);
  t.is(run.exitCode, 2);
  t.regex(run.all, /results\.json: not a gategrid results\.json \(expected schemaVersion 1, run\.id and cells\)/);
  const empty = await gategrid(['report', '--matrix', path.join(dir, 'none.xlsx')]);
  t.is(empty.exitCode, 2);
  t.regex(empty.all, /none\.xlsx holds no results yet/);
});
