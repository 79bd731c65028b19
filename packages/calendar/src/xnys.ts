import { MON, SAT, SUN, THU, dayOf, easterSunday, lastWeekday, nthWeekday, parseIsoDate, weekdayOf } from './civil.js';
import type { ExchangeRules, YearRules } from './rules.js';

/**
 * NYSE (XNYS): the rule book (NYSE Rule 7.2) plus the exchange's own exceptions.
 * Facts checked against NYSE's published holiday calendars (2022-2028), exchange_calendars
 * (XNYS) and pandas_market_calendars (NYSE); where those two disagree the choice is noted.
 */

const EARLY_CLOSE_MIN = 13 * 60;
/** Before 1993 the NYSE's early close was 14:00. */
const EARLY_CLOSE_PRE_1993_MIN = 14 * 60;

/**
 * Days the exchange closed outside its rules. Both references agree on every entry.
 * Deliberately absent: late opens (2001-09-17 09:33, 2002-09-11 12:00) and odd-minute early
 * closes (2005-06-01 15:56), which the Session shape cannot express; a session still opens
 * at 09:30 on those days.
 */
const UNSCHEDULED_CLOSURES = [
  '1994-04-27', // Richard Nixon, national day of mourning
  '2001-09-11', // September 11 attacks: closed Tuesday to Friday
  '2001-09-12',
  '2001-09-13',
  '2001-09-14',
  '2004-06-11', // Ronald Reagan, national day of mourning
  '2007-01-02', // Gerald Ford, national day of mourning
  '2012-10-29', // Hurricane Sandy
  '2012-10-30',
  '2018-12-05', // George H. W. Bush, national day of mourning
  '2025-01-09', // Jimmy Carter, national day of mourning
];

/**
 * Early closes the rules do not produce. The Fridays after a Thursday Christmas were half days
 * in 1997 and 2003 but full days in 2008, 2014 and 2025, so no rule covers them.
 * 1999-12-31 is in exchange_calendars but not in the NYSE closings list pandas_market_calendars
 * follows ("disputed"); kept here so the calendar matches exchange_calendars.
 */
const UNSCHEDULED_EARLY_CLOSES = ['1997-12-26', '1999-12-31', '2003-12-26'];

function byYear(dates: readonly string[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const date of dates) {
    const year = Number(date.slice(0, 4));
    const list = out.get(year) ?? [];
    list.push(parseIsoDate(date));
    out.set(year, list);
  }
  return out;
}

const closuresByYear = byYear(UNSCHEDULED_CLOSURES);
const earlyByYear = byYear(UNSCHEDULED_EARLY_CLOSES);

/** Saturday holidays close the Friday before, Sunday holidays the Monday after. */
function observed(day: number): number {
  const wd = weekdayOf(day);
  return wd === SAT ? day - 1 : wd === SUN ? day + 1 : day;
}

function fullClosures(year: number): number[] {
  const days = [
    // New Year's Day on a Saturday closes nothing: Dec 31 ends the accounting year (Rule 7.2).
    weekdayOf(dayOf(year, 1, 1)) === SAT ? NaN : observed(dayOf(year, 1, 1)),
    year >= 1998 ? nthWeekday(year, 1, MON, 3) : NaN, // MLK Day, observed by the NYSE from 1998
    nthWeekday(year, 2, MON, 3), // Washington's Birthday
    easterSunday(year) - 2, // Good Friday
    lastWeekday(year, 5, MON), // Memorial Day
    year >= 2022 ? observed(dayOf(year, 6, 19)) : NaN, // Juneteenth
    observed(dayOf(year, 7, 4)),
    nthWeekday(year, 9, MON, 1), // Labor Day
    nthWeekday(year, 11, THU, 4), // Thanksgiving
    observed(dayOf(year, 12, 25)),
    ...(closuresByYear.get(year) ?? []),
  ];
  return days.filter((d) => !Number.isNaN(d));
}

/** The half day around Independence Day, if the year has one. */
function independenceEarlyClose(year: number): number {
  // July 3 half days start in 1995; before that the NYSE traded a full day.
  if (year < 1995) return NaN;
  const july4 = dayOf(year, 7, 4);
  const wd = weekdayOf(july4);
  // A Thursday July 4 made Friday July 5 the half day until 2013, then Wednesday July 3.
  if (wd === THU) return year < 2013 ? july4 + 1 : july4 - 1;
  // Saturday: July 3 is itself the closure; Sunday and Monday: the day before is a weekend.
  if (wd === SAT || wd === SUN || wd === MON) return NaN;
  return july4 - 1;
}

function earlyCloses(year: number): number[] {
  const days = [
    independenceEarlyClose(year),
    year >= 1992 ? nthWeekday(year, 11, THU, 4) + 1 : NaN, // day after Thanksgiving, from 1992
    dayOf(year, 12, 24), // Christmas Eve; a Friday one is the Christmas closure and drops out below
    ...(earlyByYear.get(year) ?? []),
  ];
  return days.filter((d) => !Number.isNaN(d));
}

function xnysYear(year: number): YearRules {
  const closed = new Set(fullClosures(year));
  const earlyClose = new Map<number, number>();
  const closeMin = year < 1993 ? EARLY_CLOSE_PRE_1993_MIN : EARLY_CLOSE_MIN;
  for (const day of earlyCloses(year)) {
    const wd = weekdayOf(day);
    if (wd !== SAT && wd !== SUN && !closed.has(day)) earlyClose.set(day, closeMin);
  }
  return { closed, earlyClose };
}

export const XNYS: ExchangeRules = {
  name: 'XNYS',
  timeZone: 'America/New_York',
  // 1990 is where the references' session tables start; 2099 bounds the memory a full sweep can take.
  firstYear: 1990,
  lastYear: 2099,
  preOpenMin: 4 * 60,
  openMin: 9 * 60 + 30,
  closeMin: 16 * 60,
  postCloseMin: 20 * 60,
  // The late (post-market) session ends at 17:00 ET on half days (NYSE holiday notices).
  earlyPostCloseMin: 17 * 60,
  year: xnysYear,
};
