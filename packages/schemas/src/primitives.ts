import { z } from 'zod';

/** Upper-case ticker: letters, digits, dot, dash (BRK.B, BF-B). Aliasing happens before this check. */
export const Symbol = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[A-Z0-9][A-Z0-9.-]*$/, 'symbol must be upper case letters, digits, "." or "-"');

/** Epoch milliseconds, UTC. Integers keep the wire compact and comparisons exact. */
export const EpochMs = z.int().min(0);

/**
 * Window label in market time: a count and a unit. `s`, `m`, `h`: trading time (regular
 * sessions only); `1d`: since the previous session's close; `Nd` (N >= 2) and `Nw`: calendar
 * time, since the last close at or before the same New York time N days (weeks) earlier;
 * `Nsess`: since the close N sessions back.
 */
export const WindowLabel = z.string().regex(/^[1-9][0-9]*(s|m|h|d|w|sess)$/, 'window must look like 5m, 1h, 1d, 7d or 5sess');

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;
