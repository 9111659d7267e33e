import path from 'node:path';
import type { RunResult } from '../harness/results/model.ts';
import type { Reporter } from './reporter.ts';
import { writeAtomic } from './write-atomic.ts';

/**
 * results.json, the source of truth, rewritten atomically (temp file + rename) on every change, so
 * a crash leaves the last complete state and never half a file. Synchronous on purpose: ordering is
 * trivial and the file is small.
 */
export class JsonReporter implements Reporter {
  readonly name = 'json';
  readonly file: string;

  constructor(outDir: string) {
    this.file = path.join(outDir, 'results.json');
  }

  #write(run: RunResult): void {
    writeAtomic(this.file, `${JSON.stringify(run, null, 2)}\n`);
  }

  onRunStart(run: RunResult): void { this.#write(run); }
  onCellUpdate(run: RunResult): void { this.#write(run); }
  onCellEnd(run: RunResult): void { this.#write(run); }
  onRunEnd(run: RunResult): void { this.#write(run); }
}
