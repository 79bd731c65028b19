import { WATERMARK_KEY } from '@rotation/schemas';

/** Where a synthetic run that continues the ticks topic starts: after its newest tick, from each symbol's last price. */
export interface ResumePoint {
  /** The newest event time of a tick on the topic. */
  afterMs: number;
  /** Each symbol's price at its newest tick. */
  prices: Record<string, number>;
}

/**
 * The resume point of the last records of every ticks partition (readPartitionTails): a
 * producer keeps each partition in order, and a symbol lives on one partition, so a symbol's
 * last tick in its partition's tail is its last tick. Watermarks, cancels, corrections and
 * corporate actions are not prices and are passed over; undefined when there is no tick.
 */
export function resumeFromTails(tails: ReadonlyArray<{ records: ReadonlyArray<{ key: string | null; value: string | null }> }>): ResumePoint | undefined {
  let afterMs = -Infinity;
  const prices: Record<string, number> = {};
  const newestOf = new Map<string, number>();
  for (const tail of tails) {
    for (const r of tail.records) {
      if (r.key === WATERMARK_KEY || r.value === null) continue;
      const tick = parseTick(r.value);
      if (!tick) continue;
      if (tick.ts > afterMs) afterMs = tick.ts;
      const seen = newestOf.get(tick.symbol);
      if (seen === undefined || tick.ts >= seen) {
        newestOf.set(tick.symbol, tick.ts);
        prices[tick.symbol] = tick.price;
      }
    }
  }
  return Number.isFinite(afterMs) ? { afterMs, prices } : undefined;
}

function parseTick(text: string): { symbol: string; ts: number; price: number } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.type !== undefined || typeof o.symbol !== 'string' || typeof o.ts !== 'number' || typeof o.price !== 'number') return undefined;
  // A print that did not set the last sale (odd lot, extended hours) is not where the price stands.
  const eligibility = o.eligibility as { last?: unknown } | undefined;
  if (eligibility?.last === false) return undefined;
  return Number.isFinite(o.ts) && o.price > 0 ? { symbol: o.symbol, ts: o.ts, price: o.price } : undefined;
}
