import type { Tick } from '@rotation/schemas';

/**
 * Deterministic ticks for the ceilings and pre-filled topics: a seeded random walk per symbol,
 * event time advancing by `stepMs` per tick across the universe, serialised exactly as the
 * ingester serialises a Tick (JSON.stringify of the schema's field order), so the bare loops
 * move records of the same size as the service.
 */
export interface TickGenOptions {
  symbols: readonly string[];
  startMs: number;
  /** Event-time gap between consecutive ticks (any symbol). */
  stepMs: number;
  seed?: number;
}

export class TickGen {
  readonly #symbols: readonly string[];
  readonly #prices: number[];
  readonly #stepMs: number;
  #ts: number;
  #state: number;
  #i = 0;

  constructor(o: TickGenOptions) {
    this.#symbols = o.symbols;
    this.#stepMs = o.stepMs;
    this.#ts = o.startMs;
    this.#state = (o.seed ?? 1) >>> 0 || 1;
    this.#prices = o.symbols.map((_, i) => 50 + ((i * 37) % 400));
  }

  #rand(): number {
    // xorshift32: cheap and deterministic; statistics quality is irrelevant here.
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state / 0x100000000;
  }

  next(ts?: number): Tick {
    const k = this.#i++ % this.#symbols.length;
    const p = this.#prices[k]! * (1 + (this.#rand() - 0.5) * 0.002);
    this.#prices[k] = p;
    this.#ts = ts ?? this.#ts + this.#stepMs;
    return { v: 1, symbol: this.#symbols[k]!, price: Math.round(p * 100) / 100, size: 1 + Math.floor(this.#rand() * 500), ts: this.#ts, source: 'synthetic' };
  }
}

/** A pool of pre-serialised records, cycled by the bare producer so it measures the client only. */
export function recordPool(symbols: readonly string[], n: number): Array<{ key: string; value: string; timestamp: string }> {
  const gen = new TickGen({ symbols, startMs: Date.parse('2024-01-02T14:30:00Z'), stepMs: 250 });
  const out: Array<{ key: string; value: string; timestamp: string }> = [];
  for (let i = 0; i < n; i++) {
    const t = gen.next();
    out.push({ key: t.symbol, value: JSON.stringify(t), timestamp: String(t.ts) });
  }
  return out;
}

export function meanRecordBytes(pool: ReadonlyArray<{ key: string; value: string }>): number {
  let sum = 0;
  for (const r of pool) sum += Buffer.byteLength(r.value);
  return Math.round(sum / pool.length);
}
