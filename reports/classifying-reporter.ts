import { classify, type KnownFailure } from '../harness/results/known-failures.ts';
import type { CellResult, RunResult } from '../harness/results/model.ts';
import type { Reporter } from './reporter.ts';

/**
 * Stands in front of the reporters: a cell that ends is classified against the known-failure
 * signatures (harness/results/known-failures.ts) before any reporter sees it, so results.json,
 * the console, the page and the matrix all say the same.
 */
export class ClassifyingReporter implements Reporter {
  readonly name = 'classifying';
  readonly #known: readonly KnownFailure[];
  readonly #inner: Reporter;
  readonly #now: () => Date;

  constructor(known: readonly KnownFailure[], inner: Reporter, now: () => Date = () => new Date()) {
    this.#known = known;
    this.#inner = inner;
    this.#now = now;
  }

  async onRunStart(run: RunResult): Promise<void> { await this.#inner.onRunStart?.(run); }
  async onCellUpdate(run: RunResult, cell: CellResult): Promise<void> { await this.#inner.onCellUpdate?.(run, cell); }
  async onCellEnd(run: RunResult, cell: CellResult): Promise<void> {
    classify(cell, this.#known, this.#now());
    await this.#inner.onCellEnd?.(run, cell);
  }
  async onRunEnd(run: RunResult): Promise<void> {
    for (const cell of run.cells) classify(cell, this.#known, this.#now());
    await this.#inner.onRunEnd?.(run);
  }
  onLog(cellId: string | undefined, line: string): void { this.#inner.onLog?.(cellId, line); }
}
