import { isAxiosError } from 'axios';
import { CancelledError, errorMessage, GategridError } from '../errors.ts';
import type { CheckKind, CheckResult } from '../results/model.ts';

/**
 * A check is data in, `CheckResult` out. It passes by returning, fails by throwing `CheckFailed`
 * (or any deployment-side error, such as a refused connection), and errors on anything else.
 */
export interface Check<C> {
  readonly id: string;
  readonly kind: CheckKind;
  /** How long it may take (default 2 min): a guest's boot under TCG takes longer. */
  readonly timeoutMs?: number;
  run(ctx: C): Promise<void | { message?: string; details?: Record<string, unknown> }>;
}

export class CheckFailed extends GategridError {
  readonly side = 'deployment';
}

/** Asserts a condition inside a check. */
export function verify(condition: unknown, message: string, details?: Record<string, unknown>): asserts condition {
  if (!condition) throw new CheckFailed(message, details ? { details } : {});
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * Runs one check within its time (default 2 min). With `signal` (the phase's: Ctrl-C, the phase's
 * deadline), a stopped run neither starts the check nor waits for it: the result is `error`,
 * "interrupted", and no timer of it outlives the run.
 */
export async function runCheck<C>(check: Check<C>, ctx: C, signal?: AbortSignal): Promise<CheckResult> {
  const timeoutMs = check.timeoutMs ?? 120_000;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    if (signal?.aborted) throw new CancelledError('interrupted before it started (the run was stopped)');
    const out = await Promise.race([
      check.run(ctx),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new CheckFailed(`did not finish within ${timeoutMs / 1000}s`)), timeoutMs); }),
      ...(signal ? [new Promise<never>((_, reject) => {
        onAbort = () => reject(new CancelledError(`interrupted after ${((Date.now() - started) / 1000).toFixed(1)} s (the run was stopped)`));
        signal.addEventListener('abort', onAbort, { once: true });
      })] : []),
    ]);
    return { id: check.id, kind: check.kind, status: 'passed', durationMs: Date.now() - started, ...(out?.message ? { message: out.message } : {}), ...(out?.details ? { details: out.details } : {}) };
  } catch (error) {
    // A service that refuses or drops connections is a broken deployment, not a broken harness.
    const deployment = (error instanceof GategridError && error.side === 'deployment') || (isAxiosError(error) && NETWORK_CODES.has(error.code ?? ''));
    const details = error instanceof GategridError && Object.keys(error.details).length > 0 ? error.details : undefined;
    return {
      id: check.id, kind: check.kind, status: deployment ? 'failed' : 'error', durationMs: Date.now() - started,
      message: errorMessage(error), ...(details ? { details } : {}),
    };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Independent checks, all at once; results in the checks' order. */
export function runChecks<C>(checks: readonly Check<C>[], ctx: C, signal?: AbortSignal): Promise<CheckResult[]> {
  return Promise.all(checks.map((c) => runCheck(c, ctx, signal)));
}

/**
 * Checks one after another (one may write what the next reads; or they share a bottleneck), each
 * result handed on as it comes. Once `signal` aborts, no further check starts.
 */
export async function runChecksInOrder<C>(checks: readonly Check<C>[], ctx: C, signal: AbortSignal | undefined, each: (result: CheckResult) => void): Promise<void> {
  for (const check of checks) {
    if (signal?.aborted) return;
    each(await runCheck(check, ctx, signal));
  }
}
