/**
 * Return windows in market time. A trader's "1d" is the change since the previous session's
 * close and "7 days" reaches back to the last close at or before that instant a week ago;
 * neither is a rolling span of wall-clock time. Intraday windows count trading time only, so
 * a 1h change at 09:45 reaches back into the previous session, not into the night.
 */
export type WindowKind = 'intraday' | 'sessions' | 'calendar';

export interface WindowSpec {
  label: string;
  kind: WindowKind;
  /** intraday: length in evaluation steps of trading time; otherwise 0. */
  steps: number;
  /** sessions: how many sessions back the reference close is; otherwise 0. */
  sessions: number;
  /** calendar: how many New York calendar days back; otherwise 0. */
  days: number;
  /** Length in sessions (fractional for intraday windows): scales margins and dwell. */
  sessionLength: number;
  /** What the window means, for the snapshot and the docs. */
  description: string;
}

/** Regular-session length on a full day: the unit of trading time for intraday windows. */
export const SESSION_MS = 390 * 60_000;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses a window label (see WindowLabel in @rotation/schemas); throws a plain Error on bad input. */
export function parseWindow(label: string, stepMs: number): WindowSpec {
  const m = /^([1-9][0-9]*)(s|m|h|d|w|sess)$/.exec(label);
  if (!m) throw new Error(`${label} is not a window label (5m, 1h, 1d, 7d, 5sess)`);
  const n = Number(m[1]);
  const unit = m[2]!;
  const base = { label, steps: 0, sessions: 0, days: 0 };
  if (unit === 's' || unit === 'm' || unit === 'h') {
    const ms = n * UNIT_MS[unit];
    if (ms % stepMs !== 0) throw new Error(`${label} is not a multiple of the evaluation step (${stepMs} ms)`);
    return { ...base, kind: 'intraday', steps: ms / stepMs, sessionLength: ms / SESSION_MS, description: `last ${label} of trading time (regular sessions only)` };
  }
  if (unit === 'sess' || (unit === 'd' && n === 1)) {
    const text = n === 1 ? 'since the previous session’s close' : `since the close ${n} sessions back`;
    return { ...base, kind: 'sessions', sessions: n, sessionLength: n, description: text };
  }
  const days = unit === 'w' ? 7 * n : n;
  return {
    ...base,
    kind: 'calendar',
    days,
    // Five sessions in seven days, on average, ignoring holidays.
    sessionLength: (days * 5) / 7,
    description: `since the last close at or before the same New York time ${days} calendar days earlier`,
  };
}

/** Session bars a window needs to reach its reference close, with one spare for a missing bar. */
export function barsNeeded(w: WindowSpec): number {
  if (w.kind === 'sessions') return w.sessions + 2;
  if (w.kind === 'calendar') return w.days + 2;
  return 0;
}

/** YYYY-MM-DD minus `days` calendar days (dates only: no time zone involved). */
export function minusDays(date: string, days: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d - days)).toISOString().slice(0, 10);
}
