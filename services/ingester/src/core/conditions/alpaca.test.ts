import { describe, expect, it } from 'vitest';
import type { PrintReason } from '@rotation/schemas';
import { ALPACA_TABLES, alpacaEligibility } from './alpaca.js';

type Row = [code: string, last: boolean, volume: boolean, reason?: PrintReason];

/** Written from the CTS and UTDF sale-condition tables, not from the module. */
const BOTH: Row[] = [
  ['@', true, true],
  ['C', false, true, 'special_terms'],
  ['F', true, true],
  ['H', false, true, 'special_terms'],
  ['I', false, true, 'odd_lot'],
  ['K', true, true],
  ['L', true, true],
  ['M', false, false, 'official_price'],
  ['N', false, true, 'special_terms'],
  ['O', true, true],
  ['P', false, true, 'prior_reference'],
  ['Q', false, false, 'official_price'],
  ['R', false, true, 'special_terms'],
  ['T', false, true, 'extended_hours'],
  ['U', false, true, 'extended_hours'],
  ['V', false, true, 'special_terms'],
  ['X', true, true],
  ['Z', false, true, 'out_of_sequence'],
  ['4', false, true, 'special_terms'],
  ['5', true, true],
  ['6', true, true],
  ['7', false, true, 'special_terms'],
  ['8', true, true],
  ['9', true, false, 'no_volume'],
];
const CTA_ONLY: Row[] = [
  [' ', true, true],
  ['B', false, true, 'average_price'],
  ['E', true, true],
];
const UTP_ONLY: Row[] = [
  ['A', true, true],
  ['B', true, true],
  ['D', true, true],
  ['G', false, true, 'out_of_sequence'],
  ['S', true, true],
  ['W', false, true, 'average_price'],
  ['Y', true, true],
  ['1', true, true],
];

const expected = (last: boolean, volume: boolean, reason?: PrintReason) => (reason === undefined ? { last, volume } : { last, volume, reason });

describe('alpacaEligibility', () => {
  const ctaRows: [tape: string, ...row: Row][] = ['A', 'B'].flatMap((tape) => [...BOTH, ...CTA_ONLY].map((r): [string, ...Row] => [tape, ...r]));
  it.each(ctaRows)('tape %s (CTA): %j updates last %s, volume %s (%s)', (tape, code, last, volume, reason) => {
    expect(alpacaEligibility([code], tape)).toEqual({ eligibility: expected(last, volume, reason), unknown: [] });
  });

  it.each([...BOTH, ...UTP_ONLY])('tape C (UTP): %j updates last %s, volume %s (%s)', (code, last, volume, reason) => {
    expect(alpacaEligibility([code], 'C')).toEqual({ eligibility: expected(last, volume, reason), unknown: [] });
  });

  it.each(BOTH)('without a tape: %j updates last %s, volume %s (%s)', (code, last, volume, reason) => {
    expect(alpacaEligibility([code], undefined)).toEqual({ eligibility: expected(last, volume, reason), unknown: [] });
  });

  it('every mapped letter is covered above', () => {
    const keys = (t: ReadonlyMap<string, unknown>) => [...t.keys()].sort();
    expect(keys(ALPACA_TABLES.cta)).toEqual([...BOTH, ...CTA_ONLY].map((r) => r[0]).sort());
    expect(keys(ALPACA_TABLES.utp)).toEqual([...BOTH, ...UTP_ONLY].map((r) => r[0]).sort());
    expect(keys(ALPACA_TABLES.any)).toEqual(BOTH.map((r) => r[0]).sort());
  });

  it('letters only one plan defines are unknown on the other tape, and "B" without a tape', () => {
    expect(alpacaEligibility(['W'], 'A').unknown).toEqual(['W']);
    expect(alpacaEligibility(['G'], 'B').unknown).toEqual(['G']);
    expect(alpacaEligibility(['E'], 'C').unknown).toEqual(['E']);
    expect(alpacaEligibility(['B'], undefined)).toEqual({ eligibility: { last: true, volume: true }, unknown: ['B'] });
  });

  it('the captured prints: an extended-hours odd lot, a regular odd lot', () => {
    // alpaca-trade-api-js mock trade (tape C): regular, ISO, Form T, odd lot.
    expect(alpacaEligibility(['@', 'F', 'T', 'I'], 'C')).toEqual({ eligibility: { last: false, volume: true, reason: 'extended_hours' }, unknown: [] });
    expect(alpacaEligibility(['@', 'I'], 'C')).toEqual({ eligibility: { last: false, volume: true, reason: 'odd_lot' }, unknown: [] });
  });
});
