import { describe, expect, it } from 'vitest';
import type { PrintReason } from '@rotation/schemas';
import { POLYGON_TABLE, polygonEligibility } from './polygon.js';

/** From /v3/reference/conditions update_rules.consolidated (open_close = last sale), not from the module. */
const ROWS: [id: number, last: boolean, volume: boolean, reason?: PrintReason][] = [
  [0, true, true],
  [1, true, true],
  [2, false, true, 'average_price'],
  [3, true, true],
  [4, true, true],
  [5, false, true, 'out_of_sequence'],
  [6, true, true],
  [7, false, true, 'special_terms'],
  [8, true, true],
  [9, true, true],
  [10, false, true, 'special_terms'],
  [11, true, true],
  [12, false, true, 'extended_hours'],
  [13, false, true, 'extended_hours'],
  [14, true, true],
  [15, false, false, 'official_price'],
  [16, false, false, 'official_price'],
  [17, true, true],
  [18, true, true],
  [19, true, true],
  [20, false, true, 'special_terms'],
  [21, false, true, 'special_terms'],
  [22, false, true, 'prior_reference'],
  [23, true, true],
  [24, true, true],
  [25, true, true],
  [27, true, true],
  [28, true, true],
  [29, false, true, 'special_terms'],
  [30, true, true],
  [31, true, true],
  [32, false, true, 'out_of_sequence'],
  [33, false, true, 'out_of_sequence'],
  [34, true, true],
  [35, true, true],
  [36, true, true],
  [37, false, true, 'odd_lot'],
  [38, true, false, 'no_volume'],
  [41, true, true],
  [42, false, false, 'not_eligible'],
  [43, false, false, 'not_eligible'],
  [44, false, false, 'not_eligible'],
  [47, false, false, 'not_eligible'],
  [48, false, false, 'not_eligible'],
  [49, false, false, 'not_eligible'],
  [51, false, false, 'not_eligible'],
  [52, false, true, 'special_terms'],
  [53, false, true, 'special_terms'],
  [54, false, false, 'not_eligible'],
];

describe('polygonEligibility', () => {
  it.each(ROWS)('condition %i updates last %s, volume %s (%s)', (id, last, volume, reason) => {
    expect(polygonEligibility([String(id)])).toEqual({ eligibility: reason === undefined ? { last, volume } : { last, volume, reason }, unknown: [] });
  });

  it('every mapped id is covered above', () => {
    expect([...POLYGON_TABLE.keys()].sort()).toEqual(ROWS.map((r) => String(r[0])).sort());
  });

  it('the captured prints: an odd lot beside ISO and trade-through-exempt, an extended-hours print', () => {
    // client-python mock server: AMZN [14, 37, 41]; the spec example MSFT [0, 12].
    expect(polygonEligibility(['14', '37', '41'])).toEqual({ eligibility: { last: false, volume: true, reason: 'odd_lot' }, unknown: [] });
    expect(polygonEligibility(['14', '41'])).toEqual({ eligibility: { last: true, volume: true }, unknown: [] });
    expect(polygonEligibility(['0', '12'])).toEqual({ eligibility: { last: false, volume: true, reason: 'extended_hours' }, unknown: [] });
  });

  it.each(['26', '39', '40', '45', '46', '50', '55', '56', '59', '999'])('id %s is not mapped: unknown, withholding nothing', (id) => {
    expect(polygonEligibility([id])).toEqual({ eligibility: { last: true, volume: true }, unknown: [id] });
  });
});
