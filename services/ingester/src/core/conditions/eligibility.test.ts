import { describe, expect, it } from 'vitest';
import { isPrintEligibility, PrintReason } from '@rotation/schemas';
import { classify, conditionTable, REASON_EFFECT, REASON_PRIORITY } from './eligibility.js';

const table = conditionTable({ ok: null, odd: 'odd_lot', formT: 'extended_hours', oos: 'out_of_sequence', close: 'official_price', cc: 'no_volume', bad: 'not_eligible' });

describe('classify', () => {
  it('a print without conditions, or with only neutral ones, updates everything', () => {
    expect(classify(table, [])).toEqual({ eligibility: { last: true, volume: true }, unknown: [] });
    expect(classify(table, ['ok', 'ok'])).toEqual({ eligibility: { last: true, volume: true }, unknown: [] });
  });

  it.each([
    [['odd'], { last: false, volume: true, reason: 'odd_lot' }],
    [['ok', 'odd'], { last: false, volume: true, reason: 'odd_lot' }],
    // Several withholding conditions: last = AND, volume = AND, reason by the fixed priority.
    [['odd', 'formT'], { last: false, volume: true, reason: 'extended_hours' }],
    [['formT', 'odd'], { last: false, volume: true, reason: 'extended_hours' }],
    [['odd', 'oos'], { last: false, volume: true, reason: 'out_of_sequence' }],
    [['cc'], { last: true, volume: false, reason: 'no_volume' }],
    [['cc', 'odd'], { last: false, volume: false, reason: 'no_volume' }],
    [['close', 'formT'], { last: false, volume: false, reason: 'official_price' }],
    [['close', 'bad'], { last: false, volume: false, reason: 'not_eligible' }],
  ])('%j -> %j', (codes, eligibility) => {
    const r = classify(table, codes);
    expect(r).toEqual({ eligibility, unknown: [] });
    expect(isPrintEligibility(r.eligibility)).toBe(true);
  });

  it('unknown codes withhold nothing and are reported once each, in order', () => {
    expect(classify(table, ['zz', 'odd', 'yy', 'zz'])).toEqual({ eligibility: { last: false, volume: true, reason: 'odd_lot' }, unknown: ['zz', 'yy'] });
    expect(classify(table, ['zz'])).toEqual({ eligibility: { last: true, volume: true }, unknown: ['zz'] });
    // Object.prototype names are codes like any other, not table entries.
    expect(classify(table, ['constructor', 'toString'])).toEqual({ eligibility: { last: true, volume: true }, unknown: ['constructor', 'toString'] });
  });

  it('has an effect and a rank for every reason, and each effect withholds something', () => {
    expect(Object.keys(REASON_EFFECT).sort()).toEqual([...PrintReason.options].sort());
    expect([...REASON_PRIORITY].sort()).toEqual([...PrintReason.options].sort());
    // Reasons that withhold the volume outrank those that only withhold the last sale.
    const firstLastOnly = REASON_PRIORITY.findIndex((r) => REASON_EFFECT[r].volume);
    expect(REASON_PRIORITY.slice(firstLastOnly).every((r) => REASON_EFFECT[r].volume)).toBe(true);
    for (const r of PrintReason.options) expect(REASON_EFFECT[r].last && REASON_EFFECT[r].volume).toBe(false);
  });
});
