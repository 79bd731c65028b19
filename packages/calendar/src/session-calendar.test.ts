import { describe, expect, it } from 'vitest';
import { CalendarError } from './errors.js';
import { CALENDAR_NAMES, getCalendar } from './registry.js';
import type { Session } from './types.js';

const xnys = getCalendar('XNYS');
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const HOUR = 3_600_000;

function on(date: string): Session {
  const s = xnys.sessionOn(date);
  if (s === null) throw new Error(`expected a session on ${date}`);
  return s;
}

describe('getCalendar', () => {
  it('knows XNYS, case-sensitively, and names the known calendars when it does not', () => {
    expect(CALENDAR_NAMES).toEqual(['XNYS']);
    expect(getCalendar('XNYS')).toBe(xnys);
    expect(xnys.name).toBe('XNYS');
    expect([xnys.firstYear, xnys.lastYear]).toEqual([1990, 2099]);
    expect(() => getCalendar('xnys')).toThrow(/known calendars: XNYS/);
    expect(() => getCalendar('toString')).toThrow(CalendarError);
  });
});

describe('session times across daylight saving', () => {
  it.each([
    // date, open (UTC), close (UTC)
    ['2026-03-06', '2026-03-06T14:30:00.000Z', '2026-03-06T21:00:00.000Z'], // Friday before DST starts (Sun 03-08)
    ['2026-03-09', '2026-03-09T13:30:00.000Z', '2026-03-09T20:00:00.000Z'], // Monday after
    ['2026-10-30', '2026-10-30T13:30:00.000Z', '2026-10-30T20:00:00.000Z'], // Friday before DST ends (Sun 11-01)
    ['2026-11-02', '2026-11-02T14:30:00.000Z', '2026-11-02T21:00:00.000Z'], // Monday after
    // Before 2007 DST ran from the first Sunday of April to the last Sunday of October.
    ['2006-03-31', '2006-03-31T14:30:00.000Z', '2006-03-31T21:00:00.000Z'],
    ['2006-04-03', '2006-04-03T13:30:00.000Z', '2006-04-03T20:00:00.000Z'],
    ['2006-10-30', '2006-10-30T14:30:00.000Z', '2006-10-30T21:00:00.000Z'],
    ['2026-11-27', '2026-11-27T14:30:00.000Z', '2026-11-27T18:00:00.000Z'], // half day
    ['2024-07-03', '2024-07-03T13:30:00.000Z', '2024-07-03T17:00:00.000Z'], // summer half day
  ])('%s opens %s and closes %s', (date, open, close) => {
    const s = on(date);
    expect([iso(s.open), iso(s.close)]).toEqual([open, close]);
  });

  it('puts pre-market at 04:00 ET and post-market to 20:00 ET (17:00 ET on a half day)', () => {
    const s = on('2026-03-09');
    expect([iso(s.preOpen), iso(s.postClose), s.early]).toEqual(['2026-03-09T08:00:00.000Z', '2026-03-10T00:00:00.000Z', false]);
    const half = on('2026-11-27');
    expect([iso(half.preOpen), iso(half.postClose), half.early]).toEqual(['2026-11-27T09:00:00.000Z', '2026-11-27T22:00:00.000Z', true]);
  });
});

describe('phaseAt', () => {
  it.each([
    ['2026-01-16T08:59:00.000Z', 'closed'], // 03:59 ET
    ['2026-01-16T09:00:00.000Z', 'closed'], // 04:00:00.000 ET: pre-market is (04:00, 09:30]
    ['2026-01-16T09:00:00.001Z', 'pre'],
    ['2026-01-16T14:30:00.000Z', 'pre'], // 09:30:00.000 ET
    ['2026-01-16T14:30:00.001Z', 'regular'],
    ['2026-01-16T21:00:00.000Z', 'regular'], // 16:00:00.000 ET: the closing print
    ['2026-01-16T21:00:00.001Z', 'post'],
    ['2026-01-17T01:00:00.000Z', 'post'], // 20:00:00.000 ET
    ['2026-01-17T01:00:00.001Z', 'closed'],
    ['2026-01-17T17:00:00.000Z', 'closed'], // Saturday noon
    ['2026-01-19T15:00:00.000Z', 'closed'], // MLK Day 10:00 ET
    ['2026-11-27T18:00:00.000Z', 'regular'], // half day 13:00 ET
    ['2026-11-27T18:00:00.001Z', 'post'],
    ['2026-11-27T22:00:00.001Z', 'closed'], // after 17:00 ET
    ['2027-01-01T00:30:00.000Z', 'post'], // New Year's Eve 19:30 ET, already 2027 in UTC
    ['1989-12-29T15:00:00.000Z', 'closed'], // before the calendar
    ['2100-01-04T15:00:00.000Z', 'closed'], // after it
  ] as const)('%s is %s', (ts, phase) => {
    expect(xnys.phaseAt(at(ts))).toBe(phase);
  });

  it('gives the same answers out of order as in order (the cache is only a shortcut)', () => {
    const start = at('2026-01-14T00:00:00.000Z');
    const stamps = Array.from({ length: 400 }, (_, i) => start + i * 1_337_000);
    const inOrder = stamps.map((t) => xnys.phaseAt(t));
    const shuffled = stamps.map((_, i) => stamps[(i * 149) % stamps.length]!);
    const outOfOrder = new Map(shuffled.map((t) => [t, xnys.phaseAt(t)]));
    expect(stamps.map((t) => outOfOrder.get(t))).toEqual(inOrder);
  });

  it('rejects NaN rather than calling it closed', () => {
    expect(() => xnys.phaseAt(NaN)).toThrow(CalendarError);
  });
});

describe('sessionContaining', () => {
  it.each([
    ['2026-01-16T09:00:00.001Z', '2026-01-16'],
    ['2026-01-17T01:00:00.000Z', '2026-01-16'],
    ['2027-01-01T00:30:00.000Z', '2026-12-31'],
    ['2026-01-17T01:00:00.001Z', null],
    ['2026-01-19T15:00:00.000Z', null],
  ])('%s -> %s', (ts, date) => {
    expect(xnys.sessionContaining(at(ts))?.date ?? null).toBe(date);
  });
});

describe('sessionAtOrBefore / lastCloseAtOrBefore / nextCloseAfter', () => {
  it.each([
    // ts, sessionAtOrBefore, lastCloseAtOrBefore, nextCloseAfter
    ['2026-01-17T17:00:00.000Z', '2026-01-16', '2026-01-16', '2026-01-20'], // Saturday
    ['2026-01-19T17:00:00.000Z', '2026-01-16', '2026-01-16', '2026-01-20'], // MLK Monday
    ['2026-01-20T10:00:00.000Z', '2026-01-16', '2026-01-16', '2026-01-20'], // Tuesday pre-market
    ['2026-01-20T14:30:00.000Z', '2026-01-16', '2026-01-16', '2026-01-20'], // 09:30:00.000: not yet open
    ['2026-01-20T14:30:00.001Z', '2026-01-20', '2026-01-16', '2026-01-20'],
    ['2026-01-20T20:59:59.999Z', '2026-01-20', '2026-01-16', '2026-01-20'],
    ['2026-01-20T21:00:00.000Z', '2026-01-20', '2026-01-20', '2026-01-21'], // the close itself
    ['2026-04-03T15:00:00.000Z', '2026-04-02', '2026-04-02', '2026-04-06'], // Good Friday
    ['2027-01-01T17:00:00.000Z', '2026-12-31', '2026-12-31', '2027-01-04'], // New Year's Day
    ['1989-12-29T15:00:00.000Z', null, null, '1990-01-02'],
    ['2100-01-04T15:00:00.000Z', '2099-12-31', '2099-12-31', null],
  ])('%s', (ts, atOrBefore, lastClose, nextClose) => {
    const t = at(ts);
    expect([xnys.sessionAtOrBefore(t)?.date ?? null, xnys.lastCloseAtOrBefore(t)?.date ?? null, xnys.nextCloseAfter(t)?.date ?? null]).toEqual([
      atOrBefore,
      lastClose,
      nextClose,
    ]);
  });
});

describe('sessionOn', () => {
  it('answers null for closed days and days outside the calendar, and throws on malformed dates', () => {
    expect(xnys.sessionOn('2026-01-17')).toBeNull();
    expect(xnys.sessionOn('1989-12-29')).toBeNull();
    expect(xnys.sessionOn('2100-01-04')).toBeNull();
    for (const bad of ['2026-02-30', '2026-1-5', '20260105', '']) expect(() => xnys.sessionOn(bad)).toThrow(CalendarError);
  });

  it('hands out frozen sessions, the same object every time', () => {
    const s = on('2026-01-16');
    expect(Object.isFrozen(s)).toBe(true);
    expect(xnys.sessionContaining(s.open)).toBe(s);
    expect(xnys.byIndex(s.index)).toBe(s);
  });
});

describe('index, next, prev', () => {
  it('counts from the first session of 1990 and steps across a year boundary', () => {
    const first = xnys.byIndex(0)!;
    expect(first.date).toBe('1990-01-02');
    expect(xnys.prev(first)).toBeNull();
    expect(xnys.byIndex(-1)).toBeNull();
    expect(xnys.byIndex(1.5)).toBeNull();
    const dec31 = on('2026-12-31');
    const jan4 = xnys.next(dec31)!;
    expect(jan4.date).toBe('2027-01-04');
    expect(jan4.index).toBe(dec31.index + 1);
    expect(xnys.prev(jan4)).toBe(dec31);
    expect(xnys.byIndex(jan4.index)).toBe(jan4);
    const last = xnys.lastCloseAtOrBefore(Infinity)!;
    expect(last.date).toBe('2099-12-31');
    expect(xnys.next(last)).toBeNull();
  });

  it('walks 2025-2027 one session at a time with no gaps or repeats', () => {
    let s = on('2025-01-02');
    let count = 1;
    for (let n = xnys.next(s); n !== null && n.date < '2028'; n = xnys.next(n)) {
      expect(n.index).toBe(s.index + 1);
      expect(n.date > s.date).toBe(true);
      expect(n.preOpen).toBeGreaterThan(s.postClose);
      expect(xnys.sessionOn(n.date)).toBe(n);
      s = n;
      count += 1;
    }
    // 261 weekdays a year less 11 closures in 2025 (Carter), 10 in 2026 and in 2027.
    expect(count).toBe(250 + 251 + 251);
  });
});

describe('endsWeek', () => {
  it.each([
    ['2026-01-16', true], // Friday
    ['2026-01-15', false],
    ['2026-04-02', true], // Thursday before Good Friday
    ['2026-07-02', true], // Thursday before the July 3 closure
    ['2026-11-25', false], // Wednesday: the Friday half day still trades
    ['2026-11-27', true],
    ['2026-12-31', true], // New Year's Day closes the Friday
    ['2026-01-20', false], // Tuesday after MLK Day
  ])('%s -> %s', (date, ends) => {
    expect(xnys.endsWeek(on(date))).toBe(ends);
  });
});

describe('tradingMsBetween', () => {
  it.each([
    // from, to, hours of regular trading in (from, to]
    ['2026-01-16T20:00:00.000Z', '2026-01-20T15:30:00.000Z', 2], // Fri 15:00 ET to Tue 10:30 ET over a weekend and MLK Day
    ['2026-11-25T20:00:00.000Z', '2026-11-28T01:00:00.000Z', 4.5], // Wed 15:00 ET through the half day
    ['2026-01-16T14:30:00.000Z', '2026-01-16T21:00:00.000Z', 6.5], // one whole session
    ['2026-01-16T14:30:00.000Z', '2026-01-16T14:30:00.000Z', 0],
    ['2026-01-17T00:00:00.000Z', '2026-01-19T23:00:00.000Z', 0], // closed throughout
    ['2026-03-06T20:00:00.000Z', '2026-03-09T14:30:00.000Z', 2], // across the DST change
    ['2024-12-31T20:00:00.000Z', '2025-01-02T15:30:00.000Z', 2], // across a year boundary
  ])('%s to %s: %f h', (from, to, hours) => {
    expect(xnys.tradingMsBetween(at(from), at(to))).toBe(hours * HOUR);
  });

  it('sums to 6.5 h per full session and 3.5 h per half day over a year', () => {
    let expected = 0;
    for (let s: Session | null = on('2026-01-02'); s !== null && s.date < '2027'; s = xnys.next(s)) expected += s.early ? 3.5 * HOUR : 6.5 * HOUR;
    expect(xnys.tradingMsBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toBe(expected);
    expect(expected).toBe((249 * 6.5 + 2 * 3.5) * HOUR);
  });

  it('rejects a reversed interval', () => {
    expect(() => xnys.tradingMsBetween(2, 1)).toThrow(CalendarError);
  });
});
