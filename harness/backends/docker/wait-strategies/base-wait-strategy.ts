import type Dockerode from 'dockerode';
import type { BoundPorts, WaitStrategy } from 'testcontainers';

/** The startup-timeout bookkeeping every wait strategy needs (testcontainers does not export its own base). */
export abstract class BaseWaitStrategy implements WaitStrategy {
  protected timeoutMs = 60_000;
  #timeoutSet = false;

  abstract waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts, startTime?: Date): Promise<void>;

  withStartupTimeout(startupTimeoutMs: number): this {
    this.timeoutMs = startupTimeoutMs;
    this.#timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.#timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}
