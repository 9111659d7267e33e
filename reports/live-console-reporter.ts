import type { CellResult, RunResult } from '../harness/results/model.ts';
import { renderSummary } from './console-reporter.ts';
import type { Reporter } from './reporter.ts';

/**
 * On a terminal: one live line per cell (status, elapsed time, what it is doing now), redrawn in
 * place at most five times a second; the verdict table at the end. CI and pipes get ConsoleReporter.
 */
export class LiveConsoleReporter implements Reporter {
  readonly name = 'live-console';
  readonly #out: NodeJS.WriteStream;
  readonly #cells = new Map<string, { status: string; line: string; started: number }>();
  readonly #general: string[] = [];
  #drawn = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
  }

  onRunStart(run: RunResult): void {
    for (const c of run.cells) this.#cells.set(c.id, { status: c.status === 'running' ? 'queued' : c.status, line: c.reason ?? '', started: Date.now() });
    this.#schedule();
  }

  onCellUpdate(_run: RunResult, cell: CellResult): void {
    const entry = this.#cells.get(cell.id);
    if (entry) {
      // A queued cell starts its clock when it starts, not when the run does.
      if (cell.startedAt) entry.started = Date.parse(cell.startedAt);
      entry.status = cell.status;
    }
    this.#schedule();
  }

  onCellEnd(_run: RunResult, cell: CellResult): void {
    const entry = this.#cells.get(cell.id);
    if (entry) {
      entry.status = cell.status;
      entry.line = cell.reason ?? `${cell.checks.filter((c) => c.status === 'passed').length}/${cell.checks.length} checks passed`;
    }
    this.#schedule();
  }

  onLog(cellId: string | undefined, line: string): void {
    const entry = cellId ? this.#cells.get(cellId) : undefined;
    if (entry) entry.line = line.trim();
    else this.#general.splice(0, this.#general.length, line);
    this.#schedule();
  }

  onRunEnd(run: RunResult): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#draw();
    this.#out.write(`\n${renderSummary(run)}`);
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#draw();
    }, 200);
  }

  #draw(): void {
    const width = (this.#out.columns ?? 120) - 1;
    const ids = [...this.#cells.keys()];
    const pad = Math.max(...ids.map((i) => i.length), 4);
    const lines = [this.#general[0] ?? '', ...ids.map((id) => {
      const c = this.#cells.get(id)!;
      const elapsed = c.status === 'running' ? ` ${Math.round((Date.now() - c.started) / 1000)}s` : '';
      return `${id.padEnd(pad)}  ${c.status.padEnd(7)}${elapsed}  ${c.line}`;
    })].map((l) => l.slice(0, width));
    let text = this.#drawn > 0 ? `\u001b[${this.#drawn}A` : '';
    text += lines.map((l) => `\u001b[2K${l}\n`).join('');
    this.#drawn = lines.length;
    this.#out.write(text);
  }
}
