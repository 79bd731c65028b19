import { describe, expect, it } from 'vitest';
import { classifyStatus, parseRetryAfter, retryDelay } from './retry.js';

const backoff = { baseMs: 1_000, capMs: 60_000 };

describe('retryDelay', () => {
  it.each([
    [1, 0.5, undefined, 500],
    [2, 0.5, undefined, 1_000],
    [3, 0.5, undefined, 2_000],
    [7, 0.5, undefined, 30_000],
    [8, 0.5, undefined, 30_000],
    [20, 0.999, undefined, 59_940],
    [1, 0, undefined, 0],
    [1, 0.5, 5_000, 5_000],
    [4, 0.9, 1_000, 7_200],
    [1, 0.5, 3_600_000, 60_000],
  ])('after %i failures with random %f and Retry-After %s -> %i ms', (failures, r, retryAfter, delay) => {
    expect(retryDelay(failures, backoff, () => r, retryAfter)).toBe(delay);
  });
});

describe('classifyStatus', () => {
  const now = Date.parse('2026-11-23T20:00:00Z');
  it.each([
    [200, null, { kind: 'delivered' }],
    [204, null, { kind: 'delivered' }],
    [500, null, { kind: 'retry' }],
    [503, '7', { kind: 'retry', retryAfterMs: 7_000 }],
    [429, 'Mon, 23 Nov 2026 20:00:30 GMT', { kind: 'retry', retryAfterMs: 30_000 }],
    [408, null, { kind: 'retry' }],
    [400, null, { kind: 'reject' }],
    [401, null, { kind: 'reject' }],
    [404, null, { kind: 'reject' }],
    [301, null, { kind: 'reject' }],
  ] as const)('%i (Retry-After %s)', (status, retryAfter, outcome) => {
    expect(classifyStatus(status, retryAfter, now)).toEqual(outcome);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['soon', undefined],
    ['0', 0],
    ['120', 120_000],
    ['Mon, 23 Nov 2026 19:59:00 GMT', 0],
  ])('%s -> %s', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-23T20:00:00Z'))).toBe(ms);
  });
});
