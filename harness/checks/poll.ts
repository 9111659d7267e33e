import { CheckFailed } from './check.ts';

/**
 * Polls until `probe` returns a value that `done` accepts, or `failed` names a terminal state,
 * bounded in tries and time: a server that never goes ACTIVE fails the check with its last state.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; failed?: (value: T) => string | undefined; describe?: (value: T) => string }): Promise<T> {
  const interval = options.intervalMs ?? 500;
  const deadline = Date.now() + options.timeoutMs;
  const tries = Math.ceil(options.timeoutMs / interval) + 1;
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await probe();
    if (done(last)) return last;
    const terminal = options.failed?.(last);
    if (terminal !== undefined) throw new CheckFailed(`${what}: ${terminal}`);
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  const state = last === undefined ? 'no answer' : options.describe?.(last) ?? JSON.stringify(last);
  throw new CheckFailed(`${what}: not reached within ${options.timeoutMs / 1000} s (last: ${state})`);
}
