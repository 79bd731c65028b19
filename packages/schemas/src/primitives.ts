import { z } from 'zod';

/** Upper-case ticker: letters, digits, dot, dash (BRK.B, BF-B). Aliasing happens before this check. */
export const Symbol = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[A-Z0-9][A-Z0-9.-]*$/, 'symbol must be upper case letters, digits, "." or "-"');

/** Epoch milliseconds, UTC. Integers keep the wire compact and comparisons exact. */
export const EpochMs = z.int().min(0);

/** Event-time window label: a count and a unit (s, m, h, d, w). */
export const WindowLabel = z.string().regex(/^[1-9][0-9]*[smhdw]$/, 'window must look like 5m, 1h, 1d or 7d');

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;
