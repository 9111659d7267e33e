import test from 'ava';
import { execa } from 'execa';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { repoRoot } from '../../harness/config/paths.ts';
import { readKnownFailures } from '../../harness/config/load-known-failures.ts';
import { ConfigError } from '../../harness/errors.ts';
import { classify, classifyCell } from '../../harness/results/known-failures.ts';
import type { CellResult, RunResult } from '../../harness/results/model.ts';
import { checkFlakiness } from '../../reports/flakiness.ts';
import { historyRows, mergeHistory } from '../../reports/stability-history.ts';
import { packageDiff, whatChanged } from '../../reports/what-changed.ts';
import { parseManifest } from '../../harness/results/package-manifests.ts';
import { dashboardFile, mergeIntoWorkbook, readWorkbook } from '../../reports/xlsx-reporter.ts';
import { tempDir } from '../temp-dir.ts';

// The release managers' view from recorded data: four runs of a recorded core cell on one commit
// (green, a glance check red, green with a Tempest test flaky, red with a keystone log line a
// known failure explains, on a rebuilt keystone image), and an identity cell red three runs in a row.

const fixture = (...p: string[]) => path.join(repoRoot, 'fixtures', ...p);
const NOW = new Date('2026-11-22T12:00:00Z');
const KEYSTONE = 'gategrid/keystone:bookworm-0642f6555756374b';

async function runs(dir: string): Promise<RunResult[]> {
  const green = JSON.parse(await readFile(fixture('results', 'core-zed-green.json'), 'utf8')) as RunResult;
  const base = green.cells[0]!;
  const make = (n: number, change: (c: CellResult) => void, identity: CellResult['status']): RunResult => {
    const core: CellResult = structuredClone(base);
    core.startedAt = `2026-11-0${n}T00:00:00.000Z`;
    core.imageIds = { [KEYSTONE]: n === 4 ? 'bbbbbbbbbbbb' : 'aaaaaaaaaaaa' };
    change(core);
    const id: CellResult = { ...structuredClone(base), id: 'identity/zed/docker', scenario: 'identity', status: identity, checks: [], phases: [],
      ...(identity === 'failed' ? { reason: 'smoke.service.keystone: not ready within 120 s' } : {}) };
    return { schemaVersion: 1, run: { id: `2026110${n}-000000-000${n}`, startedAt: core.startedAt, gategridVersion: '0.1.0', commit: 'ce68703cb8db', report: path.join(dir, `r${n}`, 'report.html') }, cells: [core, id] };
  };
  const fail = (c: CellResult, id: string, message: string) => {
    c.status = 'failed';
    const check = c.checks.find((k) => k.id === id)!;
    check.status = 'failed';
    check.message = message;
  };
  return [
    make(1, () => undefined, 'passed'),
    make(2, (c) => fail(c, 'api.image.lifecycle', 'upload answered 500: HTTP 500 from glance'), 'failed'),
    make(3, (c) => {
      c.status = 'flaky';
      c.checks.find((k) => k.kind === 'tempest')!.status = 'flaky';
    }, 'failed'),
    make(4, (c) => fail(c, 'logs.keystone', '1 unexplained error line(s) in keystone.log; first at line 9: keystoneauth1.exceptions.connection.ConnectFailure: Unable to establish connection to http://placement-api:8778'), 'failed'),
  ];
}

test('known failures: a red cell every red check of which a signature explains is known; an expired signature no longer applies; one matching a passed check is too broad', async (t) => {
  const known = await readKnownFailures(fixture('config', 'known-failures.yaml'));
  const [, r2, , r4] = await runs(os.tmpdir());
  t.deepEqual(classifyCell(r4!.cells[0]!, known, NOW), [{ id: 'keystone-placement-connect', bug: 'https://bugs.example.org/1' }]);
  t.deepEqual(classifyCell(r2!.cells[0]!, known, NOW), [], 'glance-500-old expired in 2020');
  t.deepEqual(classifyCell(r2!.cells[0]!, known, new Date('2020-01-31T23:00:00Z')).map((k) => k.id), ['glance-500-old'], 'on its last day it still applies');
  t.deepEqual(classifyCell(r4!.cells[1]!, known, NOW), [], 'not for a cell outside its globs, nor with nothing matching');
  const cell = structuredClone(r4!.cells[0]!);
  classify(cell, known, NOW);
  t.deepEqual(cell.known?.map((k) => k.id), ['keystone-placement-connect']);
  t.deepEqual(cell.tooBroad, ['everything-smoke']);
  // Partly explained is not known: a second red check nothing matches.
  const partly = structuredClone(r4!.cells[0]!);
  partly.checks.find((k) => k.id === 'api.image.lifecycle')!.status = 'failed';
  t.deepEqual(classifyCell(partly, known, NOW), []);
});

test('known-failures.yaml: a signature with neither check nor message, a bad regex or a duplicate id is refused, naming the field', async (t) => {
  const { writeFile } = await import('node:fs/promises');
  const dir = await tempDir('gg-known-');
  const write = async (text: string) => { const f = path.join(dir, `${Math.random()}.yaml`); await writeFile(f, text); return f; };
  const none = await t.throwsAsync(readKnownFailures(await write('failures:\n  - id: a\n    bug: b\n    reason: a reason long enough\n')), { instanceOf: ConfigError });
  t.regex(none.message, /failures\[0\]\.message.*give a check or a message regex/s);
  const regex = await t.throwsAsync(readKnownFailures(await write('failures:\n  - id: a\n    bug: b\n    reason: a reason long enough\n    message: "(unclosed"\n')), { instanceOf: ConfigError });
  t.is(regex.field, 'failures[0].message');
  const twice = await t.throwsAsync(readKnownFailures(await write('failures:\n  - { id: a, bug: b, reason: a reason long enough, check: x }\n  - { id: a, bug: c, reason: a reason long enough, check: y }\n')), { instanceOf: ConfigError });
  t.is(twice.field, 'failures[1].id');
  t.is(twice.line, 3);
});

test('flakiness: a check that failed and passed on the same commit and scenario revision, or failed then passed in one run, is ranked', async (t) => {
  const history = mergeHistory([], (await runs(os.tmpdir())).flatMap(historyRows));
  const ranked = checkFlakiness(history);
  t.deepEqual(ranked.map((f) => [f.check, f.flakes, f.judged]).slice(0, 3).sort(), [
    ['api.image.lifecycle', 1, 4], ['logs.keystone', 1, 4], ['setUpClass (tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON)', 1, 4],
  ]);
  t.true(ranked.every((f) => f.cells.includes('core/zed/docker')));
  // The identity cell ran no checks: nothing of it is judged, so nothing of it is a flake.
  t.false(ranked.some((f) => f.cells.includes('identity/zed/docker')));
  // Another commit is other code: a failure there is no flake.
  const other = history.map((r) => (r.runId.endsWith('0002') ? { ...r, commit: 'fffffffffff0' } : r));
  t.false(checkFlakiness(other).some((f) => f.check === 'api.image.lifecycle'));
});

test('what changed: package versions that moved between two recorded manifests, and the rebuilt image', async (t) => {
  const before = parseManifest(await readFile(fixture('manifests', 'aaaaaaaaaaaa.txt'), 'utf8'));
  const after = parseManifest(await readFile(fixture('manifests', 'bbbbbbbbbbbb.txt'), 'utf8'));
  t.deepEqual(packageDiff(before, after), [
    'keystone 2:22.0.0-1 → 2:22.0.2-0+deb12u3', 'python3-keystone 2:22.0.0-1 → 2:22.0.2-0+deb12u3', 'python3-oldthing 1.0-1 removed',
  ]);
  const history = mergeHistory([], (await runs(os.tmpdir())).flatMap(historyRows));
  const red = history.findLast((r) => r.cell === 'core/zed/docker')!;
  const changes = whatChanged(history, red, (id) => (id === 'aaaaaaaaaaaa' ? before : id === 'bbbbbbbbbbbb' ? after : undefined));
  t.is(changes.since?.runId, '20261103-000000-0003');
  t.deepEqual(changes.lines, [
    `image keystone: ${KEYSTONE}@aaaaaaaaaaaa → ${KEYSTONE}@bbbbbbbbbbbb`,
    'keystone: keystone 2:22.0.0-1 → 2:22.0.2-0+deb12u3', 'keystone: python3-keystone 2:22.0.0-1 → 2:22.0.2-0+deb12u3', 'keystone: python3-oldthing 1.0-1 removed',
  ]);
});

/** The four runs merged as runs end, each bringing its packages/ folder; the workbook and the dashboard beside it. */
async function merged(t: { teardown(f: () => void): void }): Promise<{ dir: string; book: string; page: string }> {
  const dir = await tempDir('gg-release-view-');
  const known = await readKnownFailures(fixture('config', 'known-failures.yaml'));
  const all = await runs(dir);
  for (const [i, run] of all.entries()) {
    await mkdir(path.join(dir, `r${i + 1}`, 'packages'), { recursive: true });
    for (const id of ['aaaaaaaaaaaa', 'bbbbbbbbbbbb']) await copyFile(fixture('manifests', `${id}.txt`), path.join(dir, `r${i + 1}`, 'packages', `${id}.txt`));
    for (const cell of run.cells) classify(cell, known, NOW);
  }
  const book = path.join(dir, 'stability-matrix.xlsx');
  for (const run of all) await mergeIntoWorkbook(book, [run], { lastRuns: 30, regressionAfter: 3, known, now: NOW });
  void t;
  return { dir, book, page: dashboardFile(book) };
}

test('the workbook: Matrix says failed (known: bug, hits), sheets for the run history, flaky checks, failure clusters, known failures and packages', async (t) => {
  const { book } = await merged(t);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(book);
  t.deepEqual(workbook.worksheets.map((s) => s.name), ['Matrix', 'Results', 'Run history', 'Flaky checks', 'Failure clusters', 'Known failures', 'Packages']);
  // The clusters: the share known signatures explain first, then the unknown clusters before the known ones.
  const clusters: string[][] = [];
  workbook.getWorksheet('Failure clusters')!.eachRow((row) => clusters.push((row.values as unknown[]).slice(1).map(String)));
  t.regex(clusters[0]![0]!, /^\d+ of \d+ red cell result\(s\) \(\d+ %\) explained by known-failure signatures$/);
  t.deepEqual(clusters[1]!.slice(0, 3), ['times', 'known', 'cells']);
  const kinds = clusters.slice(2).map((r) => r[1]);
  t.true(kinds.length > 0 && kinds.includes('known'), kinds.join(', '));
  t.deepEqual(kinds, [...kinds].sort((a, b) => (a === 'unknown' ? 0 : 1) - (b === 'unknown' ? 0 : 1)), 'unknown clusters first');
  const matrix: string[] = [];
  workbook.getWorksheet('Matrix')!.eachRow((row) => row.eachCell((c) => matrix.push(String(c.value))));
  t.true(matrix.some((v) => v.startsWith('failed (known: https://bugs.example.org/1, 1 hit(s))')), matrix.join(' | '));
  const known: string[][] = [];
  workbook.getWorksheet('Known failures')!.eachRow((row) => known.push((row.values as unknown[]).slice(1).map(String)));
  t.deepEqual(known.slice(1).map((r) => [r[0], r[4], r[5]!.split(':')[0]]), [['keystone-placement-connect', '1', 'active'], ['glance-500-old', '0', 'expired'], ['everything-smoke', '0', 'too broad']]);
  const read = await readWorkbook(book);
  t.deepEqual([...read.manifests.keys()].sort(), ['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  t.is(read.manifests.get('bbbbbbbbbbbb'), await readFile(fixture('manifests', 'bbbbbbbbbbbb.txt'), 'utf8'));
  t.is(read.rows.find((r) => r.runId.endsWith('0004') && r.cell === 'core/zed/docker')!.known, 'keystone-placement-connect https://bugs.example.org/1');
});

test('the dashboard in a real browser (Debian\'s chromium): every cell × run coloured, reasons, regressions, flakiest checks, known failures, what changed', async (t) => {
  const { dir, page } = await merged(t);
  const html = await readFile(page, 'utf8');
  t.notRegex(html, /<script|<link|<img|(src|href)="https?:\/\/(?!bugs\.example\.org)/, 'self-contained: no script, no remote asset');
  const dom = await execa('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${page}`], { timeout: 120_000, reject: false });
  t.is(dom.exitCode, 0, String(dom.stderr).slice(-500));
  const shown = String(dom.stdout);
  // 2 cells × 4 runs, each a square linking to its run's report (and the core cell's 3 red-or-flaky checks × 4 runs below it).
  t.is((shown.match(/<a class="(passed|failed|flaky|error|skipped)[^"]*" href="r\d\/report\.html#cell-[^"]*" title="\d{8}-000000-000\d: (passed|failed|flaky)/g) ?? []).length, 8);
  t.is((shown.match(/<a class="[^"]*" href="r\d\/report\.html#cell-core-zed-docker" title="\d{8}-000000-000\d: (api|logs|setUpClass)/g) ?? []).length, 12);
  t.regex(shown, /identity\/zed\/docker <span class="flag"[^>]*>regression<\/span>/);
  t.regex(shown, /title="20261104-000000-0004: failed \(known: https:\/\/bugs\.example\.org\/1\): logs\.keystone: 1 unexplained/);
  t.regex(shown, /<h2>Flakiest checks<\/h2>\s*<table>.*<code>api\.image\.lifecycle<\/code>/s);
  t.regex(shown, /glance-500-old.*expired: no longer applies/s);
  t.regex(shown, /everything-smoke.*too broad/s);
  t.regex(shown, /keystone: python3-keystone 2:22\.0\.0-1 → 2:22\.0\.2-0\+deb12u3/);
  const png = path.join(dir, 'dashboard.png');
  const shot = await execa('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--window-size=1300,1800', `--screenshot=${png}`, `file://${page}`], { timeout: 120_000, reject: false });
  t.is(shot.exitCode, 0, String(shot.stderr).slice(-500));
  const bytes = await readFile(png);
  t.true(bytes.length > 20_000, `a screenshot of a drawn page, not a blank one (${bytes.length} bytes)`);
  t.log(`screenshot: ${png}`);
});

test('the workbook opens in LibreOffice: converted to PDF, and its Matrix read back as LibreOffice computed it', async (t) => {
  const { dir, book } = await merged(t);
  const out = path.join(dir, 'lo');
  const pdf = await execa('soffice', ['--headless', `-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--convert-to', 'pdf', '--outdir', out, book], { timeout: 180_000, reject: false });
  t.is(pdf.exitCode, 0, String(pdf.stderr));
  t.true((await stat(path.join(out, 'stability-matrix.pdf'))).size > 5_000);
  const csv = await execa('soffice', ['--headless', `-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--convert-to', 'csv', '--outdir', out, book], { timeout: 180_000, reject: false });
  t.is(csv.exitCode, 0, String(csv.stderr));
  t.regex(await readFile(path.join(out, 'stability-matrix.csv'), 'utf8'), /failed \(known: https:\/\/bugs\.example\.org\/1, 1 hit\(s\)\)/);
});
