/**
 * The market clock the page shows: the event time of the data (the detector snapshot's asOf),
 * in New York time with its date, and where that instant stands in the exchange's calendar.
 * Derived from @rotation/calendar, never from the viewer's wall clock: a replay of 2024 reads
 * 2024, and a session state is what the calendar says of the data's instant.
 */
import { getCalendar, type ExchangeCalendar } from '@rotation/calendar';
import { MISSING } from './format.js';

export type SessionState = 'pre' | 'open' | 'at_close' | 'post' | 'closed';

export interface MarketClock {
  /** "Fri 2024-03-08 15:59 ET", or MISSING before the first snapshot. */
  time: string;
  state: SessionState | null;
  /** "Open", "Pre-market", "At the close", "Post-market", "Closed". */
  label: string;
  /** "closes 16:00 ET", "early close 13:00 ET", "next open Mon 2024-03-11 09:30 ET". */
  detail: string;
}

const NY = 'America/New_York';
const dateParts = new Intl.DateTimeFormat('en-US', { timeZone: NY, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function parts(ms: number): Record<string, string> {
  return Object.fromEntries(dateParts.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** "Fri 2024-03-08 15:59 ET": the New York wall clock, with weekday and date. */
export function formatNewYork(ms: number): string {
  if (!Number.isFinite(ms)) return MISSING;
  const p = parts(ms);
  return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ET`;
}

/** "15:59" in New York, for chart ticks; with the date ("03-08 15:59") when `withDate`. */
export function formatNewYorkShort(ms: number, withDate: boolean): string {
  const p = parts(ms);
  return withDate ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.hour}:${p.minute}`;
}

const LABEL: Record<SessionState, string> = { pre: 'Pre-market', open: 'Open', at_close: 'At the close', post: 'Post-market', closed: 'Closed' };

const timeOf = (ms: number) => formatNewYork(ms).split(' ')[2];

/** Where `asOf` (ISO) stands in the calendar; a null asOf is "waiting". */
export function marketClock(asOf: string | null, calendar: ExchangeCalendar = getCalendar('XNYS')): MarketClock {
  const t = asOf === null ? NaN : Date.parse(asOf);
  if (!Number.isFinite(t)) return { time: MISSING, state: null, label: 'Waiting for data', detail: '' };
  const phase = calendar.phaseAt(t);
  const session = calendar.sessionContaining(t);
  // The regular session is (open, close]: its last instant is the close itself, when the
  // session is over and the data stand at the closing prices.
  const state: SessionState = phase === 'regular' ? (session && t === session.close ? 'at_close' : 'open') : phase;
  const early = session?.early ? `early close ${timeOf(session.close)} ET` : '';
  let detail = '';
  if (state === 'open' || state === 'pre') detail = early || `closes ${timeOf(session!.close)} ET`;
  else {
    const next = calendar.nextCloseAfter(t);
    const opensLater = next && next.open > t ? `next open ${formatNewYork(next.open).replace(' ET', '')} ET` : '';
    detail = [early, opensLater].filter(Boolean).join(' · ');
  }
  return { time: formatNewYork(t), state, label: LABEL[state], detail };
}
