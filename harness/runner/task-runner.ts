import { CancelledError, errorMessage } from '../errors.ts';

/**
 * Setup/teardown tasks, after Playwright's TaskRunner: setups run in order until one fails, times
 * out or the run is interrupted; then the teardowns of every task whose setup started run in
 * reverse (LIFO), always, each bounded in time. A teardown's failure is reported, never thrown.
 */
export interface Task<C> {
  readonly title: string;
  /** Deadline of the setup; the task's signal aborts when it passes. */
  readonly timeoutMs?: number;
  setup?(ctx: C, signal: AbortSignal): Promise<void>;
  teardown?(ctx: C): Promise<void>;
  /** Whether the teardown has anything to do now; one with nothing to do is neither run nor reported. */
  teardownNeeded?(ctx: C): boolean;
}

export type TaskStatus = 'passed' | 'failed' | 'timedout' | 'interrupted' | 'skipped';

export interface TaskEvents {
  onTaskStart?(title: string, stage: 'setup' | 'teardown'): void;
  onTaskEnd?(title: string, stage: 'setup' | 'teardown', status: TaskStatus, durationMs: number, error?: unknown): void;
}

export interface TaskRunResult {
  readonly status: 'passed' | 'failed' | 'timedout' | 'interrupted';
  readonly error?: unknown;
  readonly teardownErrors: readonly unknown[];
}

const TEARDOWN_TIMEOUT_MS = 3 * 60_000;

export class TaskRunner<C> {
  readonly #tasks: Task<C>[] = [];
  readonly #events: TaskEvents;

  constructor(events: TaskEvents = {}) {
    this.#events = events;
  }

  add(task: Task<C>): this {
    this.#tasks.push(task);
    return this;
  }

  async run(ctx: C, signal: AbortSignal): Promise<TaskRunResult> {
    const started: Task<C>[] = [];
    let status: TaskRunResult['status'] = 'passed';
    let error: unknown;

    for (const task of this.#tasks) {
      if (signal.aborted) {
        status = 'interrupted';
        error = new CancelledError('interrupted before ' + task.title);
        this.#events.onTaskEnd?.(task.title, 'setup', 'skipped', 0);
        continue;
      }
      if (status !== 'passed') {
        this.#events.onTaskEnd?.(task.title, 'setup', 'skipped', 0);
        continue;
      }
      started.push(task);
      if (!task.setup) continue;
      const t0 = Date.now();
      this.#events.onTaskStart?.(task.title, 'setup');
      const outcome = await runWithDeadline((s) => task.setup!(ctx, s), task.timeoutMs, signal, task.title);
      this.#events.onTaskEnd?.(task.title, 'setup', outcome.status, Date.now() - t0, outcome.error);
      if (outcome.status !== 'passed') {
        status = outcome.status as TaskRunResult['status'];
        error = outcome.error;
      }
    }

    const teardownErrors: unknown[] = [];
    for (const task of started.reverse()) {
      if (!task.teardown || task.teardownNeeded?.(ctx) === false) continue;
      const t0 = Date.now();
      this.#events.onTaskStart?.(task.title, 'teardown');
      // Teardown ignores the interrupt signal: it is what an interrupt must still get done.
      const outcome = await runWithDeadline(() => task.teardown!(ctx), TEARDOWN_TIMEOUT_MS, new AbortController().signal, `${task.title} teardown`);
      this.#events.onTaskEnd?.(task.title, 'teardown', outcome.status, Date.now() - t0, outcome.error);
      if (outcome.status !== 'passed') teardownErrors.push(outcome.error);
    }
    return { status, ...(error === undefined ? {} : { error }), teardownErrors };
  }
}

async function runWithDeadline(
  fn: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number | undefined,
  outer: AbortSignal,
  title: string,
): Promise<{ status: TaskStatus; error?: unknown }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<{ status: TaskStatus; error: unknown }>((resolve) => {
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ status: 'timedout', error: new CancelledError(`${title} exceeded its deadline of ${Math.round(timeoutMs / 1000)} s`) });
      }, timeoutMs);
    }
    onAbort = () => {
      controller.abort();
      resolve({ status: 'interrupted', error: new CancelledError(`${title} interrupted`) });
    };
    outer.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      fn(controller.signal).then(() => ({ status: 'passed' as const }), (e: unknown) => ({ status: 'failed' as const, error: e })),
      stop,
    ]);
  } catch (e) {
    return { status: 'failed', error: new Error(errorMessage(e), { cause: e }) };
  } finally {
    clearTimeout(timer);
    if (onAbort) outer.removeEventListener('abort', onAbort);
  }
}
