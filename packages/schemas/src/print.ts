import { z } from 'zod';

/**
 * Why a print does not update the consolidated last sale (or the volume), after the CTA and
 * UTP plans' sale-condition tables. A closed list, so metrics and consumers can switch on it.
 */
export const PrintReason = z.enum([
  'odd_lot', // fewer shares than a round lot (CTA/UTP "I", Polygon 37)
  'extended_hours', // Form T and its out-of-sequence variant ("T", "U"; Polygon 12, 13)
  'average_price', // a price averaged over several executions ("W", "B" on some tapes; Polygon 2)
  'out_of_sequence', // reported late, after later trades ("Z", "G"; Polygon 5, 32, 33)
  'prior_reference', // priced off an earlier reference ("P"; Polygon 22)
  'special_terms', // cash, next-day, seller, price variation, derivatively priced, contingent ("C", "N", "R", "H", "4", "V", "7")
  'official_price', // a market center's official open or close, a summary not a trade ("M", "Q"; Polygon 15, 16)
  'not_eligible', // marked ineligible, errored or a summary by the provider (Polygon 42, 43, 54, ...)
  'no_volume', // updates the last sale but not the volume (a corrected consolidated close, "9"; Polygon 38)
]);
export type PrintReason = z.infer<typeof PrintReason>;

/**
 * What one print updates. `last`: the last-sale price (and so closes, returns and alerts);
 * `volume`: the session's volume. `reason` names the condition that withheld one of them.
 *   {"last":false,"volume":true,"reason":"odd_lot"}
 */
export const PrintEligibility = z
  .strictObject({
    last: z.boolean(),
    volume: z.boolean(),
    reason: PrintReason.optional(),
  })
  .refine((e) => (e.last && e.volume) === (e.reason === undefined), { message: 'reason is required exactly when last or volume is false' });
export type PrintEligibility = z.infer<typeof PrintEligibility>;

/** A provider's sale conditions as sent: letters for Alpaca (CTA/UTP), numbers as strings for Polygon and Finnhub. */
export const PrintConditions = z.array(z.string().min(1).max(8)).max(16);
export type PrintConditions = z.infer<typeof PrintConditions>;

const PRINT_REASONS: ReadonlySet<unknown> = new Set(PrintReason.options);

/** `PrintConditions.safeParse(x).success`, without zod (the detector's hot path). */
export function isPrintConditions(x: unknown): x is PrintConditions {
  if (!Array.isArray(x) || x.length > 16) return false;
  for (const c of x) if (typeof c !== 'string' || c.length === 0 || c.length > 8) return false;
  return true;
}

/** `PrintEligibility.safeParse(x).success`, without zod. */
export function isPrintEligibility(x: unknown): x is PrintEligibility {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const e = x as Record<string, unknown>;
  if (typeof e.last !== 'boolean' || typeof e.volume !== 'boolean') return false;
  if (e.reason !== undefined && !PRINT_REASONS.has(e.reason)) return false;
  if ((e.last && e.volume) !== (e.reason === undefined)) return false;
  for (const k in e) if (k !== 'last' && k !== 'volume' && k !== 'reason') return false;
  return true;
}

/** The eligibility of a print without conditions: it updates everything. */
export const ELIGIBLE: PrintEligibility = Object.freeze({ last: true, volume: true }) as PrintEligibility;
