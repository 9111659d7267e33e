import { isRedCheck, needsAttention, verdictLabel } from '../harness/results/verdicts.ts';
import type { CellResult, RunResult } from '../harness/results/model.ts';
import type { Reporter } from './reporter.ts';
import { timeLine } from './run-time.ts';
import { redShareLine } from './red-share.ts';

/**
 * Progress as plain timestamped lines (what CI and pipes want), and a verdict table at the end with
 * the one command that reproduces each red cell.
 */
export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  readonly #quiet: boolean;
  readonly #out: NodeJS.WritableStream;

  constructor(options: { quiet?: boolean; out?: NodeJS.WritableStream } = {}) {
    this.#quiet = options.quiet ?? false;
    this.#out = options.out ?? process.stdout;
  }

  onLog(cellId: string | undefined, line: string): void {
    if (this.#quiet) return;
    const time = new Date().toISOString().slice(11, 19);
    this.#out.write(`${time} ${cellId ? `[${cellId}] ` : ''}${line}\n`);
  }

  onCellEnd(_run: RunResult, cell: CellResult): void {
    this.onLog(cell.id, `${verdictLabel({ ...cell, status: cell.status.toUpperCase() as CellResult['status'] })} in ${((cell.durationMs ?? 0) / 1000).toFixed(1)} s${cell.reason ? `: ${cell.reason}` : ''}`);
  }

  onRunEnd(run: RunResult): void {
    this.#out.write(`\n${renderSummary(run)}`);
  }
}

export function renderSummary(run: RunResult): string {
  const lines = [`gategrid run ${run.run.id}: ${run.run.status ?? 'unfinished'}${timeLine(run)}`];
  const width = Math.max(4, ...run.cells.map((c) => c.id.length));
  for (const cell of run.cells) {
    const checks = cell.checks;
    const n = (status: string) => checks.filter((c) => c.status === status).length;
    const extra = ['skipped', 'flaky', 'failed', 'error'].filter((st) => n(st) > 0).map((st) => `, ${n(st)} ${st}`).join('');
    const counts = checks.length > 0 ? ` ${checks.length} checks: ${n('passed')} passed${extra}` : '';
    lines.push(`  ${cell.id.padEnd(width)}  ${verdictLabel(cell).padEnd(7)}${counts}${cell.durationMs ? ` in ${(cell.durationMs / 1000).toFixed(1)} s` : ''}`);
    if (needsAttention(cell.status)) {
      for (const c of checks.filter((x) => isRedCheck(x.status)).slice(0, 10)) {
        lines.push(`      ${c.status} ${c.id}: ${(c.message ?? '').split('\n')[0]!.slice(0, 200)}`);
      }
      if (cell.reason && !checks.some((x) => isRedCheck(x.status))) lines.push(`      ${cell.reason.split('\n')[0]}`);
      lines.push(`      reproduce: ${cell.repro}`);
    }
    if (cell.status === 'skipped' && cell.reason) lines.push(`      ${cell.reason}`);
  }
  const share = redShareLine(run);
  if (share) lines.push(`  ${share}`);
  return `${lines.join('\n')}\n`;
}

