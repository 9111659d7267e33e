import type { Environment } from '../backends/backend.ts';
import { UsageError, errorMessage } from '../errors.ts';
import type { CellSpec } from '../matrix/cell.ts';

/**
 * Fault injection, for testing the harness itself and for chaos runs:
 * - `CELL:kill=SERVICE[,after=MS][,attempt=N]` kills a service's container of that cell once its
 *   deploy is done, `after` milliseconds into the checks, on every attempt or only attempt N
 *   (`after=0`, the default, kills it before the first check: a kill racing the checks could
 *   land after the service's own smoke check);
 * - `CELL:silent-upgrade=SERVICE[,within=S]` starts that service's new release, in the cell's
 *   upgrade, with a command that never answers (its readiness given S seconds): the upgrade must
 *   stop there, red, with the old release still serving.
 */
export type Fault = KillFault | SilentUpgradeFault;

export interface KillFault {
  readonly cell: string;
  readonly kill: string;
  readonly afterMs: number;
  readonly attempt: number | undefined;
}

export interface SilentUpgradeFault {
  readonly cell: string;
  readonly silentUpgrade: string;
  readonly withinMs: number;
}

const USAGE = 'expected CELL:kill=SERVICE[,after=MS][,attempt=N] or CELL:silent-upgrade=SERVICE[,within=SECONDS], e.g. identity/zed/docker:kill=keystone,after=1000';

export function parseFault(text: string): Fault {
  const m = /^([^:]+):(.+)$/.exec(text);
  const fields = new Map((m?.[2] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const silent = fields.get('silent-upgrade');
  if (m && silent) {
    const within = Number(fields.get('within') ?? '60');
    if (!Number.isInteger(within) || within < 1 || within > 3600) throw new UsageError(`--inject-fault ${text}: within=${fields.get('within')}: expected whole seconds from 1 to 3600`);
    return { cell: m[1]!, silentUpgrade: silent, withinMs: within * 1000 };
  }
  const kill = fields.get('kill');
  const after = Number(fields.get('after') ?? '0');
  const attempt = fields.has('attempt') ? Number(fields.get('attempt')) : undefined;
  if (!m || !kill || !Number.isInteger(after) || after < 0 || (attempt !== undefined && !(Number.isInteger(attempt) && attempt >= 1))) {
    throw new UsageError(`--inject-fault ${text}: ${USAGE}`);
  }
  return { cell: m[1]!, kill, afterMs: after, attempt };
}

/** The service a fault targets. */
export const faultService = (f: Fault): string => ('kill' in f ? f.kill : f.silentUpgrade);

/** The silent-upgrade fault of a cell, if any. */
export function upgradeFault(faults: readonly Fault[], cellId: string): { service: string; withinMs: number } | undefined {
  const f = faults.find((x): x is SilentUpgradeFault => 'silentUpgrade' in x && x.cell === cellId);
  return f ? { service: f.silentUpgrade, withinMs: f.withinMs } : undefined;
}

export function faultHook(faults: readonly Fault[], log: (cell: string, line: string) => void) {
  return async (env: Environment, cell: CellSpec, attempt: number): Promise<void> => {
    for (const fault of faults) {
      if (!('kill' in fault) || fault.cell !== cell.id || (fault.attempt !== undefined && fault.attempt !== attempt)) continue;
      const kill = () => {
        log(cell.id, `fault injected: killing ${fault.kill}`);
        return env.kill(fault.kill).catch((e: unknown) => log(cell.id, `fault injection failed: ${errorMessage(e)}`));
      };
      if (fault.afterMs === 0) {
        await kill();
        continue;
      }
      setTimeout(() => void kill(), fault.afterMs).unref();
    }
  };
}
