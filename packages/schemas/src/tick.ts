import { z } from 'zod';
import { EpochMs, Symbol } from './primitives.js';
import { isPrintConditions, isPrintEligibility, PrintConditions, PrintEligibility } from './print.js';

/** Where a tick came from. Recorded on every tick and every dead letter. */
export const TickSource = z.enum(['replay', 'synthetic', 'alpaca', 'polygon', 'finnhub']);
export type TickSource = z.infer<typeof TickSource>;

/**
 * A normalized tick, the value of every record on `<ns>.ticks` (key = symbol).
 *   {"v":1,"symbol":"IWM","price":221.37,"size":100,"ts":1732369200000,"source":"replay","sourceMaxTs":1732369200000}
 * `ts` is event time in epoch ms; `tsNanos` keeps the sub-millisecond digits of an RFC 3339
 * timestamp (0..999999) when the provider sent them, so ordering ties can still be broken.
 * `id` is the provider's trade id when it has one (used for duplicate suppression).
 * `sourceMaxTs` (>= `ts`) is stamped by the ingester on every tick it publishes; it stays
 * optional so records written before it existed still decode.
 */
export const Tick = z
  .strictObject({
    v: z.literal(1),
    symbol: Symbol,
    price: z.number().positive(),
    size: z.number().min(0).optional(),
    ts: EpochMs,
    tsNanos: z.int().min(0).max(999_999).optional(),
    source: TickSource,
    id: z.string().min(1).max(64).optional(),
    /**
     * The newest event time this source had published when it published this tick, this tick
     * included (so >= ts); the detector judges lateness against it, which makes lateness a
     * property of the source's order, not of the partitioning.
     */
    sourceMaxTs: EpochMs.optional(),
    /** The provider's sale conditions, as it sent them (numbers as decimal strings). */
    conditions: PrintConditions.optional(),
    /**
     * What the print updates under the SIP eligibility rules of its conditions. Absent: an
     * ordinary print (files, synthetic, providers without conditions) that updates both.
     */
    eligibility: PrintEligibility.optional(),
  })
  .refine((t) => t.sourceMaxTs === undefined || t.sourceMaxTs >= t.ts, { path: ['sourceMaxTs'], message: 'sourceMaxTs must be >= ts' });
export type Tick = z.infer<typeof Tick>;

/**
 * A source's promise about one ticks partition, published beside the ticks (key `watermark`,
 * always to every partition): live sources about once a second, finite sources (replay,
 * synthetic without --loop) once, marked `final`, after their last tick was acknowledged:
 *   {"v":1,"watermark":1732369200000,"source":"alpaca"}
 *   {"v":1,"watermark":1732400000000,"source":"replay","final":true}
 * "No tick with event time before `watermark` is still to come from this source on this
 * partition." The detector evaluates a step once every partition has passed it; a partition
 * whose symbols are not trading (an ETF quiet on IEX, the minutes after the close) would
 * otherwise hold every evaluation back. Being records in the log, watermarks replay exactly.
 */
export const LaneWatermark = z.strictObject({
  v: z.literal(1),
  watermark: EpochMs,
  source: TickSource,
  /**
   * End of stream: the source has ended and will publish nothing more; `watermark` is the
   * newest event time it published. The detector evaluates every step up to and including
   * that tick's.
   */
  final: z.literal(true).optional(),
});
export type LaneWatermark = z.infer<typeof LaneWatermark>;

/** Record key of watermark records (ticks are keyed by symbol, and no symbol is lower case). */
export const WATERMARK_KEY = 'watermark';

const TICK_KEYS = new Set(['v', 'symbol', 'price', 'size', 'ts', 'tsNanos', 'source', 'id', 'sourceMaxTs', 'conditions', 'eligibility']);
const TICK_SOURCES: ReadonlySet<unknown> = new Set(TickSource.options);
const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9.-]*$/;
const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/**
 * The `Tick` schema's rules as a plain type guard, for the hot paths that see every tick
 * (the detector decodes ~100k records/s; zod's safeParse was a tenth of its CPU). It accepts
 * exactly what `Tick.safeParse` accepts: a property test (tick.test.ts) holds the two together.
 * On `false`, run `Tick.safeParse` for the message.
 */
export function isTick(x: unknown): x is Tick {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const t = x as Record<string, unknown>;
  if (t.v !== 1) return false;
  const s = t.symbol;
  if (typeof s !== 'string' || s.length === 0 || s.length > 16 || !SYMBOL_PATTERN.test(s)) return false;
  if (!finite(t.price) || t.price <= 0) return false;
  if (t.size !== undefined && (!finite(t.size) || t.size < 0)) return false;
  if (!Number.isSafeInteger(t.ts) || (t.ts as number) < 0) return false;
  if (t.tsNanos !== undefined && (!Number.isSafeInteger(t.tsNanos) || (t.tsNanos as number) < 0 || (t.tsNanos as number) > 999_999)) return false;
  if (!TICK_SOURCES.has(t.source)) return false;
  if (t.id !== undefined && (typeof t.id !== 'string' || t.id.length === 0 || t.id.length > 64)) return false;
  // ts passed the check above, so sourceMaxTs >= ts also means >= 0.
  if (t.sourceMaxTs !== undefined && (!Number.isSafeInteger(t.sourceMaxTs) || (t.sourceMaxTs as number) < (t.ts as number))) return false;
  if (t.conditions !== undefined && !isPrintConditions(t.conditions)) return false;
  if (t.eligibility !== undefined && !isPrintEligibility(t.eligibility)) return false;
  for (const k in t) if (!TICK_KEYS.has(k)) return false;
  return true;
}
