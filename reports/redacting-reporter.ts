import type { CellResult, RunResult } from '../harness/results/model.ts';
import type { Redactor } from '../harness/results/redactor.ts';
import type { Reporter } from './reporter.ts';

/**
 * Stands in front of every reporter: each hook gets a redacted copy of the run and cell, each log
 * line is redacted, so no reporter can write a secret whatever message carried it.
 */
export class RedactingReporter implements Reporter {
  readonly name = 'redacting';
  readonly #redactor: Redactor;
  readonly #inner: Reporter;

  constructor(redactor: Redactor, inner: Reporter) {
    this.#redactor = redactor;
    this.#inner = inner;
  }

  #pair(run: RunResult, cell: CellResult): [RunResult, CellResult] {
    const safe = this.#redactor.value(run);
    const index = run.cells.indexOf(cell);
    return [safe, index >= 0 ? safe.cells[index]! : this.#redactor.value(cell)];
  }

  async onRunStart(run: RunResult): Promise<void> {
    await this.#inner.onRunStart?.(this.#redactor.value(run));
  }
  async onCellUpdate(run: RunResult, cell: CellResult): Promise<void> {
    await this.#inner.onCellUpdate?.(...this.#pair(run, cell));
  }
  async onCellEnd(run: RunResult, cell: CellResult): Promise<void> {
    await this.#inner.onCellEnd?.(...this.#pair(run, cell));
  }
  async onRunEnd(run: RunResult): Promise<void> {
    await this.#inner.onRunEnd?.(this.#redactor.value(run));
  }
  onLog(cellId: string | undefined, line: string): void {
    this.#inner.onLog?.(cellId, this.#redactor.text(line));
  }
}
