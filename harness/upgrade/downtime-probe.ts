import { requestFailure, httpStatus } from '../util/http-status.ts';
import { STALL_MS, summarize, type DowntimeReport, type ProbeSample } from '../results/downtime.ts';

/**
 * Polls one URL every `intervalMs` (each request bounded by `requestTimeoutMs`) from start() until
 * stop(), or until `maxMs` at the latest, and measures the outages: an outage runs from the first
 * failed request to the next answered one (or to the end).
 */
export class DowntimeProbe {
  readonly #url: string;
  readonly #ok: (status: number) => boolean;
  readonly #intervalMs: number;
  readonly #requestTimeoutMs: number;
  readonly #maxMs: number;
  readonly #samples: ProbeSample[] = [];
  readonly #stalls: { fromMs: number; toMs: number }[] = [];
  #watchdog: NodeJS.Timeout | undefined;
  #started = 0;
  #stop = false;
  #loop: Promise<void> | undefined;

  constructor(url: string, options: { ok: (status: number) => boolean; intervalMs?: number; requestTimeoutMs?: number; maxMs?: number }) {
    this.#url = url;
    this.#ok = options.ok;
    this.#intervalMs = options.intervalMs ?? 200;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
    this.#maxMs = options.maxMs ?? 30 * 60_000;
  }

  /** Starts polling; an aborted `signal` (a deadline, Ctrl-C) ends it as stop() does. */
  start(signal?: AbortSignal): void {
    this.#started = Date.now();
    // Ticks every 100 ms; one that comes over STALL_MS late marks a stall of this process (not of the endpoint).
    let last = this.#started;
    this.#watchdog = setInterval(() => {
      const now = Date.now();
      if (now - last > STALL_MS) this.#stalls.push({ fromMs: last - this.#started, toMs: now - this.#started });
      last = now;
    }, 100);
    this.#watchdog.unref();
    signal?.addEventListener('abort', () => (this.#stop = true), { once: true });
    this.#loop = this.#run();
  }

  /** Resolves when polling has ended (stop(), an aborted signal, or maxMs). */
  finished(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  async stop(): Promise<DowntimeReport> {
    this.#stop = true;
    await this.#loop;
    clearInterval(this.#watchdog);
    return {
      ...summarize(this.#url, this.#samples, Date.now() - this.#started), startedAt: new Date(this.#started).toISOString(),
      requestTimeoutMs: this.#requestTimeoutMs,
      ...(this.#stalls.length > 0 ? { stalls: [...this.#stalls] } : {}),
    };
  }

  async #run(): Promise<void> {
    // Bounded by stop() and by maxMs: every request has its own timeout, every pause is fixed.
    while (!this.#stop && Date.now() - this.#started < this.#maxMs) {
      const at = Date.now() - this.#started;
      try {
        const status = await httpStatus(this.#url, this.#requestTimeoutMs);
        this.#samples.push({ at, ok: this.#ok(status), detail: `HTTP ${status}` });
      } catch (error) {
        this.#samples.push({ at, ok: false, detail: requestFailure(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, this.#intervalMs));
    }
  }
}
