import type Dockerode from 'dockerode';
import { poll } from '../../../util/poll.ts';
import type { BoundPorts } from 'testcontainers';
import { requestFailure, httpStatus } from '../../../util/http-status.ts';
import { BaseWaitStrategy } from './base-wait-strategy.ts';

/** The service never answered the expected status before the deadline. */
export class HttpNotReadyError extends Error {
  constructor(url: string, timeoutMs: number, last: string) {
    super(`${url} did not answer as expected within ${(timeoutMs / 1000).toFixed(1)} s (last: ${last})`);
  }
}

/**
 * Ready when an HTTP GET on the container's published port answers the expected status.
 *
 * Always asks 127.0.0.1, where gategrid publishes every port: testcontainers' own HTTP strategy
 * asks the Docker bridge's gateway when it runs inside a container, which is another address
 * (the network rule forbids it) and, with loopback-only ports, never answers.
 */
export class LoopbackHttpWaitStrategy extends BaseWaitStrategy {
  readonly #path: string;
  readonly #port: number;
  readonly #status: number;
  readonly #intervalMs: number;
  readonly #requestTimeoutMs: number;

  constructor(options: { path: string; port: number; status: number; intervalMs?: number; requestTimeoutMs?: number }) {
    super();
    this.#path = options.path;
    this.#port = options.port;
    this.#status = options.status;
    this.#intervalMs = options.intervalMs ?? 500;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  }

  async waitUntilReady(_container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    const url = `http://127.0.0.1:${boundPorts.getBinding(this.#port)}${this.#path}`;
    let last = 'no answer yet';
    // Bounded by the deadline: every request has its own timeout, every pause is fixed.
    const outcome = await poll(async (_n, leftMs) => {
      const requestTimeoutMs = Math.max(1, Math.min(this.#requestTimeoutMs, leftMs));
      try {
        const status = await httpStatus(url, requestTimeoutMs);
        if (status === this.#status) return { done: true };
        last = `HTTP ${status}`;
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError') {
          // A request the deadline cut short says nothing new: keep the last real answer.
          if (requestTimeoutMs === this.#requestTimeoutMs) last = `no answer within ${requestTimeoutMs} ms`;
        } else {
          last = requestFailure(error);
        }
      }
      return { again: last };
    }, { timeoutMs: this.timeoutMs, intervalMs: this.#intervalMs, tries: Number.MAX_SAFE_INTEGER });
    if (!outcome.ok) throw new HttpNotReadyError(url, this.timeoutMs, outcome.last);
  }
}
