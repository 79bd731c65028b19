/**
 * Proleptic Gregorian dates as epoch day numbers (days since 1970-01-01). Everything here is
 * arithmetic on numbers, so holiday rules can run for a whole century without allocating.
 */

export const DAY_MS = 86_400_000;

/** Weekdays as Date#getUTCDay numbers them. */
export const SUN = 0;
export const MON = 1;
export const THU = 4;
export const FRI = 5;
export const SAT = 6;

/** Epoch day of a civil date; month is 1-12. */
export function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function weekdayOf(epochDay: number): number {
  // 1970-01-01 was a Thursday; the double modulo keeps days before 1970 non-negative.
  return (((epochDay + THU) % 7) + 7) % 7;
}

/** The nth (1-based) given weekday of a month. */
export function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = dayOf(year, month, 1);
  return first + ((weekday - weekdayOf(first) + 7) % 7) + (n - 1) * 7;
}

/** The last given weekday of a month. */
export function lastWeekday(year: number, month: number, weekday: number): number {
  const last = dayOf(year, month + 1, 0);
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** Easter Sunday (anonymous Gregorian computus, Meeus/Jones/Butcher). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, day);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function isoDate(epochDay: number): string {
  const d = new Date(epochDay * DAY_MS);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch day of a YYYY-MM-DD string, or NaN when it is not a real date in that form. */
export function parseIsoDate(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const epochDay = dayOf(year, month, day);
  // Date.UTC rolls 2026-02-30 over into March: a round trip catches it.
  return isoDate(epochDay) === date ? epochDay : NaN;
}

/** Monday of the ISO week (Mon-Sun) holding the day. */
export function isoWeekStart(epochDay: number): number {
  return epochDay - ((weekdayOf(epochDay) + 6) % 7);
}
