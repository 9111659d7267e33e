import { poll } from '../util/poll.ts';
import { CheckFailed } from './check.ts';

/**
 * A check's wait: polls until `probe` returns a value that `done` accepts, or `failed` names a
 * terminal state, bounded in tries and time (util/poll.ts): a server that never goes ACTIVE fails
 * the check with its last state.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; failed?: (value: T) => string | undefined; describe?: (value: T) => string }): Promise<T> {
  const outcome = await poll<T>(async () => {
    const value = await probe();
    if (done(value)) return { done: value };
    const terminal = options.failed?.(value);
    if (terminal !== undefined) throw new CheckFailed(`${what}: ${terminal}`);
    return { again: options.describe?.(value) ?? JSON.stringify(value) };
  }, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 500 });
  if (outcome.ok) return outcome.value;
  throw new CheckFailed(`${what}: not reached within ${options.timeoutMs / 1000} s (last: ${outcome.tries === 0 ? 'no answer' : outcome.last})`);
}
