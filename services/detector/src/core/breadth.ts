import { emaAlpha, emaStep, pushBounded } from './stats.js';

/** Share (percent) of sectors whose return beats the benchmark's; null if nothing to compare. */
export function beatingPct(sectorReturns: ReadonlyArray<number | null>, benchmark: number | null): number | null {
  if (benchmark === null) return null;
  let n = 0;
  let beat = 0;
  for (const r of sectorReturns) {
    if (r === null) continue;
    n += 1;
    if (r > benchmark) beat += 1;
  }
  return n === 0 ? null : (100 * beat) / n;
}

/**
 * Zweig's input: the share (percent) of issues that rose, among those that rose or fell, over
 * one session. Unchanged issues and those without a change are left out; null if none moved.
 * It is not the share that beat a benchmark: in a broad rally where the benchmark rises a
 * little more, every issue still advanced.
 */
export function advancingPct(changes: ReadonlyArray<number | null>): number | null {
  let up = 0;
  let down = 0;
  for (const c of changes) {
    if (c === null) continue;
    if (c > 0) up += 1;
    else if (c < 0) down += 1;
  }
  return up + down === 0 ? null : (100 * up) / (up + down);
}

export interface ThrustState {
  /** Session bars fed so far. */
  bars: number;
  /** The advancing share (percent) of the last bar fed. */
  advancing: number | null;
  ema: number | null;
  /** EMA values of the last `withinBars + 1` warm bars, newest last. */
  recent: number[];
  armed: boolean;
}

export function emptyThrust(): ThrustState {
  return { bars: 0, advancing: null, ema: null, recent: [], armed: true };
}

/**
 * Zweig breadth thrust at session closes: the EMA (span = withinBars, alpha 2 / (n + 1)) of
 * the advancing share rises from below `low` to above `high` within `withinBars` bars. The
 * EMA is seeded with the first bar, so it is trusted only after `withinBars` bars (a 0 % seed
 * followed by a few strong days must not fire); it fires once and re-arms only after the EMA
 * is back below `low`.
 */
export function thrustStep(prev: ThrustState, pct: number, p: { low: number; high: number; withinBars: number }): { state: ThrustState; fired: { from: number; to: number } | null } {
  const ema = emaStep(prev.ema, pct, emaAlpha(p.withinBars));
  const bars = prev.bars + 1;
  if (bars < p.withinBars) return { state: { bars, advancing: pct, ema, recent: [], armed: prev.armed }, fired: null };
  const recent = [...prev.recent];
  pushBounded(recent, ema, p.withinBars + 1);
  let armed = prev.armed || ema < p.low;
  let fired: { from: number; to: number } | null = null;
  const low = Math.min(...recent.slice(0, -1));
  if (armed && ema > p.high && recent.length > 1 && low < p.low) {
    fired = { from: low, to: ema };
    armed = false;
  }
  return { state: { bars, advancing: pct, ema, recent, armed }, fired };
}

export interface AdState {
  adLine: number;
  ema19: number | null;
  ema39: number | null;
  /** Close of each constituent at the previous bar. */
  prevClose: Record<string, number>;
  last: { advancers: number; decliners: number; unchanged: number } | null;
}

export function emptyAd(): AdState {
  return { adLine: 0, ema19: null, ema39: null, prevClose: {}, last: null };
}

/**
 * Advance/decline at a bar close against the prior bar's close: ADL += A - D; McClellan
 * oscillator = EMA19(A - D) - EMA39(A - D) with alphas 0.10 and 0.05, seeded with the first
 * value. A constituent without a prior close is counted from the next bar on.
 */
export function adStep(prev: AdState, closes: ReadonlyMap<string, number>): AdState {
  let advancers = 0;
  let decliners = 0;
  let unchanged = 0;
  const prevClose: Record<string, number> = { ...prev.prevClose };
  for (const [sym, close] of closes) {
    if (!Number.isFinite(close)) continue;
    const before = prev.prevClose[sym];
    if (before !== undefined) {
      if (close > before) advancers += 1;
      else if (close < before) decliners += 1;
      else unchanged += 1;
    }
    prevClose[sym] = close;
  }
  if (advancers + decliners + unchanged === 0) return { ...prev, prevClose };
  const net = advancers - decliners;
  return {
    adLine: prev.adLine + net,
    ema19: emaStep(prev.ema19, net, 0.1),
    ema39: emaStep(prev.ema39, net, 0.05),
    prevClose,
    last: { advancers, decliners, unchanged },
  };
}

export function mcclellan(s: AdState): number | null {
  return s.ema19 === null || s.ema39 === null ? null : s.ema19 - s.ema39;
}
