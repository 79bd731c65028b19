import { describe, expect, it } from 'vitest';
import { WatermarkClock } from './watermark-clock.js';

describe('WatermarkClock.hold', () => {
  it('while held, the watermark is the newest tick minus the lag, however long the wall clock runs', () => {
    const c = new WatermarkClock(2_000);
    c.observe(10_000, 0);
    c.hold(true, 0);
    expect(c.current(0)).toBe(8_000);
    expect(c.current(600_000)).toBe(8_000); // ten minutes of fetching history: no promise made
    c.observe(12_000, 30_000); // a backfilled tick is published
    expect(c.current(900_000)).toBe(10_000);
    c.observe(11_000, 40_000); // an older one does not pull it back
    expect(c.current(900_000)).toBe(10_000);
  });

  it('after the release, idle time counts from the release, not from the last tick', () => {
    const c = new WatermarkClock(2_000);
    c.hold(true, 0);
    c.observe(12_000, 30_000);
    c.hold(false, 100_000);
    expect(c.current(100_000)).toBe(10_000);
    // 30 s after the release; counting from the tick it would be 12,000 + 100,000 - 2,000.
    expect(c.current(130_000)).toBe(40_000);
  });

  it('a release without a hold, or a second hold, changes nothing', () => {
    const c = new WatermarkClock(2_000);
    c.observe(10_000, 0);
    c.hold(false, 50_000);
    expect(c.current(50_000)).toBe(58_000); // idle from the tick at wall 0
    const d = new WatermarkClock(2_000);
    d.observe(10_000, 0);
    d.hold(true, 5_000);
    d.hold(true, 20_000);
    d.hold(false, 40_000);
    expect(d.current(50_000)).toBe(18_000); // 10 s idle since the release at 40,000
  });

  it('never moves backwards when a hold starts after the watermark ran ahead', () => {
    const c = new WatermarkClock(2_000);
    c.observe(10_000, 0);
    expect(c.current(60_000)).toBe(68_000);
    c.hold(true, 60_000);
    expect(c.current(60_000)).toBe(68_000); // not back to 8,000
    c.observe(70_000, 61_000);
    expect(c.current(61_000)).toBe(68_000);
    c.observe(75_000, 62_000);
    expect(c.current(62_000)).toBe(73_000);
    c.hold(false, 70_000);
    expect(c.current(75_000)).toBe(78_000);
  });

  it('is null while held before any tick', () => {
    const c = new WatermarkClock(2_000);
    c.hold(true, 0);
    expect(c.current(10_000)).toBeNull();
  });
});
