/**
 * A counting semaphore: at most `size` tasks run at once, the rest wait in arrival order.
 * The gateway's history reads go through one per instance so that however many clients
 * resume at once, Redis sees a few short reads from this instance, not one per client.
 */
export class Pool {
  readonly #size: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#size) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so the running count never dips and overshoots.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
