import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { IngestSource } from '../core/ingest-source.js';
import { Pacer, type Speed } from '../core/pacer.js';
import type { QuoteSink } from '../core/source.js';
import { SyntheticGenerator, type SyntheticOptions } from '../core/synthetic/generator.js';

export interface SyntheticSourceOptions extends SyntheticOptions {
  speed: Speed;
  /** Start the scenario over (event time continuing) instead of ending. */
  loop?: boolean;
}

/** Records between yields to the event loop, so timers, signals and socket I/O keep running at max speed. */
const YIELD_EVERY = 2_048;

const ORIGIN = { provider: 'synthetic' } as const;

/** The synthetic generator as a source: paced by event time, looping when asked. */
export class SyntheticSource implements IngestSource {
  readonly name = 'synthetic';
  readonly #generator: SyntheticGenerator;
  readonly #options: SyntheticSourceOptions;
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(options: SyntheticSourceOptions) {
    this.#options = options;
    this.#generator = new SyntheticGenerator(options);
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
  }

  progress(): { done: number; total: number | undefined } {
    return { done: this.#generator.emitted, total: this.#options.loop ? undefined : this.#generator.total };
  }

  async run(sink: QuoteSink): Promise<void> {
    const g = this.#generator;
    const pacer = new Pacer(this.#options.speed, Date.now, (ms) => sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => undefined));
    const t = { symbol: '', price: 0, size: 0, ts: 0 };
    let sinceYield = 0;
    while (!this.#stopped) {
      if (!g.next(t)) {
        if (!this.#options.loop) return;
        g.restart();
        continue;
      }
      const wait = pacer.wait(t.ts);
      if (wait) {
        await wait;
        sinceYield = 0;
        if (this.#stopped) return;
      }
      // The sink keeps the quote object (it is normalised into a new tick), so it is built per record.
      const pending = sink.quote({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts }, ORIGIN, null, 'synthetic');
      if (pending) {
        await pending;
        sinceYield = 0;
      } else if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
  }
}
