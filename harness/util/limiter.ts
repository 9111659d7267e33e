/** At most `limit` tasks at once; the rest wait, the highest priority first, FIFO among equals. */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  #arrivals = 0;
  readonly #queue: Array<{ priority: number; arrival: number; start: () => void }> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    if (this.#active >= this.#limit) {
      // A finishing task hands its slot over to this one (the count stays), so that no task
      // arriving meanwhile can slip in beside it.
      await new Promise<void>((start) => {
        this.#queue.push({ priority, arrival: this.#arrivals++, start });
        this.#queue.sort((a, b) => b.priority - a.priority || a.arrival - b.arrival);
      });
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next) next.start();
      else this.#active--;
    }
  }
}
