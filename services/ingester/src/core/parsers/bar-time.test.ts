import { describe, expect, it } from 'vitest';
import { dailyBarClose, dailyBarDate, newYorkMidnight, newYorkTime, parseTimeframe } from './bar-time.js';

const iso = (ts: number) => new Date(ts).toISOString();

describe('dailyBarClose', () => {
  it.each<[string, string]>([
    ['2024-01-02', '2024-01-02T21:00:00.000Z'], // EST
    ['2024-07-01', '2024-07-01T20:00:00.000Z'], // EDT
    ['2024-03-11', '2024-03-11T20:00:00.000Z'], // first session after DST starts
    ['2024-11-04', '2024-11-04T21:00:00.000Z'], // first session after DST ends
    ['2006-04-03', '2006-04-03T20:00:00.000Z'], // DST began on the first Sunday of April before 2007
    ['2006-03-31', '2006-03-31T21:00:00.000Z'],
    ['2014-07-03', '2014-07-03T17:00:00.000Z'], // early closes, 13:00 ET
    ['2014-11-28', '2014-11-28T18:00:00.000Z'],
    ['2014-12-24', '2014-12-24T18:00:00.000Z'],
  ])('%s closes at %s', (date, close) => {
    const s = dailyBarClose(date);
    expect(s.ok && iso(s.ts)).toBe(close);
  });

  it.each([
    ['2024-07-04', 'has no XNYS session'],
    ['2024-01-06', 'has no XNYS session'], // Saturday
    ['2012-10-29', 'has no XNYS session'], // Hurricane Sandy
    ['1989-12-29', 'outside the XNYS calendar'],
    ['2024-02-30', 'is not a calendar date'],
    ['2024-1-02', 'is not a calendar date'],
  ])('%s has no close: %s', (date, message) => {
    const s = dailyBarClose(date);
    expect(s.ok ? 'ok' : s.message).toContain(message);
  });
});

describe('daily bar starts', () => {
  it.each<[string, string | undefined]>([
    ['2022-02-01T05:00:00Z', '2022-02-01'], // Alpaca, midnight EST
    ['2023-09-27T04:00:00Z', '2023-09-27'], // Alpaca, midnight EDT
    ['2021-02-08T00:00:00Z', '2021-02-08'], // midnight UTC
    ['2022-02-01T14:31:00Z', undefined], // a minute bar
    ['2022-02-01T04:00:00Z', undefined], // 23:00 EST the day before
  ])('%s starts the day %s', (t, date) => {
    expect(dailyBarDate(Date.parse(t))).toBe(date);
  });

  it('finds New York midnight on both sides of the clock changes', () => {
    expect(iso(newYorkMidnight('2024-03-10'))).toBe('2024-03-10T05:00:00.000Z'); // DST starts at 02:00 that day
    expect(iso(newYorkMidnight('2024-03-11'))).toBe('2024-03-11T04:00:00.000Z');
    expect(iso(newYorkMidnight('2024-11-03'))).toBe('2024-11-03T04:00:00.000Z'); // DST ends at 02:00 that day
    expect(iso(newYorkMidnight('2024-11-04'))).toBe('2024-11-04T05:00:00.000Z');
    expect(newYorkTime(Date.parse('2024-07-01T13:30:00.250Z'))).toEqual({ date: '2024-07-01', msOfDay: (9 * 60 + 30) * 60_000 + 250 });
  });
});

describe('parseTimeframe', () => {
  it.each([
    ['1Day', { kind: 'day' }],
    ['1Min', { kind: 'intraday', ms: 60_000 }],
    ['5min', { kind: 'intraday', ms: 300_000 }],
    ['1Hour', { kind: 'intraday', ms: 3_600_000 }],
    ['2Day', undefined], // bars of several sessions close on a session the file does not name
    ['1Week', undefined],
    ['0Min', undefined],
    ['fast', undefined],
  ])('%s', (text, tf) => {
    expect(parseTimeframe(text)).toEqual(tf);
  });
});
