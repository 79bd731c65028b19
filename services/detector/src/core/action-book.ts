import type { Session } from '@rotation/calendar';
import type { CorporateAction } from '@rotation/schemas';
import {
  actionFactor,
  actionKey,
  closeBefore,
  pendingAction,
  ratioMatches,
  rememberApplied,
  restateHistory,
  splitLikeRatio,
  type HistoryCut,
  type OperatorNotice,
} from './corporate-actions.js';
import type { MarketPrices } from './market-prices.js';
import type { CompiledSettings } from './settings.js';
import type { CoreState, PendingAction } from './state.js';

const pct = (x: number) => `${((x - 1) * 100).toFixed(2)} %`;

/**
 * Corporate actions and the split guard, on the detector's state. An action that arrives
 * before its ex-date waits and is applied at the ex-date session's first step, before any
 * price of that session is compared with the one before; one that arrives later restates the
 * history before its ex-date at once (and releases a quarantine its split had caused). A jump
 * of a split-like ratio with no known action holds the symbol until an action explains it or
 * `holdSessions` closes pass. Everything is decided in event time, so replays agree.
 */
export class ActionBook {
  readonly #s: CompiledSettings;
  readonly #state: () => CoreState;
  readonly #prices: MarketPrices;
  #notices: OperatorNotice[] = [];

  constructor(settings: CompiledSettings, state: () => CoreState, prices: MarketPrices) {
    this.#s = settings;
    this.#state = state;
    this.#prices = prices;
    for (const sym of Object.keys(state().quarantine)) prices.held.add(sym);
  }

  takeNotices(): OperatorNotice[] {
    const out = this.#notices;
    this.#notices = [];
    return out;
  }

  #notice(kind: OperatorNotice['kind'], symbol: string, t: number, message: string): void {
    this.#notices.push({ kind, symbol, t, message });
  }

  /** The session an action takes effect at: its ex-date's, or the first after it when that is no trading day. */
  exSession(exDate: string): Session | null {
    const [y, m, d] = exDate.split('-').map(Number) as [number, number, number];
    // UTC midnight of the date is the evening before in New York: the next close is the ex-date's session or the first after.
    return this.#s.calendar.sessionOn(exDate) ?? this.#s.calendar.nextCloseAfter(Date.UTC(y, m - 1, d));
  }

  /** Takes one action record; returns a message when it cannot be placed on the calendar. */
  offer(a: CorporateAction): string | null {
    const st = this.#state();
    const key = actionKey(a);
    if (st.actions.applied.includes(key) || st.actions.pending.some((p) => p.key === key)) return null;
    const ex = this.exSession(a.exDate);
    if (ex === null) return `ex-date ${a.exDate} is outside the ${this.#s.calendar.name} calendar`;
    const begun = st.step !== null && st.step * this.#s.stepMs > ex.open;
    if (!begun) {
      st.actions.pending.push(pendingAction(a));
      return null;
    }
    this.#late(pendingAction(a), ex);
    return null;
  }

  /** An action whose ex-date session has begun: restate what came before it, now. */
  #late(p: PendingAction, ex: Session): void {
    const st = this.#state();
    const t = st.evaluatedAt ?? ex.open;
    rememberApplied(st, p.key);
    const q = st.quarantine[p.symbol];
    if (q && p.ratio !== undefined && ratioMatches(q.ratio, p.ratio, this.#s.splitGuard.tolerancePct)) {
      this.#restate(p, { tradingStep: q.tradingStep, sessionIndex: q.sessionIndex }, ex);
      this.#release(p.symbol);
      this.#notice('quarantine_resolved', p.symbol, t, `${p.symbol}: ${p.action} ${p.ratio} (ex ${p.exDate}) explains the ${pct(q.move)} jump; history restated, quarantine lifted`);
      return;
    }
    if (st.firstSession !== null && ex.index <= st.firstSession) return; // no kept price predates it
    const cut = { tradingStep: this.#firstStepOf(ex), sessionIndex: ex.index };
    if (this.#restate(p, cut, ex)) this.#notice('action_late', p.symbol, t, `${p.symbol}: ${p.action} (ex ${p.exDate}) arrived after its ex-date; history before it restated late`);
  }

  /** Trading step of the first evaluated step of a session that has begun. */
  #firstStepOf(ex: Session): number {
    const st = this.#state();
    const elapsed = this.#s.calendar.tradingMsBetween(ex.open, Math.max(ex.open, st.evaluatedAt ?? ex.open));
    return (st.tradingStep ?? 0) - elapsed / this.#s.stepMs + 1;
  }

  #restate(p: PendingAction, cut: HistoryCut, ex: Session): boolean {
    const st = this.#state();
    const f = actionFactor(p, this.#s, closeBefore(st, this.#prices, p.symbol, ex.index));
    if (f.factor === null) {
      this.#notice('action_not_applied', p.symbol, st.evaluatedAt ?? ex.open, `${p.symbol}: ${p.action} (ex ${p.exDate}) not applied: ${f.why}`);
      return false;
    }
    restateHistory(this.#s, st, this.#prices, p.symbol, f.factor, cut);
    st.counters.actionsApplied += 1;
    return true;
  }

  /** At a session's first step, before its prices are compared: the actions due by its date. */
  applyDue(session: Session, tradingStep: number): void {
    const st = this.#state();
    if (st.actions.pending.length === 0) return;
    const due = st.actions.pending.filter((p) => p.exDate <= session.date);
    if (due.length === 0) return;
    st.actions.pending = st.actions.pending.filter((p) => p.exDate > session.date);
    for (const p of due) {
      rememberApplied(st, p.key);
      if (this.#restate(p, { tradingStep, sessionIndex: session.index }, session)) {
        this.#notice('action_applied', p.symbol, session.open, `${p.symbol}: ${p.action}${p.ratio !== undefined ? ` ${p.ratio}` : ` ${p.amount}`} applied at the ${session.date} open`);
      }
    }
  }

  /** A symbol's new step close against its previous one: a split-like jump without an action holds it. */
  checkJump(symbol: string, prev: number, close: number, t: number, tradingStep: number, session: Session): void {
    const st = this.#state();
    if (!Number.isFinite(prev) || st.quarantine[symbol] !== undefined) return;
    const move = close / prev;
    const ratio = splitLikeRatio(move, this.#s.splitGuard);
    if (ratio === null) return;
    st.quarantine[symbol] = { since: t, tradingStep, sessionIndex: session.index, move, ratio };
    st.counters.quarantines += 1;
    this.#prices.held.add(symbol);
    this.#notice('quarantine', symbol, t, `${symbol}: price moved ${pct(move)} (${prev} -> ${close}), a ${ratio >= 1 ? `${ratio}-for-1 split` : `1-for-${Math.round(1 / ratio)} reverse split`} ratio, with no known corporate action: analytics held; publish the action (ingest actions) to restate its history`);
  }

  /** At a session's close: quarantines older than holdSessions are let go as real price moves. */
  expire(session: Session, t: number): void {
    const st = this.#state();
    for (const [sym, q] of Object.entries(st.quarantine)) {
      // The jump's own session's close is the first of the holdSessions closes.
      if (session.index - q.sessionIndex + 1 < this.#s.splitGuard.holdSessions) continue;
      this.#release(sym);
      this.#notice('quarantine_expired', sym, t, `${sym}: no corporate action explained the ${pct(q.move)} jump within ${this.#s.splitGuard.holdSessions} sessions; taken as a price move`);
    }
  }

  #release(symbol: string): void {
    delete this.#state().quarantine[symbol];
    this.#prices.held.delete(symbol);
  }
}
