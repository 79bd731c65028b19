import type { CorporateAction } from '@rotation/schemas';
import type { MarketPrices } from './market-prices.js';
import { emptyRrg } from './rrg.js';
import { closeAtOrBefore } from './session-bars.js';
import type { CompiledSettings } from './settings.js';
import type { CoreState, PendingAction } from './state.js';

/** Where the old price basis ends: kept values of earlier trading steps and earlier sessions' bars. */
export interface HistoryCut {
  tradingStep: number;
  sessionIndex: number;
}

/** What the detector tells its operator (logs, metrics), never its traders. */
export interface OperatorNotice {
  kind: 'action_applied' | 'action_late' | 'action_not_applied' | 'quarantine' | 'quarantine_resolved' | 'quarantine_expired';
  symbol: string;
  t: number;
  message: string;
}

/** Applied-action keys remembered so that a re-sent action (a re-fetch after a restart) is not applied twice. */
const APPLIED_KEEP = 512;

/**
 * Identifies an action across sources and re-sends: a symbol has one split per ex-date (a
 * provider's 1/3 and a file's 0.3333 are the same split), but may pay a regular and a special
 * dividend on one date, so dividends keep their amount, to the hundredth of a cent.
 */
export function actionKey(a: Pick<CorporateAction, 'symbol' | 'action' | 'exDate' | 'amount'>): string {
  return a.action === 'dividend' ? `${a.symbol}|dividend|${a.exDate}|${(a.amount ?? 0).toFixed(4)}` : `${a.symbol}|split|${a.exDate}`;
}

export function pendingAction(a: CorporateAction, applyAt: number): PendingAction {
  const p: PendingAction = { key: actionKey(a), applyAt, symbol: a.symbol, action: a.action, exDate: a.exDate };
  if (a.ratio !== undefined) p.ratio = a.ratio;
  if (a.amount !== undefined) p.amount = a.amount;
  return p;
}

export function rememberApplied(state: CoreState, key: string): void {
  const list = state.actions.applied;
  list.push(key);
  if (list.length > APPLIED_KEEP) list.splice(0, list.length - APPLIED_KEEP);
}

/**
 * The factor earlier prices are multiplied by so that they compare with prices from the
 * ex-date on: 1/ratio for a split; for a dividend in total-return mode (P - D) / P with P the
 * close before the ex-date, as in an "Adj Close" series. Null when the action changes nothing
 * on this basis (a dividend in price mode) or cannot be applied (no close before it, or a
 * dividend as large as the price), with the reason.
 */
export function actionFactor(a: PendingAction, s: CompiledSettings, prevClose: number): { factor: number } | { factor: null; why: string } {
  if (a.action !== 'dividend') return { factor: 1 / a.ratio! };
  if (s.priceBasis === 'price') return { factor: null, why: 'price basis: a dividend is a price move on its ex-date' };
  if (!Number.isFinite(prevClose)) return { factor: null, why: 'no close before the ex-date to add the dividend back to' };
  if (a.amount! >= prevClose) return { factor: null, why: `dividend ${a.amount} is not below the close ${prevClose}` };
  return { factor: (prevClose - a.amount!) / prevClose };
}

/** The close a dividend is measured against: the symbol's last bar before the ex-date session, else its latest price. */
export function closeBefore(state: CoreState, prices: MarketPrices, symbol: string, exSessionIndex: number): number {
  const bar = closeAtOrBefore(state.bars, symbol, exSessionIndex - 1);
  return Number.isFinite(bar) ? bar : prices.rings.get(symbol)?.latest() ?? NaN;
}

/**
 * Restates everything the detector keeps in price units for `symbol` on the new basis, where
 * it was formed before the cut: intraday closes and session bars, the pairs' base prices, the
 * advance/decline reference close and the RRG trend of relative strength (RS = 100 * P / B, so
 * a split of a sector scales its own RS, and a split of the benchmark every sector's). An RRG
 * that already took bars on the new basis mixes both and is started again instead. Returns,
 * spreads, z-score histories and ranks are ratios already and need nothing. `held`: the symbol
 * was in quarantine since the cut, so nothing of its own was updated after it.
 */
export function restateHistory(s: CompiledSettings, state: CoreState, prices: MarketPrices, symbol: string, factor: number, cut: HistoryCut, held: boolean): void {
  prices.rings.get(symbol)?.scaleBefore(cut.tradingStep, factor);
  const closes = state.bars.closes[symbol];
  if (closes) {
    state.bars.sessions.forEach((session, i) => {
      const c = closes[i];
      if (session < cut.sessionIndex && c !== null && c !== undefined) closes[i] = c * factor;
    });
  }
  for (const pair of Object.values(state.pairs)) {
    const setBefore = pair.baseStep === undefined || pair.baseStep < cut.tradingStep;
    if (pair.base && pair.base[symbol] !== undefined && setBefore) pair.base[symbol] = pair.base[symbol]! * factor;
  }
  const lastBar = state.bars.sessions[state.bars.sessions.length - 1];
  const ref = state.ad.prevClose[symbol];
  if (ref !== undefined && (held || (lastBar !== undefined && lastBar < cut.sessionIndex))) state.ad.prevClose[symbol] = ref * factor;
  const scaleRrg = (sym: string, f: number) => {
    const r = state.rrg[sym];
    if (!r || r.rsTrend === null) return;
    if (r.lastSession === undefined || r.lastSession < cut.sessionIndex || (held && sym === symbol)) r.rsTrend *= f;
    else state.rrg[sym] = emptyRrg();
  };
  if (symbol === s.benchmark) for (const sec of s.sectors) scaleRrg(sec.symbol, 1 / factor);
  else scaleRrg(symbol, factor);
}

/** Split ratios (new shares per old) a jump is compared with: forward and reverse splits seen on US listings. */
const SPLIT_RATIOS = [1.5, 2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 30, 40, 50].flatMap((r) => [r, 1 / r]);

/**
 * The split ratio a price move (new / old) looks like, or null. A split of ratio r moves the
 * price to 1/r of itself; the move must be at least `minMovePct` and within `tolerancePct` of
 * 1/r. Ordinary moves of ETFs and large caps never come close; a real crash of exactly a
 * split-like size is held for a few sessions, not lost.
 */
export function splitLikeRatio(move: number, guard: CompiledSettings['splitGuard']): number | null {
  if (!(move > 0) || Math.abs(move - 1) * 100 < guard.minMovePct) return null;
  for (const r of SPLIT_RATIOS) if (Math.abs(move * r - 1) * 100 <= guard.tolerancePct) return r;
  return null;
}

/** Whether an action's ratio is the one a quarantined jump looked like. */
export function ratioMatches(jumpRatio: number, actionRatio: number, tolerancePct: number): boolean {
  return Math.abs(actionRatio / jumpRatio - 1) * 100 <= Math.max(tolerancePct, 0.5);
}
