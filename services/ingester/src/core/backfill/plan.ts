import type { ExchangeCalendar, Session } from '@rotation/calendar';
import type { HistoryNeed } from '@rotation/config';
import { newYorkMidnight } from '../parsers/bar-time.js';

/**
 * What a backfill fetches, decided on the exchange calendar before any request: daily bars
 * for the far past, minute bars for the recent sessions (the intraday windows' reach, and a
 * gap at minute resolution), corporate actions for the whole span so history is restated onto
 * one price basis. Every bar is kept by its stamp (daily: the session's close; minute: the
 * minute's end), in the half-open interval (after, cut]: `cut` is where the stream takes over,
 * `after` where the ticks topic already has data.
 */
export interface BackfillPlan {
  /** Event time the stream takes over at: bars stamped at or before it, trades after it. */
  cut: number;
  /** Sessions by date, inclusive; bars stamped in (after, cut]. */
  daily: { from: string; to: string; after: number } | null;
  /** Bars stamped in (from, to], to = cut. */
  minute: { from: number; to: number } | null;
  /** Ex-dates, inclusive. */
  actions: { from: string; to: string } | null;
}

export interface PlanInput {
  calendar: ExchangeCalendar;
  need: HistoryNeed;
  cut: number;
  minuteSessions: number;
  /** Newest event time the topic already holds (see resume.ts); nothing at or before it is fetched. */
  after?: number;
  /** A fixed start (`ingest backfill --from`): New York date; replaces the measures' need. */
  fromDate?: string;
}

const DAY_MS = 86_400_000;

function utcMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** The session `calendarDays` calendar days before `s`'s date, or the last one before that date. */
function sessionDaysBefore(cal: ExchangeCalendar, s: Session, calendarDays: number): Session {
  if (calendarDays === 0) return s;
  // UTC midnight of a date is the evening before in New York: after the previous day's close.
  return cal.lastCloseAtOrBefore(utcMidnight(s.date) - (calendarDays - 1) * DAY_MS) ?? s;
}

/** The first session of the daily history: `need.bars` sessions up to `last`, then `calendarDays` more. */
function firstDailySession(cal: ExchangeCalendar, last: Session, need: HistoryNeed, fromDate?: string): Session {
  if (fromDate !== undefined) return cal.nextCloseAfter(utcMidnight(fromDate)) ?? last;
  const barsBack = cal.byIndex(Math.max(0, last.index - (need.bars - 1))) ?? last;
  return sessionDaysBefore(cal, barsBack, need.calendarDays);
}

/** Sessions that have begun by `cut` (their pre-market started), newest first, until `count` and `intradayMs` of trading time are covered. */
function minuteSessionsBefore(cal: ExchangeCalendar, cut: number, count: number, intradayMs: number): Session | null {
  let s = cal.sessionAtOrBefore(cut + 1);
  if (s === null) return null;
  // A session whose regular open is still ahead has begun if its pre-market has.
  const next = cal.next(s);
  if (next && next.preOpen < cut) s = next;
  let taken = 1;
  while (taken < count || cal.tradingMsBetween(Math.min(s.open, cut), cut) < intradayMs) {
    const prev = cal.prev(s);
    if (prev === null) break;
    s = prev;
    taken += 1;
  }
  return s;
}

export function planBackfill(i: PlanInput): BackfillPlan {
  const { calendar: cal, cut } = i;
  const after = i.after ?? -Infinity;
  const none: BackfillPlan = { cut, daily: null, minute: null, actions: null };
  if (after >= cut) return none;
  const last = cal.lastCloseAtOrBefore(cut);
  let daily: BackfillPlan['daily'] = null;
  let first: Session | null = null;
  if (last !== null) {
    first = firstDailySession(cal, last, i.need, i.fromDate);
    // Nothing the topic has: start at the first session closing after it.
    if (first.close <= after) first = cal.nextCloseAfter(after);
    if (first !== null && first.index <= last.index) daily = { from: first.date, to: last.date, after };
  }
  const oldest = minuteSessionsBefore(cal, cut, i.minuteSessions, i.need.intradayMs);
  let minute: BackfillPlan['minute'] = null;
  if (oldest !== null) {
    // A resume point inside a minute keeps that minute's bar: its close is the minute's last trade.
    const from = Math.max(oldest.preOpen, after, i.fromDate !== undefined ? newYorkMidnight(i.fromDate) : -Infinity);
    if (from < cut) minute = { from, to: cut };
  }
  const starts = [daily ? daily.from : undefined, minute ? newYorkDate(cal, minute.from) : undefined].filter((d): d is string => d !== undefined);
  const actions = starts.length === 0 ? null : { from: starts.sort()[0]!, to: newYorkDate(cal, cut) };
  return { cut, daily, minute, actions };
}

/** New York date of an instant, from the calendar's sessions (the date of the session it belongs to, or the next). */
function newYorkDate(cal: ExchangeCalendar, ts: number): string {
  const s = cal.sessionContaining(ts) ?? cal.nextCloseAfter(ts) ?? cal.lastCloseAtOrBefore(ts);
  return s ? s.date : new Date(ts).toISOString().slice(0, 10);
}
