import type Dockerode from 'dockerode';
import { poll } from '../../../util/poll.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { getContainerRuntimeClient } from 'testcontainers';
import { BaseWaitStrategy } from './base-wait-strategy.ts';

/** The readiness command never succeeded before the deadline. */
export class ExecNotReadyError extends Error {
  constructor(command: string, timeoutMs: number, tries: number, last: string) {
    super(`\`${command}\` did not succeed within ${(timeoutMs / 1000).toFixed(1)} s (${tries} tries; last: ${last})`);
  }
}

export type ExecProbe = (container: Dockerode.Container, command: string[]) => Promise<{ exitCode: number; output: string }>;

/** One `docker exec` through testcontainers' engine client (its socket, no CLI process). */
const engineExec: ExecProbe = async (container, command) => {
  const client = await getContainerRuntimeClient();
  const { exitCode, output } = await client.container.exec(container, command, { log: false });
  return { exitCode, output };
};

/**
 * Ready when a command run inside the container succeeds (`sh -c COMMAND`, exit 0).
 *
 * Polls with a backoff, 100 ms doubling to at most 250 ms. Each try is a `docker exec` (dockerd,
 * the shim, runc): measured at about 80 ms of CPU through the docker CLI, somewhat less through the
 * socket. testcontainers' own strategy, every 100 ms, thus took a large share of a core per waiting
 * service on 2-core machines, while the services it waited for were starting on the same cores
 * (three nova services wait 15-30 s each for rabbitmq). A readiness is seen at most 250 ms late
 * (mariadb's is on the deploy's critical path).
 */
export class ExecWaitStrategy extends BaseWaitStrategy {
  readonly #command: string;
  readonly #exec: ExecProbe;
  readonly #firstMs: number;
  readonly #maxMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(command: string, options: { exec?: ExecProbe; firstIntervalMs?: number; maxIntervalMs?: number; sleep?: (ms: number) => Promise<void> } = {}) {
    super();
    this.#command = command;
    this.#exec = options.exec ?? engineExec;
    this.#firstMs = options.firstIntervalMs ?? 100;
    this.#maxMs = options.maxIntervalMs ?? 250;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    // Bounded by the deadline; pauses double from firstIntervalMs up to maxIntervalMs.
    const outcome = await poll(async () => {
      try {
        const { exitCode, output } = await this.#exec(container, ['/bin/sh', '-c', this.#command]);
        if (exitCode === 0) return { done: true };
        const line = output.trim().split('\n').at(-1)?.slice(0, 200);
        return { again: `exit ${exitCode}${line ? `: ${line}` : ''}` };
      } catch (error) {
        return { again: error instanceof Error ? error.message : String(error) };
      }
    }, { timeoutMs: this.timeoutMs, intervalMs: this.#firstMs, backoff: 2, maxIntervalMs: this.#maxMs, tries: Number.MAX_SAFE_INTEGER, sleep: this.#sleep });
    if (!outcome.ok) throw new ExecNotReadyError(this.#command, this.timeoutMs, outcome.tries, outcome.last);
  }
}
