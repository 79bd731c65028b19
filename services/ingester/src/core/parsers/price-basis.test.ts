import { describe, expect, it } from 'vitest';
import { checkBases, resolveBasis, type BasisOffer } from './price-basis.js';

describe('resolveBasis', () => {
  const choice: BasisOffer = { kind: 'choice', default: 'split_adjusted', options: { split_adjusted: { column: 'close', why: 'Close' }, total_return: { column: 'adj close', why: 'Adj Close' } } };
  it.each([
    [choice, undefined, { basis: 'split_adjusted', column: 'close', why: 'Close' }],
    [choice, 'total_return', { basis: 'total_return', column: 'adj close', why: 'Adj Close' }],
    [choice, 'unadjusted', { basis: 'split_adjusted', column: 'close', why: 'Close' }],
    [{ kind: 'fixed', basis: 'total_return', column: 'close', why: 'Stooq' }, 'split_adjusted', { basis: 'total_return', column: 'close', why: 'Stooq' }],
    [{ kind: 'stated', default: 'unadjusted', why: 'Alpaca' }, undefined, { basis: 'unadjusted', why: 'Alpaca' }],
    [{ kind: 'stated', default: 'unadjusted', why: 'Alpaca' }, 'split_adjusted', { basis: 'split_adjusted', why: 'Alpaca, stated by --price-basis' }],
  ] as const)('%j asked %s', (offer, requested, expected) => {
    expect(resolveBasis(offer, requested)).toEqual(expected);
  });
});

describe('checkBases', () => {
  const f = (file: string, basis: 'unadjusted' | 'split_adjusted' | 'total_return') => ({ file, basis, why: `${file} why` });
  it('accepts one basis, the requested one when asked', () => {
    expect(checkBases([f('a', 'total_return'), f('b', 'total_return')], undefined)).toBeUndefined();
    expect(checkBases([f('a', 'total_return')], 'total_return')).toBeUndefined();
    expect(checkBases([], undefined)).toBeUndefined();
  });
  it('names every file with its basis when they differ', () => {
    expect(checkBases([f('ticks.csv', 'unadjusted'), f('IWM.csv', 'split_adjusted')], undefined)).toBe(
      'price bases differ within one run: ticks.csv: unadjusted (ticks.csv why); IWM.csv: split_adjusted (IWM.csv why). Comparing prices on different bases reads every adjustment as a price move; replay files of one basis, or pass --allow-mixed-basis',
    );
  });
  it('says when the requested basis is not what the files have', () => {
    expect(checkBases([f('spy.us.txt', 'total_return')], 'split_adjusted')).toMatch(/^--price-basis split_adjusted cannot be read from these files: spy\.us\.txt: total_return/);
  });
});
