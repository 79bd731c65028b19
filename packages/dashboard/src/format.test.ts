import { describe, expect, it } from 'vitest';
import { arrow, direction, formatClock, formatDelay, formatEventTime, formatLevel, formatPct, formatPp, formatShare, formatZ, MISSING } from './format.js';

describe('formatPct', () => {
  it.each([
    [3.25, '+3.25 %'],
    [-0.72, '-0.72 %'],
    [0, '0.00 %'],
    [-0.001, '0.00 %'],
    [12.345, '+12.35 %'],
    [null, MISSING],
    [undefined, MISSING],
    [Number.NaN, MISSING],
    [Number.POSITIVE_INFINITY, MISSING],
  ])('%s -> %s', (value, expected) => {
    expect(formatPct(value)).toBe(expected);
  });
});

describe('formatPp', () => {
  it.each([
    [3.97, '+3.97 pp'],
    [-0.72, '-0.72 pp'],
    [0.004, '0.00 pp'],
    [null, MISSING],
  ])('%s -> %s', (value, expected) => {
    expect(formatPp(value)).toBe(expected);
  });
});

describe('other formats', () => {
  it.each([
    [formatZ(2.1), 'z +2.10'],
    [formatZ(-1.234), 'z -1.23'],
    [formatZ(null), MISSING],
    [formatLevel(101.234), '101.23'],
    [formatLevel(null), MISSING],
    [formatShare(63.6), '64 %'],
    [formatShare(null), MISSING],
    [formatClock(Date.UTC(2024, 2, 8, 14, 3, 27)), '14:03:27 UTC'],
    [formatEventTime('2024-03-08T21:00:00.000Z'), '2024-03-08 21:00:00 UTC'],
    [formatEventTime('not a date'), MISSING],
    [formatDelay(0), '0 s'],
    [formatDelay(2_100), '3 s'],
    [formatDelay(60_000), '1 min'],
    [formatDelay(65_000), '1 min 5 s'],
  ])('%s is %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    [1, 'up', '▲'],
    [-1, 'down', '▼'],
    [0, 'flat', '■'],
    [0.004, 'flat', '■'],
    [-0.004, 'flat', '■'],
    [0.005, 'up', '▲'],
    [null, 'unknown', ''],
  ] as const)('direction of %s is %s', (value, dir, arrowText) => {
    expect(direction(value)).toBe(dir);
    expect(arrow(value)).toBe(arrowText);
  });
});
