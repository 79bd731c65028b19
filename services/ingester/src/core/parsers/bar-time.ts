import { getCalendar, newYorkClock, type Session } from '@rotation/calendar';

/**
 * When a bar's price is known, which is when it is stamped: a daily bar at its session's close
 * (from the exchange calendar, so 13:00 ET on half days), an intraday bar at its end. Files
 * stamp bars at their start (Alpaca, yfinance) or only by date (Yahoo, Stooq); publishing a
 * close at the start of its bar would hand the detector a price before it existed.
 */
const XNYS = getCalendar('XNYS');

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Stamp = { ok: true; ts: number } | { ok: false; message: string };

/** A bar length as Alpaca spells it: `1Day`, or minutes / hours (`1Min`, `5Min`, `1Hour`). */
export type Timeframe = { kind: 'day' } | { kind: 'intraday'; ms: number };

/** Intraday bars of files that do not say their length are taken as minute bars. */
export const MINUTE_BARS: Timeframe = { kind: 'intraday', ms: MINUTE_MS };

export function parseTimeframe(text: string): Timeframe | undefined {
  const m = /^(\d{1,4})(min|hour|day)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (n < 1) return undefined;
  // Weekly and monthly bars close on a session the file does not name: not guessed.
  if (unit === 'day') return n === 1 ? { kind: 'day' } : undefined;
  return { kind: 'intraday', ms: n * (unit === 'hour' ? 60 : 1) * MINUTE_MS };
}

export function isIsoDate(date: string): boolean {
  const m = ISO_DATE.exec(date);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2024-02-30 over into March: a round trip catches it.
  return new Date(t).toISOString().slice(0, 10) === date;
}

/** The XNYS session of a daily bar's date, or why there is none. */
export function sessionOfDate(date: string): { ok: true; session: Session } | { ok: false; message: string } {
  if (!isIsoDate(date)) return { ok: false, message: `"${date.slice(0, 40)}" is not a calendar date YYYY-MM-DD` };
  const year = Number(date.slice(0, 4));
  if (year < XNYS.firstYear || year > XNYS.lastYear) return { ok: false, message: `${date} is outside the XNYS calendar (${XNYS.firstYear}-${XNYS.lastYear})` };
  const session = XNYS.sessionOn(date);
  if (!session) return { ok: false, message: `${date} has no XNYS session (weekend or holiday): a daily bar is stamped at its session's close` };
  return { ok: true, session };
}

/** A daily bar of `date` is known at that session's close (13:00 ET on an early close). */
export function dailyBarClose(date: string): Stamp {
  const s = sessionOfDate(date);
  return s.ok ? { ok: true, ts: s.session.close } : s;
}

/** New York wall time of an instant: date YYYY-MM-DD and milliseconds since local midnight. */
export function newYorkTime(ts: number): { date: string; msOfDay: number } {
  const c = newYorkClock(ts);
  const msOfDay = ((Number(c.hour) * 60 + Number(c.minute)) * 60 + Number(c.second)) * 1000 + (((ts % 1000) + 1000) % 1000);
  return { date: `${c.year}-${c.month}-${c.day}`, msOfDay };
}

/**
 * 00:00 New York at the start of `date` (a valid YYYY-MM-DD): after every print of the day
 * before (post-market ends 20:00 ET), before any print of the day. US clocks change at 02:00,
 * so local midnight always exists and is unique.
 */
export function newYorkMidnight(date: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // New York is 4 or 5 hours behind UTC; the guess at -5 h reads 00:00 (EST) or 01:00 (EDT).
  const guess = utcMidnight + 5 * 3_600_000;
  return newYorkTime(guess).msOfDay === 0 ? guess : guess - 3_600_000;
}

/**
 * The trading date a daily bar stamped at its start stands for: Alpaca stamps midnight New
 * York (05:00Z in winter, 04:00Z in summer); some exports and mocks midnight UTC. Undefined
 * when `t` is neither, i.e. not the start of a day.
 */
export function dailyBarDate(t: number): string | undefined {
  const ofDay = ((t % DAY_MS) + DAY_MS) % DAY_MS;
  if (ofDay === 0) return new Date(t).toISOString().slice(0, 10);
  // New York midnight is 04:00Z or 05:00Z: anything else is not one, without asking the time-zone database.
  if (ofDay !== 4 * 3_600_000 && ofDay !== 5 * 3_600_000) return undefined;
  const ny = newYorkTime(t);
  return ny.msOfDay === 0 ? ny.date : undefined;
}

/** The UTC offset of New York on a session's date, in minutes (-300 EST, -240 EDT). */
export function newYorkOffsetMinutes(session: Session): number {
  const openAsUtc = Date.parse(`${session.date}T09:30:00Z`);
  return (openAsUtc - session.open) / MINUTE_MS;
}
