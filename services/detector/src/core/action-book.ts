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

/** Actions waiting in the state at most: it is rewritten with every commit. */
export const MAX_PENDING_ACTIONS = 1_000;

/**
 * Corporate actions and the split guard, on the detector's state. An action waits until the
 * first step after its `applyAt` (the ex-date session's open when it was published before it,
 * else the source's progress when it was published: both fixed by the record, so every
 * partitioning applies it at the same step), then restates the history before its ex-date
 * session, before that step's prices are compared with earlier ones. An action that explains a
 * quarantined jump restates the history before the jump and releases the symbol. A jump of a
 * split-like ratio with no known action holds the symbol until an action explains it or
 * `holdSessions` closes pass.
 */
export class ActionBook {
  readonly #s: CompiledSettings;
  readonly #state: () => CoreState;
  readonly #prices: MarketPrices;
  #notices: OperatorNotice[] = [];
  #restated = new Set<string>();

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

  /** Symbols whose stored history was restated since the last call: their stored closes must be rewritten. */
  takeRestated(): string[] {
    const out = [...this.#restated];
    this.#restated = new Set();
    return out;
  }

  #notice(kind: OperatorNotice['kind'], symbol: string, t: number, message: string): void {
    this.#notices.push({ kind, symbol, t, message });
  }

  /** The session an action takes effect at: its ex-date's, or the first after it when that is no trading day. */
  exSession(exDate: string): Session | null {
    const [y, m, d] = exDate.split('-').map(Number) as [number, number, number];
    try {
      // UTC midnight of the date is the evening before in New York: the next close is the ex-date's session or the first after.
      return this.#s.calendar.sessionOn(exDate) ?? this.#s.calendar.nextCloseAfter(Date.UTC(y, m - 1, d));
    } catch {
      return null; // outside the calendar's years
    }
  }

  /** Takes one action record; returns why it cannot be taken (a dead letter), or null. */
  offer(a: CorporateAction): string | null {
    const st = this.#state();
    const key = actionKey(a);
    if (st.actions.applied.includes(key) || st.actions.pending.some((p) => p.key === key)) return null;
    const ex = this.exSession(a.exDate);
    if (ex === null) return `ex-date ${a.exDate} is outside the ${this.#s.calendar.name} calendar`;
    if (st.actions.pending.length >= MAX_PENDING_ACTIONS) return `${MAX_PENDING_ACTIONS} corporate actions are already waiting for their ex-dates`;
    const published = a.sourceMaxTs ?? a.ts;
    st.actions.pending.push(pendingAction(a, Math.max(ex.open, published)));
    return null;
  }

  /** At step t, before its prices are compared with earlier ones: the actions due. */
  applyDue(t: number): void {
    const st = this.#state();
    if (st.actions.pending.length === 0 || !st.actions.pending.some((p) => p.applyAt < t)) return;
    const due = st.actions.pending.filter((p) => p.applyAt < t);
    st.actions.pending = st.actions.pending.filter((p) => p.applyAt >= t);
    for (const p of due) this.#apply(p, t);
  }

  #apply(p: PendingAction, t: number): void {
    const st = this.#state();
    rememberApplied(st, p.key);
    const ex = this.exSession(p.exDate)!;
    const q = st.quarantine[p.symbol];
    if (q && p.ratio !== undefined && ratioMatches(q.ratio, p.ratio, this.#s.splitGuard.tolerancePct)) {
      this.#restate(p, { tradingStep: q.tradingStep, sessionIndex: q.sessionIndex }, ex, true);
      this.#release(p.symbol);
      this.#notice('quarantine_resolved', p.symbol, t, `${p.symbol}: ${p.action} ${p.ratio} (ex ${p.exDate}) explains the ${pct(q.move)} jump; history restated, quarantine lifted`);
      return;
    }
    // No kept price predates the ex-date session: nothing to restate.
    if (st.evaluatedAt === null || st.firstSession === null || ex.index <= st.firstSession) return;
    const late = p.applyAt > ex.open;
    if (this.#restate(p, { tradingStep: this.#firstStepOf(ex), sessionIndex: ex.index }, ex, q !== undefined)) {
      const what = `${p.symbol}: ${p.action} ${p.ratio ?? p.amount} (ex ${p.exDate})`;
      if (late) this.#notice('action_late', p.symbol, t, `${what} was published after its ex-date session began; history before it restated late`);
      else this.#notice('action_applied', p.symbol, t, `${what} applied at the ${ex.date} open`);
    }
  }

  /** Trading step of the first step of a session, from the last evaluated step (the next one when it has not begun). */
  #firstStepOf(ex: Session): number {
    const st = this.#state();
    const elapsed = this.#s.calendar.tradingMsBetween(ex.open, Math.max(ex.open, st.evaluatedAt ?? ex.open));
    return (st.tradingStep ?? -1) - elapsed / this.#s.stepMs + 1;
  }

  #restate(p: PendingAction, cut: HistoryCut, ex: Session, held: boolean): boolean {
    const st = this.#state();
    const f = actionFactor(p, this.#s, closeBefore(st, this.#prices, p.symbol, ex.index));
    if (f.factor === null) {
      this.#notice('action_not_applied', p.symbol, st.evaluatedAt ?? ex.open, `${p.symbol}: ${p.action} (ex ${p.exDate}) not applied: ${f.why}`);
      return false;
    }
    restateHistory(this.#s, st, this.#prices, p.symbol, f.factor, cut, held);
    this.#restated.add(p.symbol);
    st.counters.actionsApplied += 1;
    return true;
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
