import { describe, expect, it } from 'vitest';
import type { PrintReason } from '@rotation/schemas';
import { FINNHUB_TABLE, finnhubEligibility } from './finnhub.js';

/** Finnhub's numbers with the CTA/UTP condition each names, and that condition's eligibility. */
const ROWS: [code: string, name: string, last: boolean, volume: boolean, reason?: PrintReason][] = [
  ['1', 'regular', true, true],
  ['2', 'acquisition', true, true],
  ['3', 'average price', false, true, 'average_price'],
  ['4', 'bunched', true, true],
  ['5', 'cash sale', false, true, 'special_terms'],
  ['6', 'distribution', true, true],
  ['7', 'automatic execution', true, true],
  ['8', 'intermarket sweep', true, true],
  ['9', 'bunched sold', false, true, 'out_of_sequence'],
  ['10', 'price variation', false, true, 'special_terms'],
  ['11', 'CAP election', true, true],
  ['12', 'odd lot', false, true, 'odd_lot'],
  ['13', 'rule 127', true, true],
  ['14', 'rule 155', true, true],
  ['15', 'sold last', true, true],
  ['16', 'official close', false, false, 'official_price'],
  ['17', 'next day', false, true, 'special_terms'],
  ['18', 'market center opening trade', true, true],
  ['19', 'opening prints', true, true],
  ['20', 'official open', false, false, 'official_price'],
  ['21', 'prior reference price', false, true, 'prior_reference'],
  ['22', 'seller', false, true, 'special_terms'],
  ['23', 'split trade', true, true],
  ['24', 'Form T', false, true, 'extended_hours'],
  ['25', 'extended hours out of sequence', false, true, 'extended_hours'],
  ['26', 'contingent', false, true, 'special_terms'],
  ['27', 'stock option', true, true],
  ['28', 'cross', true, true],
  ['29', 'yellow flag', true, true],
  ['30', 'sold out of sequence', false, true, 'out_of_sequence'],
  ['31', 'stopped stock', true, true],
  ['32', 'derivatively priced', false, true, 'special_terms'],
  ['33', 'market center reopening trade', true, true],
  ['34', 're-opening prints', true, true],
  ['35', 'market center closing trade', true, true],
  ['36', 'closing prints', true, true],
  ['37', 'qualified contingent trade', false, true, 'special_terms'],
  ['38', '611 exempt', true, true],
  ['39', 'corrected consolidated close', true, false, 'no_volume'],
  ['41', 'trade through exempt', true, true],
];

describe('finnhubEligibility', () => {
  it.each(ROWS)('code %s (%s) updates last %s, volume %s (%s)', (code, _name, last, volume, reason) => {
    expect(finnhubEligibility([code])).toEqual({ eligibility: reason === undefined ? { last, volume } : { last, volume, reason }, unknown: [] });
  });

  it('every mapped code is covered above', () => {
    expect([...FINNHUB_TABLE.keys()].sort()).toEqual(ROWS.map((r) => r[0]).sort());
  });

  it('the captured after-hours odd lots are extended hours first (Form T outranks odd lot)', () => {
    expect(finnhubEligibility(['1', '8', '24', '12'])).toEqual({ eligibility: { last: false, volume: true, reason: 'extended_hours' }, unknown: [] });
    expect(finnhubEligibility(['1', '24', '12'])).toEqual({ eligibility: { last: false, volume: true, reason: 'extended_hours' }, unknown: [] });
    expect(finnhubEligibility([])).toEqual({ eligibility: { last: true, volume: true }, unknown: [] });
  });

  it('"40" (opened) and numbers outside the list are unknown, withholding nothing', () => {
    expect(finnhubEligibility(['40', '1'])).toEqual({ eligibility: { last: true, volume: true }, unknown: ['40'] });
    expect(finnhubEligibility(['77'])).toEqual({ eligibility: { last: true, volume: true }, unknown: ['77'] });
  });
});
