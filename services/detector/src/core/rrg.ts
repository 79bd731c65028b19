import type { Quadrant } from '@rotation/schemas';
import { emaAlpha, emaStep } from './stats.js';

export interface RrgParams {
  trend: number;
  smoothing: number;
  momentum: number;
  deadBand: number;
  tailLength: number;
}

/** Which side of 100 an axis is on, decided with a dead band; null until it first leaves it. */
type Side = 1 | -1 | null;

/** Everything one sector's RRG needs from its past: a few numbers, O(1) per bar. */
export interface RrgState {
  bars: number;
  /** EMA_trend of RS. */
  rsTrend: number | null;
  /** EMA_smoothing of RS / EMA_trend(RS). */
  ratioEma: number | null;
  /** EMA_momentum of RS-Ratio. */
  ratioTrend: number | null;
  rsRatio: number | null;
  rsMomentum: number | null;
  ratioSide: Side;
  momentumSide: Side;
  quadrant: Quadrant | null;
  tail: Array<{ t: number; rsRatio: number; rsMomentum: number }>;
  /** Session index of the last bar taken: a corporate action restates the trend only when every bar predates it. */
  lastSession?: number;
}

export function emptyRrg(): RrgState {
  return { bars: 0, rsTrend: null, ratioEma: null, ratioTrend: null, rsRatio: null, rsMomentum: null, ratioSide: null, momentumSide: null, quadrant: null, tail: [] };
}

/** Bars before a sector is warm: the trend and the smoothing EMAs have each seen a full span. */
export function rrgWarmupBars(p: Pick<RrgParams, 'trend' | 'smoothing'>): number {
  return p.trend + p.smoothing;
}

/** The side of 100 with hysteresis: it flips only once the value is beyond the band on the other side. */
function sideOf(prev: Side, x: number, band: number): Side {
  if (x > 100 + band) return 1;
  if (x < 100 - band) return -1;
  return prev;
}

function quadrantOf(ratio: Side, momentum: Side): Quadrant | null {
  if (ratio === null || momentum === null) return null;
  if (ratio === 1) return momentum === 1 ? 'leading' : 'weakening';
  return momentum === 1 ? 'improving' : 'lagging';
}

/**
 * One closed bar of a sector against the benchmark, after the open "RRG Relative Strength"
 * script (TradingView), trailing only and never repainted:
 *   RS_t          = 100 * P_t / B_t
 *   RS-Ratio_t    = 100 * EMA_smoothing(RS / EMA_trend(RS))_t
 *   RS-Momentum_t = 100 * RS-Ratio_t / EMA_momentum(RS-Ratio)_t
 * Both are ratios, so they keep scale: a sector 2 % ahead of its own trend reads 102 whatever
 * its price, values are comparable across the sectors of one benchmark, and a sector that
 * tracks the benchmark sits at exactly (100, 100). RS-Momentum is RS-Ratio against its own
 * average, so it turns before RS-Ratio does (it leads). A quadrant is assigned once both axes
 * have left the dead band around 100 and changes only when an axis crosses beyond it.
 */
export function rrgStep(prev: RrgState, t: number, price: number, bench: number, p: RrgParams): RrgState {
  const rs = (100 * price) / bench;
  const rsTrend = emaStep(prev.rsTrend, rs, emaAlpha(p.trend));
  const ratioEma = emaStep(prev.ratioEma, rs / rsTrend, emaAlpha(p.smoothing));
  const rsRatio = 100 * ratioEma;
  const ratioTrend = emaStep(prev.ratioTrend, rsRatio, emaAlpha(p.momentum));
  const rsMomentum = (100 * rsRatio) / ratioTrend;
  const bars = prev.bars + 1;
  const next: RrgState = { ...prev, bars, rsTrend, ratioEma, ratioTrend, rsRatio: null, rsMomentum: null };
  if (bars < rrgWarmupBars(p)) return next;
  next.rsRatio = rsRatio;
  next.rsMomentum = rsMomentum;
  next.ratioSide = sideOf(prev.ratioSide, rsRatio, p.deadBand);
  next.momentumSide = sideOf(prev.momentumSide, rsMomentum, p.deadBand);
  next.quadrant = quadrantOf(next.ratioSide, next.momentumSide);
  next.tail = [...prev.tail, { t, rsRatio, rsMomentum }].slice(-p.tailLength);
  return next;
}
