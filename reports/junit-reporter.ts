import path from 'node:path';
import type { CellResult, CheckResult, RunResult } from '../harness/results/model.ts';
import type { Reporter } from './reporter.ts';
import { writeAtomic } from './write-atomic.ts';

/** JUnit XML for CI: a testsuite per cell, a testcase per check; a cell that broke before its checks gets one testcase saying why. */
export class JunitReporter implements Reporter {
  readonly name = 'junit';
  readonly file: string;

  constructor(outDir: string) {
    this.file = path.join(outDir, 'junit.xml');
  }

  onCellEnd(run: RunResult): void { this.#write(run); }
  onRunEnd(run: RunResult): void { this.#write(run); }

  #write(run: RunResult): void {
    writeAtomic(this.file, renderJunit(run));
  }
}

export function renderJunit(run: RunResult): string {
  const suites = run.cells.filter((c) => c.status !== 'running').map(renderSuite);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gategrid ${esc(run.run.id)}">\n${suites.join('')}</testsuites>\n`;
}

function renderSuite(cell: CellResult): string {
  const cases: CheckResult[] = [...cell.checks];
  if (cell.checks.length === 0 || (cell.status === 'error' && !cell.checks.some((c) => c.status === 'error'))) {
    cases.unshift({ id: 'cell', kind: 'smoke', status: cell.status === 'skipped' ? 'skipped' : cell.status === 'error' ? 'error' : cell.status === 'failed' ? 'failed' : 'passed', durationMs: cell.durationMs ?? 0, ...(cell.reason ? { message: cell.reason } : {}) });
  }
  const count = (s: string) => cases.filter((c) => c.status === s).length;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${esc(`${cell.id}.${c.kind}`)}" name="${esc(c.id)}" time="${(c.durationMs / 1000).toFixed(3)}"`;
    const repro = `\nrepro: ${cell.repro}`;
    switch (c.status) {
      case 'passed': return `${open}/>\n`;
      // Surefire's convention: a passed case that failed first carries a flakyFailure.
      case 'flaky': return `${open}>\n      <flakyFailure message="${esc(c.message ?? 'failed, then passed')}">${esc(detailText(c))}</flakyFailure>\n    </testcase>\n`;
      case 'skipped': return `${open}>\n      <skipped message="${esc(c.message ?? '')}"/>\n    </testcase>\n`;
      case 'failed': return `${open}>\n      <failure message="${esc(c.message ?? 'failed')}">${esc(detailText(c) + repro)}</failure>\n    </testcase>\n`;
      case 'error': return `${open}>\n      <error message="${esc(c.message ?? 'error')}">${esc(detailText(c) + repro)}</error>\n    </testcase>\n`;
    }
  }).join('');
  return `  <testsuite name="${esc(cell.id)}" tests="${cases.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('skipped')}" time="${((cell.durationMs ?? 0) / 1000).toFixed(3)}">\n${body}  </testsuite>\n`;
}

function detailText(c: CheckResult): string {
  const trace = typeof c.details?.traceback === 'string' ? `\n${c.details.traceback}` : '';
  return `${c.message ?? ''}${trace}`;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!)
    // XML 1.0 forbids most control characters, which container logs do contain.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}
