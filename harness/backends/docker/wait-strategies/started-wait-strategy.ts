import { BaseWaitStrategy } from './base-wait-strategy.ts';

/**
 * Ready as soon as started: for one-shot jobs, whose completion and exit code the backend awaits
 * itself (`docker wait`), since testcontainers removes a container whose wait strategy fails and
 * the exit code would be lost with it.
 */
export class StartedWaitStrategy extends BaseWaitStrategy {
  async waitUntilReady(): Promise<void> {}
}
