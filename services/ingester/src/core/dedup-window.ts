/**
 * The last `capacity` keys seen, in insertion order: a Set for lookups and a ring buffer for
 * eviction, so memory stays bounded however long a live feed runs.
 */
export class DedupWindow {
  readonly #seen = new Set<string>();
  readonly #ring: Array<string | undefined>;
  #next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#ring = new Array<string | undefined>(capacity);
  }

  /** True when `key` is already in the window; otherwise remembers it and returns false. */
  seen(key: string): boolean {
    if (this.#seen.has(key)) return true;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#seen.delete(evicted);
    this.#ring[this.#next] = key;
    this.#seen.add(key);
    this.#next = (this.#next + 1) % this.capacity;
    return false;
  }

  get size(): number {
    return this.#seen.size;
  }
}

/**
 * The same for tick contents (symbol, ts, price, size, sub-ms digits), without building a
 * string per tick: a numeric lookup by (symbol, ts) settles the common case, and the few
 * ticks that share a millisecond are compared field by field. At replay and synthetic rates
 * the string keys of DedupWindow cost more than everything else in normalisation.
 */
export class TickContentWindow {
  readonly #bySymbol = new Map<string, Map<number, number[]>>();
  readonly #ringSymbol: Array<string | undefined>;
  readonly #ringTs: Float64Array;
  #next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#ringSymbol = new Array<string | undefined>(capacity);
    this.#ringTs = new Float64Array(capacity);
  }

  /** True when an identical tick is in the window; otherwise remembers this one. `size`/`tsNanos` -1 when absent. */
  seen(symbol: string, ts: number, price: number, size: number, tsNanos: number): boolean {
    let byTs = this.#bySymbol.get(symbol);
    if (!byTs) this.#bySymbol.set(symbol, (byTs = new Map()));
    let same = byTs.get(ts);
    if (same) {
      for (let i = 0; i < same.length; i += 3) if (same[i] === price && same[i + 1] === size && same[i + 2] === tsNanos) return true;
    }
    const old = this.#ringSymbol[this.#next];
    if (old !== undefined) {
      const oldTs = this.#ringTs[this.#next]!;
      const m = this.#bySymbol.get(old)!;
      const list = m.get(oldTs)!;
      // Oldest first: the evicted entry is the first of its (symbol, ts) list.
      if (list.length <= 3) m.delete(oldTs);
      else list.splice(0, 3);
      if (m.size === 0) this.#bySymbol.delete(old);
      if (old === symbol && oldTs === ts) same = byTs.get(ts);
      if (m.size === 0 && old === symbol) this.#bySymbol.set(symbol, byTs);
    }
    if (same) same.push(price, size, tsNanos);
    else byTs.set(ts, [price, size, tsNanos]);
    this.#ringSymbol[this.#next] = symbol;
    this.#ringTs[this.#next] = ts;
    this.#next = (this.#next + 1) % this.capacity;
    return false;
  }
}
