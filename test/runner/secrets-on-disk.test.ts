import test from 'ava';
import { inMemoryBackend, memoryEnvironment } from '../in-memory-backend.ts';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Backend } from '../../harness/backends/backend.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { DeploymentError } from '../../harness/errors.ts';
import type { ImageBuilder } from '../../harness/images/image-builder.ts';
import { expandCells } from '../../harness/matrix/cells.ts';
import type { RunResult } from '../../harness/results/model.ts';
import { Redactor } from '../../harness/results/redactor.ts';
import { runMatrix } from '../../harness/runner/run-matrix.ts';
import { HtmlReporter } from '../../reports/html-reporter.ts';
import { JsonReporter } from '../../reports/json-reporter.ts';
import { JunitReporter } from '../../reports/junit-reporter.ts';
import { ReporterMultiplexer } from '../../reports/multiplexer.ts';
import { RedactingReporter } from '../../reports/redacting-reporter.ts';
import { XlsxReporter } from '../../reports/xlsx-reporter.ts';
import { tempDir } from '../temp-dir.ts';

// A cell whose every secret-bearing path fails, through the real runner and reporters (the
// backend is in memory: no deployment is judged here). Each failure carries the secrets it had in
// hand, the way an exec's timeout once carried its whole command line; then every file the run
// wrote is searched for every secret the run generated.
const thrown: string[] = [];
const leak = (message: string): DeploymentError => { thrown.push(message); return new DeploymentError(message); };

function leakyBackend(): Backend {
  const env = memoryEnvironment('leaky', {
    startService: async (spec) => {
      if (spec.name === 'keystone') throw leak(`keystone did not start; its environment was ${JSON.stringify(spec.env)} and its config ${spec.files.map((f) => f.content).join(' ')}`);
    },
    runJob: async (spec) => { throw leak(`job ${spec.name} timed out: ${(spec.command ?? []).join(' ')} ${JSON.stringify(spec.env)}`); },
    exec: async (name, command, _timeoutMs, env) => { throw leak(`exec in ${name} timed out after 60s: ${command.join(' ')} ${JSON.stringify(env)}`); },
  });
  return inMemoryBackend(async () => env);
}

async function textOf(file: string): Promise<string> {
  if (!file.endsWith('.xlsx')) return readFile(file, 'utf8');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const parts: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => { parts.push(JSON.stringify(cell.value), JSON.stringify(cell.note ?? '')); })));
  return parts.join('\n');
}

test('no secret of a run reaches any file it writes, when every secret-bearing path fails', async (t) => {
  const out = await tempDir('gategrid-leaky-');
  const secrets: string[] = [];
  const redactor = new Redactor();
  const add = redactor.add.bind(redactor);
  redactor.add = (name, value) => { secrets.push(value); add(name, value); };
  const catalogues = await loadCatalogues();
  const cells = expandCells({ scenarios: [await loadScenario('identity', catalogues)], releases: ['zed'], backends: ['docker'], cells: [], tempest: 'none' });
  const images = { ensureAll: async (names: string[]) => new Map(names.map((n) => [n, { tag: `mem/${n}`, id: 'sha256:0123456789abcdef' }])), isCached: async () => true, recordManifests: async () => undefined } as unknown as ImageBuilder;
  const run: RunResult = { schemaVersion: 1, run: { id: 'r-leaky', startedAt: new Date().toISOString(), gategridVersion: 'test' }, cells: [] };
  const logged: string[] = [];
  const reporter = new RedactingReporter(redactor, new ReporterMultiplexer([
    new JsonReporter(out), new JunitReporter(out), new HtmlReporter(out), new XlsxReporter(path.join(out, 'stability-matrix.xlsx')),
    { name: 'lines', onLog: (_cell, line) => { logged.push(line); } },
  ]));
  await runMatrix(cells, {
    run, outDir: out, images, backends: new Map([['docker', leakyBackend()]]), actions: { catalog: async () => undefined },
    keep: 'never', rerunTempest: false, retries: 0, concurrency: 1, failFast: false, redactor,
    timeouts: { images: 10_000, deploy: 10_000, checks: 10_000 }, signal: new AbortController().signal, reporter,
  });
  t.is(run.cells[0]!.status, 'failed');
  t.true(secrets.length >= 2, `the run generated its secrets (${secrets.length})`);
  // The failures did carry the secrets: a path that let one through would be seen here.
  t.true(thrown.some((m) => secrets.some((s) => m.includes(s))), 'the failures carried secrets');
  const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  t.true(files.some((f) => f.endsWith('results.json')) && files.some((f) => f.endsWith('.xlsx')) && files.some((f) => f.endsWith('report.html')) && files.some((f) => f.endsWith('junit.xml')));
  for (const file of files) {
    const text = await textOf(file);
    for (const secret of secrets) t.false(text.includes(secret), `${path.relative(out, file)} holds a secret`);
  }
  for (const secret of secrets) t.false(logged.some((l) => l.includes(secret)), 'a console line holds a secret');
  t.regex(await readFile(path.join(out, 'results.json'), 'utf8'), /<secret:keystone_db>/);
});
