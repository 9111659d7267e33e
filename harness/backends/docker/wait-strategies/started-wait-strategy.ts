import type { WaitStrategy } from 'testcontainers';

/**
 * Ready as soon as started: for one-shot jobs, whose completion and exit code the backend awaits
 * itself (`docker wait`), since testcontainers removes a container whose wait strategy fails and
 * the exit code would be lost with it.
 */
export class StartedWaitStrategy implements WaitStrategy {
  #timeoutMs = 60_000;
  #timeoutSet = false;

  async waitUntilReady(): Promise<void> {}

  withStartupTimeout(startupTimeoutMs: number): this {
    this.#timeoutMs = startupTimeoutMs;
    this.#timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.#timeoutSet;
  }

  getStartupTimeout(): number {
    return this.#timeoutMs;
  }
}
