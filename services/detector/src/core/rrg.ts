import type { Quadrant } from '@rotation/schemas';
import { emaAlpha, emaStep, mean, pushBounded, sampleSd } from './stats.js';

export interface RrgParams {
  smoothing: number;
  lookback: number;
  momentumLag: number;
  tailLength: number;
}

/** Everything one sector's RRG needs from its past: bounded by lookback + lag + tail. */
export interface RrgState {
  ema: number | null;
  /** Last `lookback` smoothed RS values. */
  smoothed: number[];
  /** Last `momentumLag + 1` RS-Ratio values. */
  ratios: number[];
  /** Last `lookback` rate-of-change values of RS-Ratio. */
  rocs: number[];
  tail: Array<{ t: number; rsRatio: number; rsMomentum: number }>;
  rsRatio: number | null;
  rsMomentum: number | null;
  quadrant: Quadrant | null;
}

export function emptyRrg(): RrgState {
  return { ema: null, smoothed: [], ratios: [], rocs: [], tail: [], rsRatio: null, rsMomentum: null, quadrant: null };
}

/** z of the newest value within its trailing window, centred on 100; a flat window gives 100. */
function centredZ(xs: readonly number[]): number {
  const sd = sampleSd(xs);
  if (!Number.isFinite(sd) || sd === 0) return 100;
  return 100 + (xs[xs.length - 1]! - mean(xs)) / sd;
}

export function quadrantOf(rsRatio: number, rsMomentum: number): Quadrant {
  if (rsRatio >= 100) return rsMomentum >= 100 ? 'leading' : 'weakening';
  return rsMomentum >= 100 ? 'improving' : 'lagging';
}

/**
 * One closed bar of a sector against the benchmark (trailing only, never repainted):
 *   RS_t        = 100 * P_t / B_t
 *   S_t         = EMA_smoothing(RS)_t                      (alpha = 2 / (smoothing + 1), seeded with RS_0)
 *   RS-Ratio_t  = 100 + (S_t - mean(S over last lookback)) / sd(S over last lookback)
 *   ROC_t       = 100 * (RS-Ratio_t / RS-Ratio_{t-lag} - 1)
 *   RS-Mom_t    = 100 + (ROC_t - mean(ROC over last lookback)) / sd(ROC over last lookback)
 * Momentum is the z-scored rate of change of RS-Ratio itself (not of RS against a constant
 * base), so it turns at RS-Ratio's peaks and troughs and leads it, as the published
 * description requires. Cost per bar is O(lookback), independent of history length.
 */
export function rrgStep(prev: RrgState, t: number, price: number, bench: number, p: RrgParams): RrgState {
  const s: RrgState = { ...prev, smoothed: [...prev.smoothed], ratios: [...prev.ratios], rocs: [...prev.rocs], tail: [...prev.tail] };
  const rs = (100 * price) / bench;
  s.ema = emaStep(s.ema, rs, emaAlpha(p.smoothing));
  pushBounded(s.smoothed, s.ema, p.lookback);
  if (s.smoothed.length < p.lookback) return s;
  s.rsRatio = centredZ(s.smoothed);
  pushBounded(s.ratios, s.rsRatio, p.momentumLag + 1);
  if (s.ratios.length < p.momentumLag + 1) return s;
  pushBounded(s.rocs, 100 * (s.rsRatio / s.ratios[0]! - 1), p.lookback);
  if (s.rocs.length < p.lookback) return s;
  s.rsMomentum = centredZ(s.rocs);
  s.quadrant = quadrantOf(s.rsRatio, s.rsMomentum);
  s.tail.push({ t, rsRatio: s.rsRatio, rsMomentum: s.rsMomentum });
  if (s.tail.length > p.tailLength) s.tail.splice(0, s.tail.length - p.tailLength);
  return s;
}

/** Bars needed before a sector is warm (has RS-Ratio, RS-Momentum and a quadrant). */
export function rrgWarmupBars(p: RrgParams): number {
  return p.lookback + p.momentumLag + p.lookback - 1;
}
