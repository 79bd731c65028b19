import { describe, expect, it } from 'vitest';
import { WatermarkClock } from './watermark-clock.js';

describe('WatermarkClock', () => {
  it('is null before the first tick', () => {
    expect(new WatermarkClock(2_000).current(1_000)).toBeNull();
  });

  it('follows the newest tick minus the lag while ticks flow, whatever the wall clock says', () => {
    const c = new WatermarkClock(2_000);
    // A feed 15 minutes behind the wall clock: event time, not wall time, sets the watermark.
    const wall = 1_700_000_900_000;
    c.observe(1_700_000_000_000, wall);
    expect(c.current(wall)).toBe(1_700_000_000_000 - 2_000);
    c.observe(1_700_000_001_000, wall + 1_000);
    c.observe(1_700_000_000_500, wall + 1_000); // an older tick does not pull it back
    expect(c.current(wall + 1_000)).toBe(1_700_000_001_000 - 2_000);
  });

  it('advances at wall-clock pace while the feed is quiet', () => {
    const c = new WatermarkClock(2_000);
    c.observe(10_000, 500_000);
    expect(c.current(500_000)).toBe(8_000);
    expect(c.current(530_000)).toBe(38_000); // 30 s without a tick
  });

  it('never moves backwards, even when a tick arrives after a quiet spell', () => {
    const c = new WatermarkClock(2_000);
    c.observe(10_000, 0);
    expect(c.current(60_000)).toBe(68_000);
    c.observe(11_000, 60_000); // the feed resumes with event time far behind the extrapolation
    expect(c.current(60_000)).toBe(68_000);
    expect(c.current(61_000)).toBe(68_000);
    expect(c.current(71_000)).toBe(68_000); // 11,000 + 11,000 - 2,000 = 20,000 is behind: held
    expect(c.current(130_000)).toBe(79_000); // 11,000 + 70,000 - 2,000: moving again
  });
});
