import { parseTimestamp } from '../timestamp.js';
import { dailyBarClose, dailyBarDate, newYorkTime, type Timeframe } from './bar-time.js';
import type { Decoded } from './decoded.js';

/** One bar as any source has it: its start time as the source wrote it, close price and volume. */
export interface BarFields {
  symbol: string;
  /** Bar start: RFC 3339 or epoch ms; the normaliser names anything unreadable. */
  t: unknown;
  close: unknown;
  volume: unknown;
  /** JSON path or position, for a rejection's message. */
  path: string;
  text: string;
}

/**
 * A bar's quote at its close, for files and REST pages alike: a daily bar at its session's
 * close (13:00 ET on a half day), an intraday bar at its end. A close stamped at the bar's
 * start would hand the detector a price before it existed.
 */
export function barQuote(b: BarFields, timeframe: Timeframe, seq: number): Decoded {
  const quote = (ts: unknown): Decoded => ({ kind: 'quote', raw: { symbol: b.symbol, price: b.close, size: b.volume, ts }, seq, text: b.text });
  const t = parseTimestamp(b.t);
  // An unreadable time goes on as it is: the normaliser names the problem.
  if (!t.ok) return quote(b.t);
  // Bars start on whole minutes: sub-millisecond digits, if any, say nothing.
  if (timeframe.kind === 'intraday') return quote(t.ts + timeframe.ms);
  const date = dailyBarDate(t.ts) ?? newYorkTime(t.ts).date;
  const close = dailyBarClose(date);
  if (!close.ok) return { kind: 'reject', reason: 'invalid_tick', message: `${b.path}: t ${String(b.t)}: ${close.message}`, seq, text: b.text };
  return quote(close.ts);
}
