import type { CellResult, RunResult } from '../harness/results/model.ts';

/**
 * One interface for every output format. Each hook gets the whole run (the results model is the
 * source of truth) and may be called many times: reporters write as the run goes, so a crash or a
 * Ctrl-C still leaves what was done so far.
 */
export interface Reporter {
  readonly name: string;
  onRunStart?(run: RunResult): void | Promise<void>;
  onCellUpdate?(run: RunResult, cell: CellResult): void | Promise<void>;
  onCellEnd?(run: RunResult, cell: CellResult): void | Promise<void>;
  onRunEnd?(run: RunResult): void | Promise<void>;
  onLog?(cellId: string | undefined, line: string): void;
}
