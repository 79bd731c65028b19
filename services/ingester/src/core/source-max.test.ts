import { describe, expect, it } from 'vitest';
import { isTick, type Tick } from '@rotation/schemas';
import { SourceMaxTs } from './source-max.js';

const tick = (symbol: string, ts: number): Tick => ({ v: 1, symbol, price: 1, ts, source: 'synthetic' });

describe('SourceMaxTs', () => {
  it('has no newest time before the first tick', () => {
    expect(new SourceMaxTs().newest).toBeUndefined();
  });

  it.each([
    { name: 'in order', ts: [10, 20, 30], stamps: [10, 20, 30] },
    { name: 'an older tick keeps the maximum', ts: [10, 30, 20, 25, 40], stamps: [10, 30, 30, 30, 40] },
    { name: 'equal times', ts: [5, 5, 5], stamps: [5, 5, 5] },
    { name: 'event time zero is a time, not "none"', ts: [0, 0], stamps: [0, 0] },
  ])('$name: every tick carries the maximum up to and including itself', ({ ts, stamps }) => {
    const s = new SourceMaxTs();
    expect(ts.map((t, i) => s.stamp(tick(i % 2 ? 'IWM' : 'SPY', t)).sourceMaxTs)).toEqual(stamps);
    expect(s.newest).toBe(Math.max(...ts));
  });

  it('stamps the tick it is given (no copy) and the result is a valid tick', () => {
    const s = new SourceMaxTs();
    s.stamp(tick('SPY', 1_000));
    const t = tick('IWM', 900);
    expect(s.stamp(t)).toBe(t);
    expect(t).toEqual({ ...tick('IWM', 900), sourceMaxTs: 1_000 });
    expect(isTick(t)).toBe(true);
  });
});
