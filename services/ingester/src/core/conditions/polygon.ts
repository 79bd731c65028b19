/**
 * Polygon.io / Massive trade conditions: its own numeric ids, one list for every tape, each with
 * the consolidated update rules of the plans (GET /v3/reference/conditions?asset_class=stocks,
 * `update_rules.consolidated`: `updates_open_close` is the last sale, `updates_volume` the
 * volume; glossary: massive.com/glossary/us/stocks/conditions-indicators). Ids are sent as
 * numbers and kept as strings, like every provider's codes.
 */
import { classify, conditionTable, type Classified } from './eligibility.js';

export const POLYGON_TABLE = conditionTable({
  '0': null, // regular
  '1': null, // acquisition
  '2': 'average_price',
  '3': null, // automatic execution
  '4': null, // bunched
  '5': 'out_of_sequence', // bunched sold (updates high/low, not the last sale)
  '6': null, // CAP election (legacy)
  '7': 'special_terms', // cash sale
  '8': null, // closing prints
  '9': null, // cross
  '10': 'special_terms', // derivatively priced
  '11': null, // distribution
  '12': 'extended_hours', // Form T
  '13': 'extended_hours', // extended hours, sold out of sequence
  '14': null, // intermarket sweep
  '15': 'official_price', // market center official close
  '16': 'official_price', // market center official open
  '17': null, // market center opening trade
  '18': null, // market center reopening trade
  '19': null, // market center closing trade
  '20': 'special_terms', // next day
  '21': 'special_terms', // price variation
  '22': 'prior_reference',
  '23': null, // rule 155 (NYSE American)
  '24': null, // rule 127 (NYSE)
  '25': null, // opening prints
  '27': null, // stopped stock (regular trade)
  '28': null, // re-opening prints
  '29': 'special_terms', // seller
  '30': null, // sold last
  '31': null, // sold last and stopped stock
  '32': 'out_of_sequence', // sold (out of sequence)
  '33': 'out_of_sequence', // sold (out of sequence) and stopped stock
  '34': null, // split trade
  '35': null, // stock option
  '36': null, // yellow flag regular trade
  '37': 'odd_lot',
  '38': 'no_volume', // corrected consolidated close (per listing market)
  '41': null, // trade thru exempt
  '42': 'not_eligible', // non-eligible
  '43': 'not_eligible', // non-eligible, extended hours
  '44': 'not_eligible', // cancelled
  // Reports of an earlier session or a summary, not a trade now: they move no last sale (an
  // "as of" print is reported for a prior date; a summary restates what was printed).
  '47': 'not_eligible', // as of
  '48': 'not_eligible', // as of correction
  '49': 'not_eligible', // as of cancel
  '51': 'not_eligible', // summary
  '52': 'special_terms', // contingent
  '53': 'special_terms', // qualified contingent trade
  '54': 'not_eligible', // errored
});

export function polygonEligibility(codes: readonly string[]): Classified {
  return classify(POLYGON_TABLE, codes);
}
