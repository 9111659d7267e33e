import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { SecretStore } from '../../harness/config/secrets.ts';
import { Redactor } from '../../harness/results/redactor.ts';
import type { RunResult } from '../../harness/results/model.ts';
import { ConsoleReporter } from '../../reports/console-reporter.ts';
import { HtmlReporter } from '../../reports/html-reporter.ts';
import { JsonReporter } from '../../reports/json-reporter.ts';
import { JunitReporter } from '../../reports/junit-reporter.ts';
import { ReporterMultiplexer } from '../../reports/multiplexer.ts';
import { RedactingReporter } from '../../reports/redacting-reporter.ts';
import { XlsxReporter } from '../../reports/xlsx-reporter.ts';
import { tempDir } from '../temp-dir.ts';

// Every path a secret took to a file before: an exec job's command line in a timeout message, a
// deploy phase's summary built from raw step messages, a check's details, the cell's reason, log lines.
function leakyRun(db: string, admin: string): RunResult {
  return {
    schemaVersion: 1,
    run: { id: 'r-secret', startedAt: '2026-11-22T00:00:00.000Z', gategridVersion: '0.1.0' },
    cells: [{
      id: 'core/zed/docker', scenario: 'core', release: 'zed', backend: 'docker', status: 'failed',
      reason: `keystone-db: exec in mariadb timed out after 60s: create-db keystone keystone ${db}`,
      phases: [
        { name: 'deploy', status: 'failed', startedAt: '2026-11-22T00:00:01.000Z', durationMs: 1, message: `1 of 9 steps not passed, first keystone-db: create-db keystone keystone ${db}` },
        { name: 'deploy/keystone-db', status: 'failed', startedAt: '2026-11-22T00:00:01.000Z', durationMs: 1, message: `mysql -p${db}` },
      ],
      checks: [
        { id: 'api.identity.token-issue', kind: 'api', status: 'failed', durationMs: 3, message: `POST /v3/auth/tokens {"password": "${admin}"} answered 500`, details: { traceback: `password=${admin}`, body: { nested: [db] } } },
      ],
      repro: 'npx gategrid run --scenario core --release zed --backend docker',
      artifacts: { logs: 'logs/core-zed-docker/' },
    }],
  };
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out;
}

test('no secret reaches any file or line a reporter writes, whichever message carried it', async (t) => {
  const dir = await tempDir('gategrid-redaction-');
  const redactor = new Redactor();
  const secrets = new SecretStore((name, value) => redactor.add(name, value));
  const db = secrets.get('keystone_db');
  const admin = secrets.get('admin');
  const consoleOut = new PassThrough();
  let printed = '';
  consoleOut.on('data', (c: Buffer) => { printed += c.toString(); });
  const reporter = new RedactingReporter(redactor, new ReporterMultiplexer([
    new JsonReporter(dir), new JunitReporter(dir), new HtmlReporter(dir), new XlsxReporter(path.join(dir, 'matrix.xlsx')), new ConsoleReporter({ out: consoleOut }),
  ]));
  const run = leakyRun(db, admin);
  await reporter.onRunStart(run);
  reporter.onLog('core/zed/docker', `deploy/keystone-db failed: create-db keystone keystone ${db}`);
  await reporter.onCellUpdate(run, run.cells[0]!);
  await reporter.onCellEnd(run, run.cells[0]!);
  await reporter.onRunEnd(run);

  const files = await allFiles(dir);
  t.true(files.length >= 4, files.join(', '));
  for (const file of files) {
    const text = file.endsWith('.xlsx') ? await xlsxText(file) : await readFile(file, 'utf8');
    t.false(text.includes(db), `${path.basename(file)} holds the database password`);
    t.false(text.includes(admin), `${path.basename(file)} holds the admin password`);
  }
  t.false(printed.includes(db) || printed.includes(admin), 'the console printed a secret');
  const json = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  t.is(json.cells[0]!.reason, 'keystone-db: exec in mariadb timed out after 60s: create-db keystone keystone <secret:keystone_db>');
  t.deepEqual(json.cells[0]!.checks[0]!.details, { traceback: 'password=<secret:admin>', body: { nested: ['<secret:keystone_db>'] } });
  // The run itself is left as it was: only what leaves for the reporters is redacted.
  t.true(run.cells[0]!.reason!.includes(db));
});

async function xlsxText(file: string): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const parts: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => { parts.push(String(cell.value ?? ''), String(cell.note ? JSON.stringify(cell.note) : '')); })));
  return parts.join('\n');
}

test('the redactor refuses values too short to redact, and copies without a secret unchanged', (t) => {
  const r = new Redactor();
  t.throws(() => r.add('x', 'abc'), { instanceOf: RangeError });
  t.deepEqual(r.value({ a: ['b', 1, null] }), { a: ['b', 1, null] });
});
