import test from 'ava';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { RunResult } from '../../harness/results/model.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { historyGrid, historyRows, mergeHistory, stability } from '../../reports/stability-history.ts';
import { mergeRunIntoWorkbook, readHistory, readWorkbook } from '../../reports/xlsx-reporter.ts';
import { renderStabilityMarkdown } from '../../reports/stability-markdown.ts';
import { tempDir } from '../temp-dir.ts';

const fixture = async (name: string): Promise<RunResult> => JSON.parse(await readFile(path.join(repoRoot, 'fixtures/results', name), 'utf8')) as RunResult;
const tmp = () => tempDir('gg-xlsx-');

/** A run of the identity scenario on three releases, made from a recorded cell. */
async function identityRun(id: string, startedAt: string, statuses: Record<string, RunResult['cells'][number]['status']>): Promise<RunResult> {
  const base = (await fixture('core-zed-green.json')).cells[0]!;
  return {
    schemaVersion: 1, run: { id, startedAt, gategridVersion: '0.1.0', commit: 'abc' },
    cells: Object.entries(statuses).map(([release, status], i) => ({
      ...base, id: `identity/${release}/docker`, scenario: 'identity', release, status,
      startedAt: new Date(Date.parse(startedAt) + i).toISOString(),
      repro: `npx gategrid run --scenario identity --release ${release} --backend docker`,
      ...(status === 'failed' ? { reason: 'smoke.service.keystone: down' } : {}),
      ...(status === 'skipped' ? { reason: 'not packaged', checks: [] } : {}),
    })),
  };
}

test('history rows: one per finished cell, merged by run and cell, oldest first; a cell still running has none', async (t) => {
  const green = await fixture('core-zed-green.json');
  const red = await fixture('core-zed-keystone-not-ready.json');
  const rows = mergeHistory(historyRows(green), historyRows(red));
  t.deepEqual(rows.map((r) => [r.runId, r.status]), [['20261122-040155-2c83', 'failed'], ['20261122-040819-dce5', 'passed']]);
  t.is(rows[0]!.redChecks, 18);
  t.is(mergeHistory(rows, historyRows(red)).length, 2, 'the same run merged twice is one row');
  const running = structuredClone(green);
  running.cells[0]!.status = 'running';
  t.deepEqual(historyRows(running), []);
});

test('stability: latest verdict, green out of the runs that judged the cell, flaky counted green and said', async (t) => {
  const history = mergeHistory([], [
    ...historyRows(await identityRun('r1', '2026-11-01T00:00:00Z', { zed: 'passed', '2025.1': 'failed' })),
    ...historyRows(await identityRun('r2', '2026-11-02T00:00:00Z', { zed: 'flaky', '2025.1': 'passed' })),
    ...historyRows(await identityRun('r3', '2026-11-03T00:00:00Z', { zed: 'failed', '2025.1': 'skipped' })),
  ]);
  const s = stability(history);
  const zed = s.get('identity/zed/docker')!;
  t.is(zed.latest.status, 'failed');
  t.is(zed.runs, 3);
  t.is(zed.green, 2);
  t.is(zed.flaky, 1);
  t.deepEqual(zed.recent, ['failed', 'flaky', 'passed']);
  const epoxy = s.get('identity/2025.1/docker')!;
  t.is(epoxy.latest.status, 'skipped');
  t.is(epoxy.runs, 2, 'a skipped run gives no verdict');
  t.is(epoxy.green, 1);
});

test('the workbook merges runs over time: Results keeps every run, Matrix shows the latest verdict and the green share', async (t) => {
  const file = path.join(await tmp(), 'shared', 'stability-matrix.xlsx');
  await mergeRunIntoWorkbook(file, await identityRun('r1', '2026-11-01T00:00:00Z', { victoria: 'passed', zed: 'passed', '2025.1': 'skipped' }));
  await mergeRunIntoWorkbook(file, await identityRun('r2', '2026-11-02T00:00:00Z', { victoria: 'passed', zed: 'failed', '2025.1': 'skipped' }));
  // A run writes its rows again as its cells end: still one row per run and cell.
  await mergeRunIntoWorkbook(file, await identityRun('r2', '2026-11-02T00:00:00Z', { victoria: 'passed', zed: 'failed', '2025.1': 'skipped' }));

  const history = await readHistory(file);
  t.is(history.length, 6);
  t.deepEqual(history.filter((r) => r.cell === 'identity/zed/docker').map((r) => [r.runId, r.status]), [['r1', 'passed'], ['r2', 'failed']]);

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const matrix = wb.getWorksheet('Matrix')!;
  t.deepEqual(matrix.getRow(3).values, [undefined, 'scenario', 'victoria / docker', 'zed / docker', '2025.1 / docker']);
  t.is(matrix.getCell('A4').value, 'identity');
  t.is(matrix.getCell('B4').value, 'passed  2/2 green');
  t.is(matrix.getCell('C4').value, 'failed  1/2 green');
  t.is(matrix.getCell('D4').value, 'skipped: not packaged');
  t.regex(String(matrix.getCell('C4').note), /r2: smoke\.service\.keystone: down\nreproduce: npx gategrid run --scenario identity --release zed --backend docker/);
});

test('runs merging into one workbook at once never lose each other\'s rows', async (t) => {
  const file = path.join(await tmp(), 'stability-matrix.xlsx');
  const runs = await Promise.all(['a', 'b', 'c', 'd'].map((id, i) => identityRun(id, `2026-11-0${i + 1}T00:00:00Z`, { zed: 'passed' })));
  await Promise.all(runs.map((run) => mergeRunIntoWorkbook(file, run)));
  t.deepEqual((await readHistory(file)).map((r) => r.runId), ['a', 'b', 'c', 'd']);
});

test('a file that is not a gategrid stability matrix is refused with the reason, and left as it was', async (t) => {
  const dir = await tmp();
  const notXlsx = path.join(dir, 'notes.xlsx');
  await writeFile(notXlsx, 'just text');
  const run = await identityRun('r1', '2026-11-01T00:00:00Z', { zed: 'passed' });
  await t.throwsAsync(mergeRunIntoWorkbook(notXlsx, run), { message: /notes\.xlsx is not a readable \.xlsx .*left as it is/ });
  t.is(await readFile(notXlsx, 'utf8'), 'just text');

  const other = path.join(dir, 'budget.xlsx');
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Budget').getCell('A1').value = 42;
  await wb.xlsx.writeFile(other);
  const before = (await stat(other)).mtimeMs;
  await t.throwsAsync(mergeRunIntoWorkbook(other, run), { message: /budget\.xlsx has no "Results" sheet/ });
  t.is((await stat(other)).mtimeMs, before);
});

test('a damaged history row is named by file, sheet, row and column; the workbook still opens and merges, and the row is kept aside', async (t) => {
  const file = path.join(await tmp(), 'm.xlsx');
  await mergeRunIntoWorkbook(file, await identityRun('r1', '2026-11-01T00:00:00Z', { zed: 'passed' }));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.getWorksheet('Results')!;
  sheet.getRow(2).getCell(8).value = 'green-ish';
  await wb.xlsx.writeFile(file);
  const read = await readWorkbook(file);
  t.deepEqual(read.rows, []);
  t.regex(read.rejected[0]!.problem, /m\.xlsx, sheet Results, row 2: column status holds "green-ish", expected one of passed/);
  // A later merge works, and the bad row is moved to the Rejected sheet, not lost.
  await mergeRunIntoWorkbook(file, await identityRun('r2', '2026-11-02T00:00:00Z', { zed: 'failed' }));
  t.deepEqual((await readHistory(file)).map((r) => r.runId), ['r2']);
  const again = await readWorkbook(file);
  t.is(again.rejected.length, 1);
  t.regex(again.rejected[0]!.problem, /green-ish/);
  // And it stays there through further merges, once.
  await mergeRunIntoWorkbook(file, await identityRun('r3', '2026-11-03T00:00:00Z', { zed: 'passed' }));
  t.is((await readWorkbook(file)).rejected.length, 1);
});

test('the Run history sheet (Excel reserves "History"): every cell × run, newest first, coloured, red cells with their reason, a regression flagged', async (t) => {
  const file = path.join(await tmp(), 'm.xlsx');
  await mergeRunIntoWorkbook(file,
    await identityRun('r1', '2026-11-01T00:00:00Z', { zed: 'passed', '2025.1': 'failed' }),
    await identityRun('r2', '2026-11-02T00:00:00Z', { zed: 'failed', '2025.1': 'failed' }),
    await identityRun('r3', '2026-11-03T00:00:00Z', { zed: 'passed', '2025.1': 'failed' }));
  const grid = historyGrid(await readHistory(file));
  t.deepEqual(grid.runs.map((r) => r.runId), ['r3', 'r2', 'r1']);
  t.deepEqual(grid.rows.map((r) => [r.cell, r.results.map((x) => x?.status), r.redStreak]), [
    ['identity/2025.1/docker', ['failed', 'failed', 'failed'], 3],
    ['identity/zed/docker', ['passed', 'failed', 'passed'], 0],
  ]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.getWorksheet('Run history')!;
  t.regex(String(sheet.getRow(3).getCell(3).value), /^r3( @\w+)?$/);
  t.is(sheet.getRow(4).getCell(1).value, 'identity/2025.1/docker');
  t.regex(String(sheet.getRow(4).getCell(2).value), /regression: red 3 runs in a row/);
  t.is(sheet.getRow(5).getCell(4).value, 'failed');
  t.is((sheet.getRow(5).getCell(3).fill as { fgColor?: { argb?: string } }).fgColor?.argb, 'FFB7E4C7');
});

test('a cell\'s tier travels with its rows: the workbook\'s Matrix and the Markdown summary say an informing red fails no gate', async (t) => {
  const file = path.join(await tmp(), 'stability-matrix.xlsx');
  const run = await identityRun('r1', '2026-11-01T00:00:00Z', { victoria: 'passed', zed: 'failed' });
  run.cells[1] = { ...run.cells[1]!, tier: 'informing', tierReason: 'new in the matrix' };
  await mergeRunIntoWorkbook(file, run);
  const history = await readHistory(file);
  t.deepEqual(history.map((r) => [r.cell, r.tier]), [['identity/victoria/docker', 'blocking'], ['identity/zed/docker', 'informing']]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  t.is(wb.getWorksheet('Matrix')!.getCell('C4').value, 'failed (informing: fails no gate)  0/1 green');
  t.regex(renderStabilityMarkdown(history), /\*\*identity\/zed\/docker\*\* failed \(informing: fails no gate\) in run `r1`/);
});
