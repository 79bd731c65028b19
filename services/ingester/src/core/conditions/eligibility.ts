/**
 * A print's eligibility from its sale conditions, after the CTA and UTP plans' tables ("update
 * last sale?", "update volume?"). Pure and table-driven: each provider has a table from its own
 * codes to the PrintReason a code withholds (or null when the code withholds nothing), and one
 * combiner applies the plans' rule for several conditions: a print updates the last sale only
 * if every condition lets it, the volume likewise.
 */
import { ELIGIBLE, type PrintEligibility, type PrintReason } from '@rotation/schemas';

/** A provider's codes: the reason a code withholds, or null when it is known and withholds nothing. */
export type ConditionTable = ReadonlyMap<string, PrintReason | null>;

export function conditionTable(entries: Readonly<Record<string, PrintReason | null>>): ConditionTable {
  // A Map, not the record: a code such as "constructor" must not find Object.prototype.
  return new Map(Object.entries(entries));
}

/**
 * What a print with this reason still updates. The reasons are defined by their effect in the
 * plans' tables: odd lots, Form T, average-price, out-of-sequence, prior-reference and the
 * special-settlement prints count in the volume but do not set the last sale; an official open
 * or close repeats a price already traded (counting it again would double the volume) and sets
 * neither; a corrected consolidated close sets the close but is not a new trade.
 */
export const REASON_EFFECT: Readonly<Record<PrintReason, { last: boolean; volume: boolean }>> = {
  odd_lot: { last: false, volume: true },
  extended_hours: { last: false, volume: true },
  average_price: { last: false, volume: true },
  out_of_sequence: { last: false, volume: true },
  prior_reference: { last: false, volume: true },
  special_terms: { last: false, volume: true },
  official_price: { last: false, volume: false },
  not_eligible: { last: false, volume: false },
  no_volume: { last: true, volume: false },
};

/**
 * Which reason a print with several withholding conditions reports. Reasons that withhold the
 * volume come first, so a print that is not counted says why; then extended hours (a fact about
 * the session, the first thing a reader of a post-market print needs); odd lot last, because it
 * is the most common and the weakest: an odd lot that is also out of sequence is reported as
 * out of sequence.
 */
export const REASON_PRIORITY: readonly PrintReason[] = [
  'not_eligible',
  'official_price',
  'no_volume',
  'extended_hours',
  'out_of_sequence',
  'prior_reference',
  'average_price',
  'special_terms',
  'odd_lot',
];
const RANK: ReadonlyMap<PrintReason, number> = new Map(REASON_PRIORITY.map((r, i) => [r, i]));

export interface Classified {
  eligibility: PrintEligibility;
  /**
   * Codes the table does not know. They withhold nothing (see docs/live-providers.md, "Unknown
   * codes"): a provider adding a code must not silence every print that carries it, and the
   * plans' ineligible conditions are all mapped. The caller reports them so nothing is silent.
   */
  unknown: string[];
}

export function classify(table: ConditionTable, codes: readonly string[]): Classified {
  let last = true;
  let volume = true;
  let reason: PrintReason | undefined;
  const unknown: string[] = [];
  for (const code of codes) {
    const r = table.get(code);
    if (r === undefined) {
      if (!table.has(code) && !unknown.includes(code)) unknown.push(code);
      continue;
    }
    if (r === null) continue;
    const effect = REASON_EFFECT[r];
    last &&= effect.last;
    volume &&= effect.volume;
    if (reason === undefined || RANK.get(r)! < RANK.get(reason)!) reason = r;
  }
  if (last && volume) return { eligibility: ELIGIBLE, unknown };
  return { eligibility: { last, volume, reason: reason! }, unknown };
}
