import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
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
  t.regex(run.all, /results\.json: not a valid gategrid results\.json: schemaVersion: .*nothing was merged/);
  const empty = await gategrid(['report', '--matrix', path.join(dir, 'none.xlsx')]);
  t.is(empty.exitCode, 2);
  t.regex(empty.all, /none\.xlsx holds no results yet/);
});

test('gategrid report refuses a shard with a bad cell, naming the file, the cell and the field, and merges nothing of it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gg-report-cli-'));
  const good = JSON.parse(await readFile(fixture('core-zed-green.json'), 'utf8')) as { cells: Array<Record<string, unknown>> };
  const cases: Array<[string, (c: Record<string, unknown>) => void, RegExp]> = [
    ['purple', (c) => { c.status = 'purple'; }, /cell core\/zed\/docker: status: Invalid option/],
    ['no-checks', (c) => { delete c.checks; }, /cell core\/zed\/docker: checks: /],
    ['no-scenario', (c) => { delete c.scenario; }, /cell core\/zed\/docker: scenario: /],
  ];
  const matrix = path.join(dir, 'm.xlsx');
  for (const [name, spoil, message] of cases) {
    const data = structuredClone(good);
    spoil(data.cells[0]!);
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(data));
    const run = await gategrid(['report', '--matrix', matrix, file]);
    t.is(run.exitCode, 2, name);
    t.regex(run.all, new RegExp(`${name}\\.json: not a valid gategrid results\\.json`), name);
    t.regex(run.all, message, name);
    t.notRegex(run.all, /\n\s+at /, `${name}: no stack trace`);
  }
  // Nothing bad reached the workbook: a good merge after them works.
  const ok = await gategrid(['report', '--matrix', matrix, fixture('core-zed-green.json')]);
  t.is(ok.exitCode, 0, ok.all);
  t.is((await readHistory(matrix)).length, 1);
});

test('gategrid report --markdown writes the matrix and the red cells with their reasons and repro commands', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gg-report-md-'));
  const md = path.join(dir, 'summary.md');
  const run = await gategrid(['report', '--matrix', path.join(dir, 'm.xlsx'), '--markdown', md, fixture('core-zed-green.json'), fixture('core-zed-keystone-not-ready.json')]);
  t.is(run.exitCode, 0, run.all);
  const text = await readFile(md, 'utf8');
  t.regex(text, /^\| scenario \| zed \/ docker \|$/m);
  t.regex(text, /^\| core \| .* 1\/2 \|$/m);
  const red = path.join(dir, 'red.md');
  const only = await gategrid(['report', '--matrix', path.join(dir, 'red.xlsx'), '--markdown', red, fixture('core-zed-keystone-not-ready.json')]);
  t.is(only.exitCode, 0, only.all);
  const redText = await readFile(red, 'utf8');
  t.regex(redText, /### Red cells/);
  t.regex(redText, /\*\*core\/zed\/docker\*\* (failed|error) in run `[^`]+`: \S/);
  t.regex(redText, /npx gategrid run --scenario core --release zed --backend docker/);
});
