import { describe, expect, it } from 'vitest';
import type { Breadth, SpreadPoint } from '@rotation/schemas';
import { deepEqual, mergeRows, mergeState } from './merge.js';

const spread = (pair: string, window: string, spreadPp: number | null): SpreadPoint => ({
  pair,
  small: pair.split('/')[0]!,
  large: pair.split('/')[1]!,
  window,
  smallReturnPct: 1,
  largeReturnPct: 1,
  spreadPp,
  ratio: 100,
  zScore: null,
});

describe('mergeState: spreads', () => {
  it('a first snapshot marks every row changed', () => {
    const next = [spread('IWM/SPY', '7d', 1), spread('IWM/SPY', '1d', 0.2)];
    const merged = mergeState('spreads', undefined, next);
    expect(merged.value).toEqual(next);
    expect(merged.changed).toEqual(['IWM/SPY@7d', 'IWM/SPY@1d']);
  });

  it('keeps unchanged rows by identity, lists changed, added and removed rows', () => {
    const prev = [spread('IWM/SPY', '7d', 1), spread('IWM/SPY', '1d', 0.2), spread('AI/RSP', '7d', -2)];
    const next = [spread('IWM/SPY', '7d', 1), spread('IWM/SPY', '1d', 0.4), spread('IJR/QQQ', '7d', 3)];
    const merged = mergeState('spreads', prev, next);
    expect(merged.value).toEqual(next);
    expect(merged.value[0]).toBe(prev[0]);
    expect(merged.value[1]).toBe(next[1]);
    expect(merged.changed).toEqual(['IWM/SPY@1d', 'IJR/QQQ@7d', 'AI/RSP@7d']);
  });

  it('an identical value changes nothing', () => {
    const prev = [spread('IWM/SPY', '7d', 1)];
    const merged = mergeState('spreads', prev, [spread('IWM/SPY', '7d', 1)]);
    expect(merged.changed).toEqual([]);
    expect(merged.value[0]).toBe(prev[0]);
  });
});

describe('mergeState: breadth', () => {
  const b = (pct: number | null): Breadth => ({ sectorsBeatingBenchmarkPct: pct, sectorsLeadingOrImprovingPct: 50, constituents: null });
  it.each([
    ['first value', undefined, b(40), ['breadth']],
    ['changed', b(40), b(60), ['breadth']],
    ['unchanged', b(40), b(40), []],
  ] as const)('%s', (_name, prev, next, changed) => {
    expect(mergeState('breadth', prev, next).changed).toEqual(changed);
  });
  it('keeps the previous object when equal', () => {
    const prev = b(40);
    expect(mergeState('breadth', prev, b(40)).value).toBe(prev);
  });
});

describe('mergeRows', () => {
  it('keys rows by the given function', () => {
    const merged = mergeRows([{ k: 'a', v: 1 }], [{ k: 'a', v: 2 }, { k: 'b', v: 1 }], (r) => r.k);
    expect(merged.changed).toEqual(['a', 'b']);
  });
});

describe('deepEqual', () => {
  it.each([
    [1, 1, true],
    [null, null, true],
    [null, 0, false],
    [{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [[1, 2], [2, 1], false],
    [[], {}, false],
    [{ a: 1 }, { b: 1 }, false],
  ])('%j vs %j -> %s', (a, b, equal) => {
    expect(deepEqual(a, b)).toBe(equal);
  });
});
