/**
 * Finnhub's trade conditions: its own numbers, as strings. The stream docs only point to a
 * spreadsheet (the `c` field: "a comprehensive list of trade conditions code can be found here",
 * docs.google.com/spreadsheets/d/1PUxiSWPHSODbaTaoL2Vef6DgU-yFtlRGZf19oBb9Hp0, also linked from
 * Finnhub's SDKs); it names each number after a CTA/UTP sale condition, whose eligibility the
 * plans' tables then give. The captured frames back the numbering where they can: the after-hours
 * odd lots arrive as ["1","8","24","12"] (regular, intermarket sweep, Form T, odd lot: the UTP
 * four-slot pattern Alpaca shows as ["@","F","T","I"]), every "12" print is under 100 shares and
 * every "24" print lies outside 09:30-16:00 ET.
 *
 * "40" (opened: a late report of an opening trade) has no rule in either plan that we could
 * check, so it stays unmapped (docs/live-providers.md, "Unknown codes").
 */
import { classify, conditionTable, type Classified } from './eligibility.js';

export const FINNHUB_TABLE = conditionTable({
  '1': null, // regular
  '2': null, // acquisition
  '3': 'average_price',
  '4': null, // bunched
  '5': 'special_terms', // cash sale
  '6': null, // distribution
  '7': null, // automatic execution
  '8': null, // intermarket sweep
  '9': 'out_of_sequence', // bunched sold
  '10': 'special_terms', // price variation
  '11': null, // CAP election
  '12': 'odd_lot',
  '13': null, // rule 127
  '14': null, // rule 155
  '15': null, // sold last
  '16': 'official_price', // market center official close
  '17': 'special_terms', // next day
  '18': null, // market center opening trade
  '19': null, // opening prints
  '20': 'official_price', // market center official open
  '21': 'prior_reference',
  '22': 'special_terms', // seller
  '23': null, // split trade
  '24': 'extended_hours', // Form T
  '25': 'extended_hours', // extended hours, sold out of sequence
  '26': 'special_terms', // contingent
  '27': null, // stock option
  '28': null, // cross
  '29': null, // yellow flag
  '30': 'out_of_sequence', // sold (out of sequence)
  '31': null, // stopped stock
  '32': 'special_terms', // derivatively priced
  '33': null, // market center re-opening trade
  '34': null, // re-opening prints
  '35': null, // market center closing trade
  '36': null, // closing prints
  '37': 'special_terms', // qualified contingent trade
  '38': null, // placeholder for 611 exempt
  '39': 'no_volume', // corrected consolidated close
  '41': null, // trade through exempt
});

export function finnhubEligibility(codes: readonly string[]): Classified {
  return classify(FINNHUB_TABLE, codes);
}
