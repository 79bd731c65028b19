import { describe, expect, it } from 'vitest';
import { emaAlpha, emaStep, mean, pushBounded, sampleSd, spearmanRho, zScore } from './stats.js';

describe('stats', () => {
  it.each([
    // xs, mean, sample sd (hand-computed: deviations^2 summed / (n - 1))
    [[1, 2, 3, 4], 2.5, Math.sqrt(5 / 3)],
    [[2, 4, 4, 4, 5, 5, 7, 9], 5, Math.sqrt(32 / 7)],
    [[10, 10], 10, 0],
  ])('mean and sample sd of %j', (xs, m, sd) => {
    expect(mean(xs)).toBeCloseTo(m, 12);
    expect(sampleSd(xs)).toBeCloseTo(sd, 12);
  });

  it.each([
    // x, xs, z: (x - mean) / sd
    [4, [1, 2, 3, 4], (4 - 2.5) / Math.sqrt(5 / 3)],
    [9, [2, 4, 4, 4, 5, 5, 7, 9], 4 / Math.sqrt(32 / 7)],
    [10, [10, 10, 10], null], // flat lookback: undefined, not infinite
    [1, [1], null],
  ])('z-score of %d in %j', (x, xs, z) => {
    const got = zScore(x, xs);
    if (z === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(z, 12);
  });

  it('EMA seeds with the first value then moves by alpha', () => {
    expect(emaAlpha(19)).toBeCloseTo(0.1, 12);
    expect(emaAlpha(39)).toBeCloseTo(0.05, 12);
    let e = emaStep(null, 10, 0.5);
    expect(e).toBe(10);
    e = emaStep(e, 20, 0.5); // 10 + 0.5 * 10
    expect(e).toBe(15);
    e = emaStep(e, 11, 0.5); // 15 + 0.5 * -4
    expect(e).toBe(13);
  });

  it.each([
    [['A', 'B', 'C', 'D'], ['A', 'B', 'C', 'D'], 1],
    [['A', 'B', 'C', 'D'], ['D', 'C', 'B', 'A'], -1], // d = 3,1,1,3: 1 - 6*20/60
    [['A', 'B', 'C', 'D'], ['B', 'A', 'C', 'D'], 0.8], // d^2 sum 2: 1 - 12/60
    [['A', 'B', 'C'], ['A', 'B', 'X'], null],
    [['A'], ['A'], null],
  ])('Spearman rho %j vs %j', (a, b, rho) => {
    const got = spearmanRho(a, b);
    if (rho === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(rho, 12);
  });

  it('pushBounded keeps the newest values', () => {
    const xs = [1, 2];
    pushBounded(xs, 3, 2);
    expect(xs).toEqual([2, 3]);
  });
});
