import { describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram, encodeHistogram, linearFit, percentile, ratio, recordMs, summarize } from './stats.js';

describe('latency histogram', () => {
  it('reports percentiles of 1..1000 ms within the histogram precision (0.1 %)', () => {
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i);
    const s = summarize(h);
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(500, -0.5);
    expect(Math.abs(s.p99Ms - 990) / 990).toBeLessThan(0.001);
    expect(Math.abs(s.p999Ms - 999) / 999).toBeLessThan(0.001);
    expect(Math.abs(s.maxMs - 1000) / 1000).toBeLessThan(0.001);
  });

  it('keeps sub-millisecond values (recorded in µs) and clamps negatives to 1 µs', () => {
    const h = createHistogram();
    recordMs(h, 0.25);
    recordMs(h, -3);
    expect(summarize(h).maxMs).toBeCloseTo(0.25, 3);
    expect(h.minNonZeroValue).toBe(1);
  });

  it('survives encoding, so a load process can hand over its whole distribution', () => {
    const h = createHistogram();
    for (let i = 0; i < 500; i++) recordMs(h, 3 + (i % 50));
    const back = summarize(decodeHistogram(encodeHistogram(h)));
    const orig = summarize(h);
    expect({ ...back, maxMs: 0 }).toEqual({ ...orig, maxMs: 0 });
    // The decoded max is its bucket's upper bound: equal within the histogram's precision.
    expect(Math.abs(back.maxMs - orig.maxMs) / orig.maxMs).toBeLessThan(0.001);
  });
});

describe('percentile (nearest rank)', () => {
  it.each([
    [[5, 1, 3, 2, 4], 50, 3],
    [[5, 1, 3, 2, 4], 100, 5],
    [[5, 1, 3, 2, 4], 0, 1],
    [[7], 99, 7],
  ])('%j p%d = %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('ratio', () => {
  it.each([
    [80, 100, 0.8],
    [2, 3, 0.667],
    [5, 0, null],
    [Number.NaN, 3, null],
  ])('%d / %d = %s', (a, b, r) => {
    expect(ratio(a, b)).toBe(r);
  });
});

describe('linearFit', () => {
  it('recovers slope and intercept of exact points', () => {
    const fit = linearFit([{ x: 100, y: 60 }, { x: 1000, y: 69 }, { x: 5000, y: 109 }])!;
    expect(fit.slope).toBeCloseTo(0.01, 6);
    expect(fit.intercept).toBeCloseTo(59, 6);
    expect(fit.r2).toBeCloseTo(1, 9);
  });

  it('needs two distinct x', () => {
    expect(linearFit([{ x: 1, y: 2 }])).toBeNull();
    expect(linearFit([{ x: 1, y: 2 }, { x: 1, y: 3 }])).toBeNull();
  });
});
