import type { CellResult, RunResult } from '../harness/results/model.ts';
import { errorMessage } from '../harness/errors.ts';
import type { Reporter } from './reporter.ts';

/**
 * Fans every event out to several reporters. One reporter crashing never kills the run nor the
 * other reporters: its error is recorded and said once on stderr (after Playwright's multiplexer).
 */
export class ReporterMultiplexer implements Reporter {
  readonly name = 'multiplexer';
  readonly #reporters: readonly Reporter[];
  readonly errors: { reporter: string; hook: string; message: string }[] = [];

  constructor(reporters: readonly Reporter[]) {
    this.#reporters = reporters;
  }

  async onRunStart(run: RunResult): Promise<void> {
    await this.#each('onRunStart', (r) => r.onRunStart?.(run));
  }
  async onCellUpdate(run: RunResult, cell: CellResult): Promise<void> {
    await this.#each('onCellUpdate', (r) => r.onCellUpdate?.(run, cell));
  }
  async onCellEnd(run: RunResult, cell: CellResult): Promise<void> {
    await this.#each('onCellEnd', (r) => r.onCellEnd?.(run, cell));
  }
  async onRunEnd(run: RunResult): Promise<void> {
    await this.#each('onRunEnd', (r) => r.onRunEnd?.(run));
  }
  onLog(cellId: string | undefined, line: string): void {
    for (const r of this.#reporters) {
      try {
        r.onLog?.(cellId, line);
      } catch (error) {
        this.#failed(r, 'onLog', error);
      }
    }
  }

  async #each(hook: string, call: (r: Reporter) => void | Promise<void>): Promise<void> {
    for (const r of this.#reporters) {
      try {
        await call(r);
      } catch (error) {
        this.#failed(r, hook, error);
      }
    }
  }

  #failed(r: Reporter, hook: string, error: unknown): void {
    const first = !this.errors.some((e) => e.reporter === r.name);
    this.errors.push({ reporter: r.name, hook, message: errorMessage(error) });
    if (first) process.stderr.write(`gategrid: reporter ${r.name} failed in ${hook} (the run goes on): ${errorMessage(error)}\n`);
  }
}
