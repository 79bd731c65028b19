import type { BucketTick } from './state.js';

/**
 * Prints kept per symbol and step bucket. The bucket's close is its newest print; the ones
 * before it are kept only so that a cancel of the newest can fall back to the one before.
 * Four covers every cancel sequence seen in practice at a fraction of the state a full list
 * would cost (the state is rewritten with every commit); if more than four of a bucket's
 * newest prints are cancelled, the bucket has no print left and the step keeps the previous
 * close, as if the bucket had been empty.
 */
export const PRINTS_PER_BUCKET = 4;

/** Order of prints in a bucket: event time, then sub-millisecond digits; equal keys keep arrival order. */
function after(a: BucketTick, b: BucketTick): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

/**
 * Inserts a print in order (on a full tie after the ones already there, as a tape's last sale
 * would) and drops the oldest beyond the bound. Returns the list's new length.
 */
export function insertPrint(list: BucketTick[], cand: BucketTick): number {
  let i = list.length;
  while (i > 0 && !after(cand, list[i - 1]!)) i -= 1;
  list.splice(i, 0, cand);
  if (list.length > PRINTS_PER_BUCKET) list.splice(0, list.length - PRINTS_PER_BUCKET);
  return list.length;
}

/**
 * Takes a print back: the one with the provider's trade id when it has one, otherwise the
 * newest with the same time and price. Returns whether one was removed (a cancelled print
 * that was not eligible, or had already dropped out of the bound, removes nothing).
 */
export function removePrint(list: BucketTick[], id: string, ts: number, tsNanos: number, price: number): boolean {
  for (let i = list.length - 1; i >= 0; i--) {
    const p = list[i]!;
    const match = id !== '' && p[3] !== '' ? p[3] === id : p[0] === ts && p[1] === tsNanos && p[2] === price;
    if (match) {
      list.splice(i, 1);
      return true;
    }
  }
  return false;
}

/**
 * Pending buckets as an earlier detector stored them, one [ts, tsNanos, price] per bucket,
 * read as a one-print list: a restart across the upgrade loses nothing.
 */
export function upgradePending(pending: Record<string, Record<string, unknown>>): Record<string, Record<string, BucketTick[]>> {
  const out: Record<string, Record<string, BucketTick[]>> = {};
  for (const [sym, buckets] of Object.entries(pending)) {
    const perSymbol: Record<string, BucketTick[]> = {};
    for (const [k, v] of Object.entries(buckets)) {
      if (!Array.isArray(v) || v.length === 0) continue;
      if (typeof v[0] === 'number') perSymbol[k] = [[v[0], Number(v[1] ?? 0), Number(v[2]), '']];
      else perSymbol[k] = (v as unknown[][]).map((p) => [Number(p[0]), Number(p[1] ?? 0), Number(p[2]), typeof p[3] === 'string' ? p[3] : '']);
    }
    if (Object.keys(perSymbol).length > 0) out[sym] = perSymbol;
  }
  return out;
}

/**
 * The pending prints of every symbol (`state.pending`), bucketed by evaluation step. The
 * bucket count per symbol is kept beside the state (not persisted; counted once per symbol
 * after a load): asking the object itself is not O(1), bucket keys are integer-like, so V8
 * keeps them as dictionary elements and even a `for…in` that stops at the first key collects
 * and sorts all of them. With a backlog that was a third of the detector's CPU.
 */
export class PendingPrints {
  readonly #pending: Record<string, Record<string, BucketTick[]>>;
  readonly #stepMs: number;
  readonly #size = new Map<string, number>();

  constructor(pending: Record<string, Record<string, BucketTick[]>>, stepMs: number) {
    this.#pending = pending;
    this.#stepMs = stepMs;
  }

  bucketOf(ts: number): string {
    return String(Math.ceil(ts / this.#stepMs));
  }

  #count(symbol: string): number {
    return this.#size.get(symbol) ?? Object.keys(this.#pending[symbol] ?? {}).length;
  }

  add(symbol: string, cand: BucketTick): void {
    const key = this.bucketOf(cand[0]);
    const perSymbol = (this.#pending[symbol] ??= {});
    const list = perSymbol[key];
    if (list === undefined) {
      const n = this.#count(symbol);
      perSymbol[key] = [cand];
      this.#size.set(symbol, n + 1);
    } else insertPrint(list, cand);
  }

  /** Takes a print back (see removePrint); an emptied bucket is dropped. */
  remove(symbol: string, id: string, ts: number, tsNanos: number, price: number): boolean {
    const key = this.bucketOf(ts);
    const list = this.#pending[symbol]?.[key];
    if (!list || !removePrint(list, id, ts, tsNanos, price)) return false;
    if (list.length === 0) this.#drop(symbol, key);
    return true;
  }

  /** The close of one symbol's bucket (its newest print), removing the bucket; undefined when it has none. */
  take(symbol: string, key: string): number | undefined {
    const list = this.#pending[symbol]?.[key];
    if (list === undefined) return undefined;
    this.#drop(symbol, key);
    return list[list.length - 1]?.[2];
  }

  #drop(symbol: string, key: string): void {
    const perSymbol = this.#pending[symbol]!;
    const left = this.#count(symbol) - 1;
    delete perSymbol[key];
    if (left <= 0) {
      delete this.#pending[symbol];
      this.#size.delete(symbol);
    } else this.#size.set(symbol, left);
  }

  /** The earliest bucket with a print, or Infinity. */
  earliestBucket(): number {
    let first = Infinity;
    for (const buckets of Object.values(this.#pending)) for (const b of Object.keys(buckets)) first = Math.min(first, Number(b));
    return first;
  }
}
