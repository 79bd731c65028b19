import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, validateBackoff } from './backoff.js';

const opts = { baseMs: 500, capMs: 30_000 };

describe('backoffCeiling', () => {
  it.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [5, 16_000],
    [6, 30_000],
    [50, 30_000],
    [-3, 500],
  ])('attempt %i -> %i ms', (attempt, ceiling) => {
    expect(backoffCeiling(attempt, opts)).toBe(ceiling);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(backoffCeiling(1e9, opts)).toBe(30_000);
  });
});

describe('backoffDelay (full jitter)', () => {
  it.each([
    [0, 0, 0],
    [0, 0.5, 250],
    [0, 0.999, 499],
    [3, 0.25, 1_000],
    [10, 0.5, 15_000],
    [10, 0.9999, 29_997],
  ])('attempt %i with random %f -> %i ms', (attempt, r, delay) => {
    expect(backoffDelay(attempt, () => r, opts)).toBe(delay);
  });

  it('draws anywhere from zero up to the ceiling, not around a midpoint', () => {
    // 1000 evenly spaced draws: the lowest is 0 and the highest just below the ceiling.
    const delays = Array.from({ length: 1000 }, (_, i) => backoffDelay(4, () => i / 1000, opts));
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBe(7_992);
  });

  it('clamps a misbehaving random source into [0, ceiling]', () => {
    expect(backoffDelay(0, () => -1, opts)).toBe(0);
    expect(backoffDelay(0, () => 7, opts)).toBe(500);
  });
});

describe('validateBackoff', () => {
  it.each([
    [{ baseMs: 0, capMs: 10 }, /baseMs/],
    [{ baseMs: 100, capMs: 10 }, /capMs/],
    [{ baseMs: Number.NaN, capMs: 10 }, /baseMs/],
  ])('rejects %o', (o, message) => {
    expect(() => validateBackoff(o)).toThrow(message);
  });
});
