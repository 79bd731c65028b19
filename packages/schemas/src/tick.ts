import { z } from 'zod';
import { EpochMs, Symbol } from './primitives.js';

/** Where a tick came from. Recorded on every tick and every dead letter. */
export const TickSource = z.enum(['replay', 'synthetic', 'alpaca', 'polygon', 'finnhub']);
export type TickSource = z.infer<typeof TickSource>;

/**
 * A normalized tick, the value of every record on `<ns>.ticks` (key = symbol).
 *   {"v":1,"symbol":"IWM","price":221.37,"size":100,"ts":1732369200000,"source":"replay"}
 * `ts` is event time in epoch ms; `tsNanos` keeps the sub-millisecond digits of an RFC 3339
 * timestamp (0..999999) when the provider sent them, so ordering ties can still be broken.
 * `id` is the provider's trade id when it has one (used for duplicate suppression).
 */
export const Tick = z.strictObject({
  v: z.literal(1),
  symbol: Symbol,
  price: z.number().positive(),
  size: z.number().min(0).optional(),
  ts: EpochMs,
  tsNanos: z.int().min(0).max(999_999).optional(),
  source: TickSource,
  id: z.string().min(1).max(64).optional(),
});
export type Tick = z.infer<typeof Tick>;
