import type { SpreadPoint } from '@rotation/schemas';
import type { AlertDraft } from './alerts.js';
import { leadershipAlert, regimeAlert, zScoreAlert, type PairReturns } from './alert-text.js';
import { beatingPct } from './breadth.js';
import { rankSectors, rotationIntensity, stepRole, type RankedSector } from './leadership.js';
import type { MarketNow, MarketPrices } from './market-prices.js';
import { emptyRegime, regimeStep } from './regime.js';
import type { CompiledSettings, PairSpec, WindowSpec } from './settings.js';
import type { CoreState, PairState } from './state.js';
import { round, zScore } from './stats.js';

/** What one step's evaluation found; the last one of a batch becomes the snapshot. */
export interface Evaluation {
  now: MarketNow;
  /** The step is its session's close and the session had trades: a bar closed here. */
  barClose: boolean;
  /** Per symbol or basket: r_w per configured window, in the order of settings.windows. */
  returns: Map<string, Array<number | null>>;
  spreads: SpreadPoint[];
  sectors: Array<{ window: string; ranking: RankedSector[]; rotationIntensity: number | null }>;
  beatingPct: number | null;
}

/** Everything a step's evaluation reads and may change. */
export interface StepContext {
  settings: CompiledSettings;
  state: CoreState;
  prices: MarketPrices;
  now: MarketNow;
  barClose: boolean;
  /** Alerts decided by this step are appended here, in decision order. */
  alerts: AlertDraft[];
}

const DAY = 1;

/** Margin a challenger needs, growing like sqrt(time) as return noise does (marginPp at one session). */
export function leadershipMargin(s: CompiledSettings, w: WindowSpec): number {
  return s.leadership.marginPp * Math.sqrt(w.sessionLength / DAY);
}

/**
 * Dwell on the window's own market clock: trading steps for intraday windows, session bars
 * (decisions at closes) otherwise; at least a quarter of the window. Returned as "clock ticks
 * after the first decision", so 0 decides at the first close that meets the margin.
 */
export function leadershipDwell(s: CompiledSettings, w: WindowSpec): number {
  if (w.kind === 'intraday') return Math.max(s.leadership.dwellSteps, Math.ceil(w.steps / 4));
  return Math.max(s.leadership.dwellBars, Math.ceil(w.sessionLength / 4)) - 1;
}

/** How long a replaced holder needs a double margin to take its role back: five sessions. */
export function leadershipReturnWindow(s: CompiledSettings, w: WindowSpec): number {
  return w.kind === 'intraday' ? Math.round((5 * 390 * 60_000) / s.stepMs) : 5;
}

export function evaluateStep(x: StepContext): Evaluation {
  const { settings: s, state, prices, now } = x;
  const returns = new Map<string, Array<number | null>>();
  for (const id of [...s.symbols, ...s.baskets.keys()]) returns.set(id, s.windows.map((w) => prices.returnPct(id, w, now, state.bars)));
  const r = (id: string, wi: number) => returns.get(id)?.[wi] ?? null;
  const spreads: SpreadPoint[] = [];
  for (const pair of s.pairs) spreads.push(...pairStep(x, pair, r));
  const sectors = s.windows.map((w, wi) => sectorStep(x, w, wi, r));
  const bi = s.windows.indexOf(s.breadth.window);
  const beat = beatingPct(s.sectors.map((sec) => r(sec.symbol, bi)), r(s.benchmark, bi));
  return { now, barClose: x.barClose, returns, spreads, sectors, beatingPct: beat };
}

type ReturnOf = (id: string, windowIndex: number) => number | null;

function pairStep(x: StepContext, pair: PairSpec, r: ReturnOf): SpreadPoint[] {
  const { settings: s, state, prices } = x;
  const ps = (state.pairs[pair.label] ??= { base: null, z: {}, zArmed: {}, regime: emptyRegime() });
  const members = [...prices.members(pair.small), ...prices.members(pair.large)];
  if (ps.base === null && members.every((m) => Number.isFinite(prices.latest(m)))) {
    ps.base = Object.fromEntries(members.map((m) => [m, prices.latest(m)]));
    ps.baseStep = x.now.tradingStep;
  }
  const growthRatio = ps.base === null ? NaN : (100 * growth(prices, pair.small, ps.base)) / growth(prices, pair.large, ps.base);
  // NaN while a member is held in quarantine: no ratio rather than a wrong one.
  const ratio = Number.isFinite(growthRatio) ? growthRatio : null;
  const points = s.windows.map((w, wi) => {
    const small = r(pair.small, wi);
    const large = r(pair.large, wi);
    const spread = small === null || large === null ? null : small - large;
    const z = w.kind === 'intraday' ? null : barZScore(x, ps, w, spread, { label: pair.label, small: pair.small, large: pair.large, smallPct: small!, largePct: large!, spreadPp: spread! });
    return {
      pair: pair.label,
      small: pair.small,
      large: pair.large,
      window: w.label,
      smallReturnPct: small === null ? null : round(small, 6),
      largeReturnPct: large === null ? null : round(large, 6),
      spreadPp: spread === null ? null : round(spread, 6),
      ratio: ratio === null ? null : round(ratio, 6),
      zScore: z === null ? null : round(z, 6),
    };
  });
  if (pair.sizePair && x.barClose) {
    const wi = s.windows.indexOf(s.regime.window);
    const small = r(pair.small, wi);
    const large = r(pair.large, wi);
    const spread = small === null || large === null ? null : small - large;
    const out = regimeStep(ps.regime, spread, s.regime);
    ps.regime = out.state;
    if (out.changedFrom !== null && spread !== null) {
      const returns = { label: pair.label, small: pair.small, large: pair.large, smallPct: small!, largePct: large!, spreadPp: spread };
      x.alerts.push(regimeAlert(returns, s.regime.window.label, out.changedFrom, ps.regime.regime, x.now.t));
    }
  }
  return points;
}

/**
 * z of a session-or-longer spread against its last `lookbackBars` session-close values: the
 * close's own spread joins the lookback at each bar close (the textbook (x_t - SMA_n) / sd_n);
 * between closes the live spread is measured against the closed bars. Null until warm.
 */
function barZScore(x: StepContext, ps: PairState, w: WindowSpec, spread: number | null, returns: PairReturns): number | null {
  const { lookbackBars, threshold } = x.settings.zscore;
  const hist = (ps.z[w.label] ??= []);
  if (x.barClose && spread !== null) {
    hist.push(spread);
    if (hist.length > lookbackBars) hist.splice(0, hist.length - lookbackBars);
  }
  const z = spread !== null && hist.length === lookbackBars ? zScore(spread, hist) : null;
  if (!x.barClose || z === null) return z;
  // Armed until a close at |z| >= threshold alerts; re-armed by a close back inside it.
  if (Math.abs(z) < threshold) ps.zArmed[w.label] = true;
  else if (ps.zArmed[w.label] !== false) {
    ps.zArmed[w.label] = false;
    x.alerts.push(zScoreAlert(returns, w.label, x.now.t, z, threshold));
  }
  return z;
}

/** Growth since the pair's base: P/P0 for a symbol, the mean of P_i/P0_i for a basket. */
function growth(prices: MarketPrices, id: string, base: Record<string, number>): number {
  const members = prices.members(id);
  let sum = 0;
  for (const m of members) sum += prices.latest(m) / base[m]!;
  return sum / members.length;
}

function sectorStep(x: StepContext, w: WindowSpec, wi: number, r: ReturnOf): Evaluation['sectors'][number] {
  const { settings: s, state } = x;
  const bench = r(s.benchmark, wi);
  const ranking = rankSectors(s.sectors, (sym) => r(sym, wi), bench);
  const ws = (state.sectors[w.label] ??= {
    leader: { holder: null, challenger: null, since: null },
    laggard: { holder: null, challenger: null, since: null },
    barRanking: null,
  });
  // Intraday windows are decided at every step on trading time; longer ones at session closes.
  const decide = w.kind === 'intraday' || x.barClose;
  const clock = w.kind === 'intraday' ? x.now.tradingStep : state.barCount;
  if (decide) {
    for (const role of ['leader', 'laggard'] as const) {
      const out = stepRole(ws[role], role, ranking, clock, { marginPp: leadershipMargin(s, w), dwell: leadershipDwell(s, w), returnWindow: leadershipReturnWindow(s, w) });
      ws[role] = out.state;
      if (out.change) x.alerts.push(leadershipAlert(role, w, x.now.t, out.change, ranking, { symbol: s.benchmark, returnPct: bench }));
    }
  }
  const order = ranking.map((row) => row.symbol);
  const complete = ranking.length === s.sectors.length;
  const intensity = complete ? rotationIntensity(ws.barRanking, order) : null;
  if (x.barClose && complete) ws.barRanking = order;
  return { window: w.label, ranking, rotationIntensity: intensity };
}
