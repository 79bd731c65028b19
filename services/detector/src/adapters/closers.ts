import type { Logger } from '@rotation/log';

/**
 * What a start opened, closed in the reverse order: a start that fails half way closes only what
 * it opened, and a stop closes the consumer before the connections it commits through.
 */
export class Closers {
  readonly #closers: Array<() => Promise<void>> = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  push(close: () => Promise<void>): void {
    this.#closers.push(close);
  }

  /** A close that fails is logged and the others still run. */
  async closeAll(): Promise<void> {
    for (const c of this.#closers.reverse()) await c().catch((err: unknown) => this.#log.warn({ err }, 'close failed'));
  }
}
