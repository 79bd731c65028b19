import { describe, expect, it } from 'vitest';
import { StateThrottle } from './throttle.js';

describe('StateThrottle', () => {
  it('prints the first value at once, holds later ones within the interval with their changes merged, releases them when due', () => {
    const t = new StateThrottle<number>(10_000);
    expect(t.offer('spreads', 1, ['a', 'b'], 0)).toEqual({ value: 1, changed: ['a', 'b'], first: true });
    expect(t.offer('spreads', 2, ['a'], 1_000)).toBeUndefined();
    expect(t.offer('spreads', 3, ['c'], 2_000)).toBeUndefined();
    expect(t.nextDueIn(2_000)).toBe(8_000);
    expect(t.release(9_999)).toEqual([]);
    expect(t.release(10_000)).toEqual([{ channel: 'spreads', value: 3, changed: ['a', 'c'], first: false }]);
    expect(t.nextDueIn(10_000)).toBeUndefined();
  });

  it('an update after a quiet interval prints at once, with what was held before it', () => {
    const t = new StateThrottle<string>(5_000);
    t.offer('rrg', 'v1', ['XLK'], 0);
    expect(t.offer('rrg', 'v2', ['XLE'], 4_000)).toBeUndefined();
    expect(t.offer('rrg', 'v3', ['XLU'], 6_000)).toEqual({ value: 'v3', changed: ['XLE', 'XLU'], first: false });
    expect(t.nextDueIn(6_000)).toBeUndefined();
  });

  it('keeps channels apart, and an interval of 0 holds nothing', () => {
    const t = new StateThrottle<number>(10_000);
    t.offer('spreads', 1, ['a'], 0);
    expect(t.offer('sectors', 1, ['7d'], 1)).toMatchObject({ first: true });
    const every = new StateThrottle<number>(0);
    every.offer('spreads', 1, ['a'], 0);
    expect(every.offer('spreads', 2, ['a'], 0)).toEqual({ value: 2, changed: ['a'], first: false });
  });
});
