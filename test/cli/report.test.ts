import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gategrid } from '../integration/helpers.ts';
import { readHistory } from '../../reports/xlsx-reporter.ts';
import { tempDir } from '../temp-dir.ts';

const fixture = (name: string) => path.join('fixtures/results', name);

test('gategrid report merges results.json files into the stability matrix and prints it; merging again changes nothing', async (t) => {
  const matrix = path.join(await tempDir('gg-report-cli-'), 'm.xlsx');
  const run = await gategrid(['report', '--matrix', matrix, fixture('core-zed-keystone-not-ready.json'), fixture('core-zed-green.json')]);
  // Merged runs gate like one: a red blocking cell among them is exit 1.
  t.is(run.exitCode, 1, run.all);
  t.regex(run.all, /red for the gate: core\/zed\/docker \(run /);
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
  const dir = await tempDir('gg-report-cli-');
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
  const dir = await tempDir('gg-report-cli-');
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
  const dir = await tempDir('gg-report-md-');
  const md = path.join(dir, 'summary.md');
  const run = await gategrid(['report', '--matrix', path.join(dir, 'm.xlsx'), '--markdown', md, fixture('core-zed-green.json'), fixture('core-zed-keystone-not-ready.json')]);
  t.is(run.exitCode, 1, run.all);
  const text = await readFile(md, 'utf8');
  t.regex(text, /^\| scenario \| zed \/ docker \|$/m);
  t.regex(text, /^\| core \| .* 1\/2 \|$/m);
  const red = path.join(dir, 'red.md');
  const only = await gategrid(['report', '--matrix', path.join(dir, 'red.xlsx'), '--markdown', red, fixture('core-zed-keystone-not-ready.json')]);
  t.is(only.exitCode, 1, only.all);
  const redText = await readFile(red, 'utf8');
  t.regex(redText, /### Red cells/);
  t.regex(redText, /\*\*core\/zed\/docker\*\* (failed|error) in run `[^`]+`: \S/);
  t.regex(redText, /npx gategrid run --scenario core --release zed --backend docker/);
});

test('gategrid report --html: three results.json merged give the dashboard, with a known failure classified by the config\'s signatures', async (t) => {
  const dir = await tempDir('gg-report-cli-');
  const green = JSON.parse(await readFile(fixture('core-zed-green.json'), 'utf8')) as { run: { id: string; startedAt: string }; cells: Array<{ status: string; checks: Array<{ id: string; status: string; message?: string }> }> };
  const files: string[] = [];
  for (const n of [1, 2, 3]) {
    const run = structuredClone(green);
    run.run.id = `2026111${n}-000000-000${n}`;
    run.run.startedAt = `2026-11-1${n}T00:00:00.000Z`;
    if (n === 3) {
      run.cells[0]!.status = 'failed';
      const check = run.cells[0]!.checks.find((c) => c.id === 'logs.keystone')!;
      check.status = 'failed';
      check.message = '1 unexplained error line(s); first at line 9: keystoneauth1.exceptions.connection.ConnectFailure: Unable to establish connection to http://placement-api:8778';
    }
    files.push(path.join(dir, `r${n}.json`));
    await writeFile(files.at(-1)!, JSON.stringify(run));
  }
  const config = path.join(dir, 'gategrid.config.yaml');
  await writeFile(config, `${await readFile('gategrid.config.yaml', 'utf8')}`.replace('knownFailures: known-failures.yaml', `knownFailures: ${path.resolve('fixtures/config/known-failures.yaml')}`));
  const html = path.join(dir, 'dashboard.html');
  const run = await gategrid(['report', '--config', config, '--matrix', path.join(dir, 'm.xlsx'), '--html', html, ...files]);
  t.is(run.exitCode, 1, 'known is still red for the gate (report.gateKnownFailures: false)');
  t.regex(run.all, /^core\s+failed \(known\) 2\/3$/m);
  t.regex(run.all, /core\/zed\/docker failed \(known: keystone-placement-connect https:\/\/bugs\.example\.org\/1\) in 20261113-000000-0003/);
  const page = await readFile(html, 'utf8');
  t.is((page.match(/<td><span class="q (passed|failed)[^"]*" title="2026111\d-000000-000\d: (passed|failed)/g) ?? []).length, 3, 'the cell × 3 runs (no report to link: results merged from elsewhere)');
  t.regex(page, /failed \(known: https:\/\/bugs\.example\.org\/1\)/);
  t.regex(page, /<code>keystone-placement-connect<\/code>.*<td>1 \(last: core\/zed\/docker/s);
  // The dashboard beside the workbook is the same page.
  t.regex(await readFile(path.join(dir, 'm.html'), 'utf8'), /<h2>Flakiest checks<\/h2>/);
});

// Issue 25: tiers hold when CI shards are merged: an informing red cell fails no gate, a blocking one does.
test('gategrid report over three merged runs: one informing red cell exits 0, the same cell blocking exits 1', async (t) => {
  const dir = await tempDir('gg-report-tier-');
  const green = JSON.parse(await readFile(fixture('core-zed-green.json'), 'utf8')) as { run: { id: string; startedAt: string }; cells: Array<Record<string, unknown>> };
  const write = async (tier: string | undefined) => {
    const files: string[] = [];
    for (const n of [1, 2, 3]) {
      const run = structuredClone(green);
      run.run.id = `2026120${n}-000000-00${tier ? 'i' : 'b'}${n}`;
      run.run.startedAt = `2026-12-0${n}T00:00:00.000Z`;
      if (n === 3) Object.assign(run.cells[0]!, { status: 'failed', reason: 'logs.keystone: an error line', ...(tier ? { tier, tierReason: 'not yet stable' } : {}) });
      files.push(path.join(dir, `${tier ?? 'blocking'}-${n}.json`));
      await writeFile(files.at(-1)!, JSON.stringify(run));
    }
    return files;
  };
  const informing = await gategrid(['report', '--matrix', path.join(dir, 'i.xlsx'), ...(await write('informing'))]);
  t.is(informing.exitCode, 0, informing.all);
  t.notRegex(informing.all, /red for the gate/);
  const blocking = await gategrid(['report', '--matrix', path.join(dir, 'b.xlsx'), ...(await write(undefined))]);
  t.is(blocking.exitCode, 1, blocking.all);
});

// Issue 25: release-status over a real workbook (three merged runs of core/zed): go after three
// green runs, no-go once the newest is red, naming the cell; badges written.
test('gategrid release-status: go after three green runs, no-go with the failing criterion once the newest is red', async (t) => {
  const dir = await tempDir('gg-release-status-');
  const green = JSON.parse(await readFile(fixture('core-zed-green.json'), 'utf8')) as { run: { id: string; startedAt: string }; cells: Array<Record<string, unknown>> };
  const files: string[] = [];
  for (const n of [1, 2, 3, 4]) {
    const run = structuredClone(green);
    run.run.id = `2026120${n}-000000-00r${n}`;
    run.run.startedAt = `2026-12-0${n}T00:00:00.000Z`;
    if (n === 4) Object.assign(run.cells[0]!, { status: 'failed', reason: 'logs.keystone: an error line' });
    files.push(path.join(dir, `r${n}.json`));
    await writeFile(files.at(-1)!, JSON.stringify(run));
  }
  const matrix = path.join(dir, 'm.xlsx');
  await gategrid(['report', '--matrix', matrix, ...files.slice(0, 3)]);
  const go = await gategrid(['release-status', '--matrix', matrix, '--badges', path.join(dir, 'badges')]);
  t.is(go.exitCode, 0, go.all);
  t.regex(go.all, /^zed\/docker: GO \(1 cell\(s\), 3 run\(s\)\)$/m);
  t.regex(await readFile(path.join(dir, 'badges', 'zed-docker.svg'), 'utf8'), /aria-label="zed\/docker: go"/);
  await gategrid(['report', '--matrix', matrix, files[3]!]);
  const noGo = await gategrid(['release-status', '--matrix', matrix, '--release', 'zed']);
  t.is(noGo.exitCode, 1, noGo.all);
  t.regex(noGo.all, /^zed\/docker: NO-GO/m);
  t.regex(noGo.all, /not green in each of its last 3 runs: core\/zed\/docker/);
  const unknown = await gategrid(['release-status', '--matrix', matrix, '--release', 'antelope']);
  t.is(unknown.exitCode, 2);
  t.regex(unknown.all, /--release antelope: no result of it/);
});
