/**
 * The one polling primitive: try, and try again after a pause, until an attempt says done, bounded
 * in time and in tries; each pause may grow (backoff) up to a ceiling, never past the deadline. It
 * throws nothing of its own: the caller turns a timeout into its own typed error (a check's
 * failure, an infrastructure error) with the last reason an attempt gave. An attempt that throws
 * ends the polling with that error (a final answer, not a reason to wait).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** One attempt's outcome: done with a value, or not yet, with why (kept for the timeout's message). */
export type Attempt<T> = { readonly done: T } | { readonly again: string };

export interface PollOptions {
  /** The deadline, from the first attempt. */
  readonly timeoutMs: number;
  /** The first pause (default 500 ms). */
  readonly intervalMs?: number;
  /** Each pause is the last one times this (default 1: fixed pauses), up to maxIntervalMs. */
  readonly backoff?: number;
  readonly maxIntervalMs?: number;
  /** At most this many attempts (default: what the deadline allows at the first pause, plus one). */
  readonly tries?: number;
  /** Stops between attempts (the outcome says `aborted`). */
  readonly signal?: AbortSignal;
  /** The pause itself (tests pass a clock of their own). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type PollOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly tries: number; readonly elapsedMs: number }
  | { readonly ok: false; readonly last: string; readonly tries: number; readonly elapsedMs: number; readonly aborted: boolean };

/** Polls `attempt` (given the attempt number and the time left) until it is done, the time or the tries run out, or `signal` aborts. */
export async function poll<T>(attempt: (n: number, leftMs: number) => Promise<Attempt<T>>, options: PollOptions): Promise<PollOutcome<T>> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  let interval = options.intervalMs ?? 500;
  const tries = options.tries ?? Math.ceil(options.timeoutMs / Math.max(1, interval)) + 1;
  const pause = options.sleep ?? ((ms: number) => sleep(ms));
  let last = 'not tried';
  for (let n = 1; n <= tries; n++) {
    if (options.signal?.aborted) return { ok: false, last, tries: n - 1, elapsedMs: Date.now() - start, aborted: true };
    const outcome = await attempt(n, Math.max(0, deadline - Date.now()));
    if ('done' in outcome) return { ok: true, value: outcome.done, tries: n, elapsedMs: Date.now() - start };
    last = outcome.again;
    const left = deadline - Date.now();
    if (left <= 0 || n === tries) return { ok: false, last, tries: n, elapsedMs: Date.now() - start, aborted: false };
    await pause(Math.min(interval, left));
    interval = Math.min(options.maxIntervalMs ?? Number.POSITIVE_INFINITY, interval * (options.backoff ?? 1));
  }
  return { ok: false, last, tries, elapsedMs: Date.now() - start, aborted: false };
}
