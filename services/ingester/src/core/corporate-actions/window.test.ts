import { describe, expect, it } from 'vitest';
import { actionWindow, newYorkDate } from './window.js';

describe('actionWindow', () => {
  it.each([
    // 2024-03-05 21:30 ET is already the 6th in UTC: the window centres on the New York date.
    [Date.parse('2024-03-06T02:30:00Z'), 30, 30, { start: '2024-02-04', end: '2024-04-04' }],
    [Date.parse('2024-07-01T12:00:00Z'), 0, 0, { start: '2024-07-01', end: '2024-07-01' }],
    [Date.parse('2024-12-31T15:00:00Z'), 1, 1, { start: '2024-12-30', end: '2025-01-01' }],
  ])('at %i ms, %i days back and %i ahead', (now, back, ahead, expected) => {
    expect(actionWindow(now, back, ahead)).toEqual(expected);
  });

  it('rejects negative or fractional days', () => {
    expect(() => actionWindow(0, -1, 0)).toThrow(RangeError);
    expect(() => actionWindow(0, 0, 1.5)).toThrow(RangeError);
  });

  it('newYorkDate follows daylight saving time', () => {
    expect(newYorkDate(Date.parse('2024-01-10T04:59:00Z'))).toBe('2024-01-09');
    expect(newYorkDate(Date.parse('2024-07-10T03:59:00Z'))).toBe('2024-07-09');
    expect(newYorkDate(Date.parse('2024-07-10T04:00:00Z'))).toBe('2024-07-10');
  });
});
