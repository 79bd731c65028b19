/**
 * Alpaca's trade conditions are the SIPs' own letters, passed through: CTA (CTS) letters on
 * tapes A and B (NYSE- and other-listed), UTP (UTDF) letters on tape C (Nasdaq-listed). Lists:
 * Alpaca's market data docs, "Trade conditions"; eligibility: CTS Pillar Output Specification
 * and UTP Binary Output Specification, sale-condition tables (consolidated last sale, volume).
 */
import type { PrintReason } from '@rotation/schemas';
import { classify, conditionTable, type Classified, type ConditionTable } from './eligibility.js';

/** Letters that mean the same on both plans. */
const BOTH: Readonly<Record<string, PrintReason | null>> = {
  '@': null, // regular sale
  C: 'special_terms', // cash (same-day settlement)
  F: null, // intermarket sweep
  H: 'special_terms', // price variation
  I: 'odd_lot',
  K: null, // rule 127 (NYSE) / rule 155 (NYSE American)
  L: null, // sold last (late but in sequence)
  M: 'official_price', // market center official close
  N: 'special_terms', // next day settlement
  O: null, // market center opening trade (CTA) / opening prints (UTP)
  P: 'prior_reference',
  Q: 'official_price', // market center official open
  R: 'special_terms', // seller's option
  T: 'extended_hours', // Form T
  U: 'extended_hours', // extended hours, sold out of sequence
  V: 'special_terms', // contingent
  X: null, // cross
  Z: 'out_of_sequence', // sold (out of sequence)
  '4': 'special_terms', // derivatively priced
  '5': null, // reopening
  '6': null, // closing
  '7': 'special_terms', // qualified contingent trade
  '8': null, // reserved (CTA) / placeholder for 611 exempt (UTP)
  '9': 'no_volume', // corrected consolidated close: sets the close, is not a new trade
};

/** CTS only. "B" is average price here but a bunched (regular) trade on the UTP tape. */
const CTA = conditionTable({
  ...BOTH,
  ' ': null, // regular sale (CTS sends a space)
  B: 'average_price',
  E: null, // automatic execution
});

/** UTDF only. */
const UTP = conditionTable({
  ...BOTH,
  A: null, // acquisition
  B: null, // bunched trade
  D: null, // distribution
  G: 'out_of_sequence', // bunched sold: reported late, out of sequence
  S: null, // split trade
  W: 'average_price',
  Y: null, // yellow flag regular trade
  '1': null, // stopped stock (regular trade)
});

/** Without a tape only the letters both plans agree on are known ("B" would be a guess). */
const ANY_TAPE = conditionTable(BOTH);

export const ALPACA_TABLES: Readonly<Record<'cta' | 'utp' | 'any', ConditionTable>> = { cta: CTA, utp: UTP, any: ANY_TAPE };

/** `tape` is Alpaca's `z`: "A" / "B" CTA, "C" UTP, anything else unknown. */
export function alpacaEligibility(codes: readonly string[], tape: unknown): Classified {
  const table = tape === 'A' || tape === 'B' ? CTA : tape === 'C' ? UTP : ANY_TAPE;
  return classify(table, codes);
}
