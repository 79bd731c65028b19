import { describe, expect, it } from 'vitest';
import { getCalendar } from './registry.js';

const xnys = getCalendar('XNYS');

/** Weekdays of a year with no session, and sessions that close early, as MM-DD lists. */
function yearFacts(year: number): { closed: string[]; early: string[] } {
  const closed: string[] = [];
  const early: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    const weekday = new Date(t).getUTCDay();
    const s = xnys.sessionOn(date);
    if (s === null && weekday !== 0 && weekday !== 6) closed.push(date.slice(5));
    if (s?.early) early.push(date.slice(5));
  }
  return { closed, early };
}

// NYSE Group's holiday and early-closings announcements (2021-12-27, 2024-11-08, 2025-12-23).
const PUBLISHED: [year: number, holidays: string[], earlyCloses: string[]][] = [
  [2023, ['01-02', '01-16', '02-20', '04-07', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'], ['07-03', '11-24']],
  [2024, ['01-01', '01-15', '02-19', '03-29', '05-27', '06-19', '07-04', '09-02', '11-28', '12-25'], ['07-03', '11-29', '12-24']],
  // 01-09: national day of mourning for Jimmy Carter, announced 2024-12-30.
  [2025, ['01-01', '01-09', '01-20', '02-17', '04-18', '05-26', '06-19', '07-04', '09-01', '11-27', '12-25'], ['07-03', '11-28', '12-24']],
  [2026, ['01-01', '01-19', '02-16', '04-03', '05-25', '06-19', '07-03', '09-07', '11-26', '12-25'], ['11-27', '12-24']],
  [2027, ['01-01', '01-18', '02-15', '03-26', '05-31', '06-18', '07-05', '09-06', '11-25', '12-24'], ['11-26']],
  // No New Year's holiday: January 1, 2028 is a Saturday.
  [2028, ['01-17', '02-21', '04-14', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'], ['07-03', '11-24']],
];

describe('XNYS against the NYSE published calendars', () => {
  it.each(PUBLISHED)('%i', (year, holidays, earlyCloses) => {
    expect(yearFacts(year)).toEqual({ closed: holidays, early: earlyCloses });
  });
});

/**
 * The reference's sessions for 2000-2022 (exchange_calendars tests/resources/xnys.csv: the
 * weekdays it has no session for, and the sessions closing at 13:00 ET); 2023-2028 as
 * published by the NYSE; 2029-2030 worked by hand from the rule book.
 */
const REFERENCE: [year: number, holidays: string, earlyCloses: string][] = [
  [2000, '01-17 02-21 04-21 05-29 07-04 09-04 11-23 12-25', '07-03 11-24'],
  [2001, '01-01 01-15 02-19 04-13 05-28 07-04 09-03 09-11 09-12 09-13 09-14 11-22 12-25', '07-03 11-23 12-24'],
  [2002, '01-01 01-21 02-18 03-29 05-27 07-04 09-02 11-28 12-25', '07-05 11-29 12-24'],
  [2003, '01-01 01-20 02-17 04-18 05-26 07-04 09-01 11-27 12-25', '07-03 11-28 12-24 12-26'],
  [2004, '01-01 01-19 02-16 04-09 05-31 06-11 07-05 09-06 11-25 12-24', '11-26'],
  [2005, '01-17 02-21 03-25 05-30 07-04 09-05 11-24 12-26', '11-25'],
  [2006, '01-02 01-16 02-20 04-14 05-29 07-04 09-04 11-23 12-25', '07-03 11-24'],
  [2007, '01-01 01-02 01-15 02-19 04-06 05-28 07-04 09-03 11-22 12-25', '07-03 11-23 12-24'],
  [2008, '01-01 01-21 02-18 03-21 05-26 07-04 09-01 11-27 12-25', '07-03 11-28 12-24'],
  [2009, '01-01 01-19 02-16 04-10 05-25 07-03 09-07 11-26 12-25', '11-27 12-24'],
  [2010, '01-01 01-18 02-15 04-02 05-31 07-05 09-06 11-25 12-24', '11-26'],
  [2011, '01-17 02-21 04-22 05-30 07-04 09-05 11-24 12-26', '11-25'],
  [2012, '01-02 01-16 02-20 04-06 05-28 07-04 09-03 10-29 10-30 11-22 12-25', '07-03 11-23 12-24'],
  [2013, '01-01 01-21 02-18 03-29 05-27 07-04 09-02 11-28 12-25', '07-03 11-29 12-24'],
  [2014, '01-01 01-20 02-17 04-18 05-26 07-04 09-01 11-27 12-25', '07-03 11-28 12-24'],
  [2015, '01-01 01-19 02-16 04-03 05-25 07-03 09-07 11-26 12-25', '11-27 12-24'],
  [2016, '01-01 01-18 02-15 03-25 05-30 07-04 09-05 11-24 12-26', '11-25'],
  [2017, '01-02 01-16 02-20 04-14 05-29 07-04 09-04 11-23 12-25', '07-03 11-24'],
  [2018, '01-01 01-15 02-19 03-30 05-28 07-04 09-03 11-22 12-05 12-25', '07-03 11-23 12-24'],
  [2019, '01-01 01-21 02-18 04-19 05-27 07-04 09-02 11-28 12-25', '07-03 11-29 12-24'],
  [2020, '01-01 01-20 02-17 04-10 05-25 07-03 09-07 11-26 12-25', '11-27 12-24'],
  [2021, '01-01 01-18 02-15 04-02 05-31 07-05 09-06 11-25 12-24', '11-26'],
  [2022, '01-17 02-21 04-15 05-30 06-20 07-04 09-05 11-24 12-26', '11-25'],
  [2023, '01-02 01-16 02-20 04-07 05-29 06-19 07-04 09-04 11-23 12-25', '07-03 11-24'],
  [2024, '01-01 01-15 02-19 03-29 05-27 06-19 07-04 09-02 11-28 12-25', '07-03 11-29 12-24'],
  [2025, '01-01 01-09 01-20 02-17 04-18 05-26 06-19 07-04 09-01 11-27 12-25', '07-03 11-28 12-24'],
  [2026, '01-01 01-19 02-16 04-03 05-25 06-19 07-03 09-07 11-26 12-25', '11-27 12-24'],
  [2027, '01-01 01-18 02-15 03-26 05-31 06-18 07-05 09-06 11-25 12-24', '11-26'],
  [2028, '01-17 02-21 04-14 05-29 06-19 07-04 09-04 11-23 12-25', '07-03 11-24'],
  [2029, '01-01 01-15 02-19 03-30 05-28 06-19 07-04 09-03 11-22 12-25', '07-03 11-23 12-24'],
  [2030, '01-01 01-21 02-18 04-19 05-27 06-19 07-04 09-02 11-28 12-25', '07-03 11-29 12-24'],
];

describe('XNYS sweep 2000-2030 against the reference', () => {
  it('covers every year', () => {
    expect(REFERENCE.map(([y]) => y)).toEqual(Array.from({ length: 31 }, (_, i) => 2000 + i));
  });

  it.each(REFERENCE)('%i', (year, holidays, earlyCloses) => {
    expect(yearFacts(year)).toEqual({ closed: holidays.split(' '), early: earlyCloses.split(' ') });
  });
});

describe('XNYS exceptions and edge rules', () => {
  it.each([
    ['2001-09-11', 'September 11'],
    ['2001-09-12', 'September 11'],
    ['2001-09-13', 'September 11'],
    ['2001-09-14', 'September 11'],
    ['2004-06-11', 'Ronald Reagan'],
    ['2007-01-02', 'Gerald Ford'],
    ['2012-10-29', 'Hurricane Sandy'],
    ['2012-10-30', 'Hurricane Sandy'],
    ['2018-12-05', 'George H. W. Bush'],
    ['2025-01-09', 'Jimmy Carter'],
    ['1994-04-27', 'Richard Nixon'],
  ])('unscheduled closure %s (%s)', (date) => {
    expect(xnys.sessionOn(date)).toBeNull();
  });

  it.each([
    // date, open?, early?, why
    ['2001-09-17', true, false, 'reopened after September 11'],
    ['2002-07-05', true, true, 'Thursday July 4 before 2013: Friday was the half day'],
    ['2002-07-03', true, false, '...and the Wednesday before was a full day'],
    ['2013-07-03', true, true, 'from 2013 the Wednesday before a Thursday July 4'],
    ['2013-07-05', true, false, '...and the Friday after is a full day'],
    ['2019-07-03', true, true, 'Wednesday before a Thursday July 4'],
    ['2003-12-26', true, true, 'Friday after a Thursday Christmas, 2003: half day'],
    ['2008-12-26', true, false, 'Friday after a Thursday Christmas, 2008: full day'],
    ['2014-12-26', true, false, 'Friday after a Thursday Christmas, 2014: full day'],
    ['2025-12-26', true, false, 'Friday after a Thursday Christmas, 2025: full day'],
    ['2004-12-24', false, false, 'Christmas on a Saturday closes Friday the 24th'],
    ['2004-12-31', true, false, "New Year's Day 2005 on a Saturday: December 31 open"],
    ['2010-12-31', true, false, "New Year's Day 2011 on a Saturday: December 31 open"],
    ['2021-12-31', true, false, "New Year's Day 2022 on a Saturday: December 31 open"],
    ['2027-12-31', true, false, "New Year's Day 2028 on a Saturday: December 31 open"],
    ['2017-01-02', false, false, "New Year's Day on a Sunday closes Monday"],
    ['2022-06-20', false, false, 'Juneteenth on a Sunday closes Monday'],
    ['2021-06-18', true, false, 'no Juneteenth closure before 2022'],
    ['2027-06-18', false, false, 'Juneteenth on a Saturday closes Friday'],
    ['2026-07-02', true, false, 'July 3 observed as the holiday: no half day before it'],
    ['2021-07-02', true, false, 'July 5 observed as the holiday: no half day before it'],
    ['2022-07-01', true, false, 'Monday July 4: no half day on the Friday'],
    ['1997-01-20', true, false, 'MLK Day is a closure only from 1998'],
    ['1998-01-19', false, false, 'first MLK Day closure'],
  ] as const)('%s open=%s early=%s: %s', (date, open, early, _why) => {
    const s = xnys.sessionOn(date);
    expect(s !== null).toBe(open);
    if (s !== null) expect(s.early).toBe(early);
  });

  it('closes early days at 13:00 ET with the late session to 17:00 ET, and 14:00 ET before 1993', () => {
    const half = xnys.sessionOn('2024-12-24')!;
    expect(new Date(half.close).toISOString()).toBe('2024-12-24T18:00:00.000Z');
    expect(new Date(half.postClose).toISOString()).toBe('2024-12-24T22:00:00.000Z');
    const old = xnys.sessionOn('1992-11-27')!;
    expect(old.early).toBe(true);
    expect(new Date(old.close).toISOString()).toBe('1992-11-27T19:00:00.000Z');
  });
});
