import type { Environment } from '../backends/backend.ts';
import { UsageError, errorMessage } from '../errors.ts';
import type { CellSpec } from '../matrix/cell.ts';

/**
 * Fault injection, for testing the harness itself and for chaos runs: `--inject-fault
 * CELL:kill=SERVICE[,after=MS][,attempt=N]` kills a service's container of that cell once its
 * deploy is done, `after` milliseconds into the checks, on every attempt or only attempt N.
 */
export interface Fault {
  readonly cell: string;
  readonly kill: string;
  readonly afterMs: number;
  readonly attempt: number | undefined;
}

export function parseFault(text: string): Fault {
  const m = /^([^:]+):(.+)$/.exec(text);
  const fields = new Map((m?.[2] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const kill = fields.get('kill');
  const after = Number(fields.get('after') ?? '0');
  const attempt = fields.has('attempt') ? Number(fields.get('attempt')) : undefined;
  if (!m || !kill || !Number.isInteger(after) || after < 0 || (attempt !== undefined && !(Number.isInteger(attempt) && attempt >= 1))) {
    throw new UsageError(`--inject-fault ${text}: expected CELL:kill=SERVICE[,after=MS][,attempt=N], e.g. identity/zed/docker:kill=keystone,after=1000`);
  }
  return { cell: m[1]!, kill, afterMs: after, attempt };
}

export function faultHook(faults: readonly Fault[], log: (cell: string, line: string) => void) {
  return async (env: Environment, cell: CellSpec, attempt: number): Promise<void> => {
    for (const fault of faults) {
      if (fault.cell !== cell.id || (fault.attempt !== undefined && fault.attempt !== attempt)) continue;
      const timer = setTimeout(() => {
        log(cell.id, `fault injected: killing ${fault.kill}`);
        env.kill(fault.kill).catch((e: unknown) => log(cell.id, `fault injection failed: ${errorMessage(e)}`));
      }, fault.afterMs);
      timer.unref();
    }
  };
}
