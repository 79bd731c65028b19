import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['2024-01-02T15:30:00Z', 1_704_209_400_000, undefined],
    ['2024-01-02T15:30:00.1Z', 1_704_209_400_100, undefined],
    ['2024-01-02T15:30:00.123Z', 1_704_209_400_123, undefined],
    ['2024-01-02T15:30:00.1234Z', 1_704_209_400_123, 400_000],
    ['2024-01-02T15:30:00.123456789Z', 1_704_209_400_123, 456_789],
    ['2024-01-02T15:30:00.000000001Z', 1_704_209_400_000, 1],
    ['2024-01-02t15:30:00z', 1_704_209_400_000, undefined],
    ['2024-01-02 15:30:00Z', 1_704_209_400_000, undefined],
    ['2024-01-02T10:30:00-05:00', 1_704_209_400_000, undefined],
    ['2024-01-02T16:00:00+00:30', 1_704_209_400_000, undefined],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), undefined],
    [1_704_209_400_000, 1_704_209_400_000, undefined],
    ['1704209400000', 1_704_209_400_000, undefined],
    [' 1704209400000 ', 1_704_209_400_000, undefined],
  ])('accepts %j', (input, ts, tsNanos) => {
    const r = parseTimestamp(input);
    expect(r).toEqual(tsNanos === undefined ? { ok: true, ts } : { ok: true, ts, tsNanos });
  });

  it.each([
    ['', 'ts: missing'],
    [null, 'got null'],
    [true, 'got boolean true'],
    ['yesterday', 'neither RFC 3339'],
    ['2024-01-02T15:30:00', 'neither RFC 3339'], // no zone: ambiguous
    ['2024-01-02', 'neither RFC 3339'],
    ['2024-13-02T15:30:00Z', 'month 13 out of range'],
    ['2023-02-29T15:30:00Z', 'day 29 out of range'],
    ['2024-01-02T24:00:00Z', 'hour 24 out of range'],
    ['2024-01-02T15:60:00Z', 'minute 60 out of range'],
    ['2024-01-02T15:30:60Z', 'leap seconds'],
    ['2024-01-02T15:30:00.1234567890Z', '10 fractional digits'],
    ['2024-01-02T15:30:00+24:00', 'offset +24:00 out of range'],
    [1_704_209_400, 'epoch seconds?'],
    [1_704_209_400_000_000, 'beyond year 9999'],
    [1_704_209_400_000.5, 'must be an integer'],
    [Number.NaN, 'not a finite number'],
  ])('rejects %j with a message containing %j', (input, message) => {
    const r = parseTimestamp(input);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain(message);
  });
});
