import type { ExchangeCalendar } from '@rotation/calendar';
import type { Decoded } from '../parsers/decoded.js';
import type { RawEvent } from '../source.js';

/**
 * Fetched history in the order it is published: by event time across every symbol, as a
 * replay of the same bars would be, so that nothing is late against the source's own progress
 * and the detector cannot tell a backfilled close from a streamed one. At one stamp a minute
 * bar goes before the daily bar (the session's official close after the minute's last trade),
 * and a corporate action after both.
 */
export interface HistoryItem {
  symbol: string;
  /** Event time the record is published at. */
  stamp: number;
  rank: 0 | 1 | 2;
  record: Extract<Decoded, { kind: 'quote' } | { kind: 'event' }>;
}

export const RANK = { minute: 0, day: 1, action: 2 } as const;

export function byEventTime(a: HistoryItem, b: HistoryItem): number {
  return a.stamp - b.stamp || a.rank - b.rank || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
}

/** A bar's quote as a history item; undefined for a time the normaliser must judge (it goes on as it is, at the cut). */
export function barItem(d: Extract<Decoded, { kind: 'quote' }>, rank: 0 | 1, cut: number): HistoryItem {
  const ts = d.raw.ts;
  return { symbol: String(d.raw.symbol), stamp: typeof ts === 'number' ? ts : cut, rank, record: d };
}

/**
 * A corporate action inside the history is published where it was known: at the close of the
 * session before its ex-date (splits and dividends are announced well ahead), so the detector
 * applies it at the ex-date's open, exactly as if it had streamed past. Its `ts` is set to that
 * stamp; an action fetched now but stamped now would be applied late, after the history it
 * restates. Undefined when the ex-date is not one the calendar knows (the normaliser rejects it).
 */
export function actionItem(raw: Extract<RawEvent, { type: 'corporate_action' }>, text: string, calendar: ExchangeCalendar): HistoryItem | undefined {
  if (typeof raw.exDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.exDate)) return undefined;
  let ex;
  try {
    ex = calendar.sessionOn(raw.exDate) ?? calendar.nextCloseAfter(Date.parse(`${raw.exDate}T00:00:00Z`));
  } catch {
    return undefined;
  }
  // Before the calendar's first session an ex-date cannot be placed either.
  const prev = ex ? calendar.prev(ex) : null;
  if (!ex || !prev) return undefined;
  const stamp = prev.close;
  return { symbol: String(raw.symbol), stamp, rank: RANK.action, record: { kind: 'event', raw: { ...raw, ts: stamp }, seq: 0, text } };
}

/** What a backfill publishes of its items: stamped after where the topic ends for that symbol, and at or before the cut. */
export function selectHistory(items: HistoryItem[], cut: number, endOf: (symbol: string) => number): HistoryItem[] {
  return items.filter((i) => i.stamp <= cut && i.stamp > endOf(i.symbol)).sort(byEventTime);
}
