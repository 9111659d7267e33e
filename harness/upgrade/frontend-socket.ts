import type { Environment } from '../backends/backend.ts';
import type { Frontend } from '../deploy/plan.ts';
import { DeploymentError } from '../errors.ts';

/**
 * The frontend's runtime socket (haproxy's admin socket), driven with socat inside its container:
 * server states (ready, drain, maint) and each server's status and current sessions (`show stat`).
 */
export interface SlotStat {
  readonly status: string;
  readonly sessions: number;
}

export class FrontendSocket {
  readonly #env: Environment;
  readonly #frontend: Frontend;

  constructor(env: Environment, frontend: Frontend) {
    this.#env = env;
    this.#frontend = frontend;
  }

  async command(line: string): Promise<string> {
    // The command is an argument of the script, never part of its text.
    const res = await this.#env.exec(this.#frontend.service, ['sh', '-c', `printf '%s\\n' "$1" | socat stdio ${this.#frontend.socket}`, 'sh', line], 10_000);
    if (res.exitCode !== 0) throw new DeploymentError(`${this.#frontend.service} runtime socket: "${line}" exited ${res.exitCode}: ${res.output.trim().slice(0, 300)}`);
    const out = res.output.trim();
    // haproxy answers state changes with nothing, and errors with a sentence.
    if (line.startsWith('set ') && out !== '') throw new DeploymentError(`${this.#frontend.service} runtime socket refused "${line}": ${out.slice(0, 300)}`);
    return out;
  }

  setState(backend: string, server: string, state: 'ready' | 'drain' | 'maint'): Promise<string> {
    return this.command(`set server ${backend}/${server} state ${state}`);
  }

  async stat(backend: string, server: string): Promise<SlotStat | undefined> {
    return parseStat(await this.command('show stat'), backend, server);
  }
}

/** One server's status and current sessions from haproxy's `show stat` CSV. */
export function parseStat(csv: string, backend: string, server: string): SlotStat | undefined {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[col('pxname')] === backend && f[col('svname')] === server) {
      return { status: f[col('status')] ?? '', sessions: Number(f[col('scur')] ?? '0') };
    }
  }
  return undefined;
}
