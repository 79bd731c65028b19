export type Phase = 'pre' | 'regular' | 'post' | 'closed';

export interface Session {
  /** New York calendar date of the session, YYYY-MM-DD. */
  date: string;
  /** Sequential number: consecutive sessions differ by exactly 1 (0 is the calendar's first session). */
  index: number;
  /** Epoch ms of the regular open (09:30 ET) and close (16:00 ET, or 13:00 ET on an early close). */
  open: number;
  close: number;
  /** Epoch ms of the pre-market start (04:00 ET) and post-market end (20:00 ET; on early-close days 17:00 ET). */
  preOpen: number;
  postClose: number;
  early: boolean;
}

export interface ExchangeCalendar {
  readonly name: string;
  readonly firstYear: number;
  readonly lastYear: number;
  /**
   * Regular session is the half-open interval (open, close]: a print at exactly 09:30:00.000 is
   * pre-market, one at exactly 16:00:00.000 is regular (daily bars are stamped at the close).
   * Pre is (preOpen, open], post is (close, postClose], everything else 'closed'.
   */
  phaseAt(ts: number): Phase;
  /** The session whose (preOpen, postClose] contains ts, or null. */
  sessionContaining(ts: number): Session | null;
  /** The session on that New York date, or null if the exchange is closed that day. */
  sessionOn(date: string): Session | null;
  /** The latest session with open < ts (in progress at ts, or the last one that has opened). */
  sessionAtOrBefore(ts: number): Session | null;
  /** The latest session with close <= ts, null if none. */
  lastCloseAtOrBefore(ts: number): Session | null;
  /** The first session with close > ts (the current one while it runs), null past the end. */
  nextCloseAfter(ts: number): Session | null;
  byIndex(index: number): Session | null;
  next(s: Session): Session | null;
  prev(s: Session): Session | null;
  /** True when s is the last session of its ISO week (Mon-Sun): the close of a weekly bar. */
  endsWeek(s: Session): boolean;
  /** Milliseconds of regular trading in (a, b], a <= b. */
  tradingMsBetween(a: number, b: number): number;
}
