import type Dockerode from 'dockerode';
import type { BoundPorts, WaitStrategy } from 'testcontainers';
import { BaseWaitStrategy } from './base-wait-strategy.ts';

/** The container stopped while we waited for it to become ready: a crashed service, not a slow one. */
export class ContainerExitedError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exited with code ${exitCode} before it became ready`);
    this.exitCode = exitCode;
  }
}

/**
 * Wraps a readiness strategy and watches the container meanwhile: when it exits, waiting stops at
 * once with its exit code, instead of polling a dead container until the deadline.
 */
export class ExitAwareWaitStrategy extends BaseWaitStrategy {
  readonly #inner: WaitStrategy;
  readonly #pollMs: number;

  constructor(inner: WaitStrategy, pollMs = 500) {
    super();
    this.#inner = inner;
    this.#pollMs = pollMs;
  }

  async waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts, startTime?: Date): Promise<void> {
    this.#inner.withStartupTimeout(this.timeoutMs);
    let done = false;
    const watch = (async () => {
      // Bounded by the inner strategy's own deadline: `done` is set when it settles either way.
      while (!done) {
        const info = await container.inspect();
        if (!info.State.Running && !done) throw new ContainerExitedError(info.State.ExitCode);
        await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
      }
    })();
    watch.catch(() => undefined);
    try {
      await Promise.race([this.#inner.waitUntilReady(container, boundPorts, startTime), watch]);
    } finally {
      done = true;
    }
  }
}
