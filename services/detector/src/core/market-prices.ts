import type { ExchangeCalendar, Session } from '@rotation/calendar';
import { CloseRing } from './close-ring.js';
import { basketReturnPct, returnPct } from './returns.js';
import { closeAtOrBefore } from './session-bars.js';
import type { CompiledSettings } from './settings.js';
import type { SessionBars } from './state.js';
import { minusDays, type WindowSpec } from './windows.js';

/** Where "now" is on the market clock when a step is evaluated. */
export interface MarketNow {
  /** Step boundary (event time, ms). */
  t: number;
  /** The regular session t falls in: open < t <= close. */
  session: Session;
  /** In-session steps evaluated so far, this one included: the clock of intraday windows. */
  tradingStep: number;
}

/** 09:30 in ms after New York midnight: sessions open then, so t - open + this is t's New York time of day. */
const OPEN_TIME_OF_DAY = 9.5 * 3_600_000;

/**
 * Prices of every symbol on the market clock: the latest regular-session price, the closes of
 * the last in-session steps (intraday windows) and the session bars (session and calendar
 * windows). Answers r_w for any window at the step being evaluated.
 */
export class MarketPrices {
  readonly #s: CompiledSettings;
  readonly #cal: ExchangeCalendar;
  readonly rings = new Map<string, CloseRing>();
  /**
   * Symbols in quarantine (a split-like jump with no known action): they have no price for
   * the analytics, so no return, spread, rank or RRG point of theirs can alert anyone.
   */
  readonly held = new Set<string>();
  /** Per (session, days): the reference sessions of a calendar window; see #calendarRef. */
  readonly #calendarRefs = new Map<string, { sameTime: Session | null; before: Session | null }>();

  constructor(settings: CompiledSettings, tradingStep: number | null, closes: Record<string, number[]>) {
    this.#s = settings;
    this.#cal = settings.calendar;
    for (const sym of settings.symbols) this.rings.set(sym, CloseRing.restore(settings.ringLength, tradingStep, closes[sym] ?? []));
  }

  /** The latest regular-session price, NaN before the first and while the symbol is held. */
  latest(symbol: string): number {
    return this.held.has(symbol) ? NaN : this.raw(symbol);
  }

  /** The latest regular-session price whatever the quarantine: what a session bar records. */
  raw(symbol: string): number {
    return this.rings.get(symbol)?.latest() ?? NaN;
  }

  members(id: string): string[] {
    return this.#s.baskets.get(id) ?? [id];
  }

  /** r_w in percent at `now` for a symbol or a basket; null while either price is unknown. */
  returnPct(id: string, w: WindowSpec, now: MarketNow, bars: SessionBars): number | null {
    const members = this.#s.baskets.get(id);
    if (members) return basketReturnPct(members.map((m) => this.returnPct(m, w, now, bars)));
    const ring = this.rings.get(id);
    if (!ring || this.held.has(id)) return null;
    const price = ring.latest();
    if (w.kind === 'intraday') return returnPct(price, ring.at(now.tradingStep - w.steps));
    const refIndex = w.kind === 'sessions' ? now.session.index - w.sessions : this.#calendarRef(now, w.days)?.index;
    if (refIndex === undefined) return null;
    return returnPct(price, closeAtOrBefore(bars, id, refIndex));
  }

  /** Change over one session (against the previous session's bar), for breadth. */
  sessionChangePct(symbol: string, session: Session, bars: SessionBars): number | null {
    return returnPct(this.latest(symbol), closeAtOrBefore(bars, symbol, session.index - 1));
  }

  /**
   * The session whose close is the last at or before the same New York wall-clock time `days`
   * calendar days before now. Computed on dates, not by subtracting 24 h multiples, so a
   * week that crosses a daylight-saving change still lands on the same local time.
   */
  #calendarRef(now: MarketNow, days: number): Session | null {
    const key = `${now.session.index}|${days}`;
    let refs = this.#calendarRefs.get(key);
    if (!refs) {
      const date = minusDays(now.session.date, days);
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      // UTC midnight of that date is 19:00 or 20:00 New York time the day before: after that day's close.
      refs = { sameTime: this.#cal.sessionOn(date), before: this.#cal.lastCloseAtOrBefore(Date.UTC(y, m - 1, d)) };
      if (this.#calendarRefs.size > 256) this.#calendarRefs.clear();
      this.#calendarRefs.set(key, refs);
    }
    const same = refs.sameTime;
    if (same !== null) {
      const timeOfDay = now.t - now.session.open + OPEN_TIME_OF_DAY;
      const closeTimeOfDay = same.close - same.open + OPEN_TIME_OF_DAY;
      if (timeOfDay >= closeTimeOfDay) return same;
    }
    return refs.before;
  }
}
