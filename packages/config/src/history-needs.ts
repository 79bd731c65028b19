import { parseDuration, type UniverseFile } from './universe.js';

/**
 * How much history the detector needs before every measure of a universe has a value: what a
 * live start backfills. Measured in session bars before the latest close plus calendar days
 * further back (a "7d" window reaches back seven calendar days from each bar it is measured at),
 * and in trading time for the intraday windows, whose reference is that far back on the
 * market clock. Each measure's need follows the detector's own warm-up rule (named below), so a
 * history this long leaves no panel empty.
 */
export interface HistoryNeed {
  /** Session bars, the latest complete session included. */
  bars: number;
  /** Calendar days before the first of those bars (a calendar window's reach). */
  calendarDays: number;
  /** Trading time (ms) the longest intraday window reaches back. */
  intradayMs: number;
  /** The measure that sets `bars` + `calendarDays`, for logs and docs. */
  drivenBy: string;
}

interface Reach {
  bars: number;
  days: number;
}

const WINDOW = /^([1-9][0-9]*)(s|m|h|d|w|sess)$/;

/** A window's reference: sessions back, calendar days back, or trading time (ms) back. */
function reachOf(label: string): Reach & { intradayMs: number } {
  const m = WINDOW.exec(label);
  if (!m) throw new Error(`${label} is not a window label`);
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === 's' || unit === 'm' || unit === 'h') return { bars: 0, days: 0, intradayMs: parseDuration(`${n}${unit}`) };
  // "1d" means the previous session's close, as in the detector (windows.ts).
  if (unit === 'sess' || (unit === 'd' && n === 1)) return { bars: n, days: 0, intradayMs: 0 };
  return { bars: 0, days: unit === 'w' ? 7 * n : n, intradayMs: 0 };
}

/** Bars (sessions) and calendar days of history every measure of `universe` needs, with one spare bar. */
export function historyNeed(universe: Pick<UniverseFile, 'windows' | 'detector' | 'constituents'>): HistoryNeed {
  const d = universe.detector;
  const needs: Array<Reach & { what: string }> = [];
  let intradayMs = 0;
  for (const label of universe.windows) {
    const r = reachOf(label);
    intradayMs = Math.max(intradayMs, r.intradayMs);
    if (r.intradayMs > 0) continue;
    needs.push({ what: `window ${label}`, bars: r.bars + 1, days: r.days });
    // A z-score has a value once `lookbackBars` closes of the window's spread are kept.
    needs.push({ what: `${label} spread z-score (${d.spreadZScore.lookbackBars} bars)`, bars: r.bars + d.spreadZScore.lookbackBars, days: r.days });
  }
  const regime = reachOf(d.sizeRegime.window);
  needs.push({ what: `size regime (${d.sizeRegime.window}, ${d.sizeRegime.dwellBars} bars of dwell)`, bars: regime.bars + d.sizeRegime.dwellBars, days: regime.days });
  // RRG is warm after trend + smoothing bars (rrgWarmupBars in the detector); weekly bars are five sessions each.
  const rrgBars = d.rrg.trend + d.rrg.smoothing;
  needs.push({ what: `RRG (${rrgBars} ${d.rrg.bars} bars)`, bars: d.rrg.bars === 'week' ? rrgBars * 5 + 5 : rrgBars, days: 0 });
  needs.push({ what: `breadth thrust (${d.breadthThrust.withinBars} bars)`, bars: d.breadthThrust.withinBars + 1, days: 0 });
  // The McClellan oscillator's slow EMA spans 39 bars.
  if (universe.constituents.length > 0) needs.push({ what: 'advance/decline (39-bar EMA)', bars: 40, days: 0 });
  // Compared as sessions: a calendar day is at most one session.
  const top = needs.reduce((a, b) => (b.bars + b.days > a.bars + a.days ? b : a));
  return { bars: top.bars + 1, calendarDays: top.days, intradayMs, drivenBy: top.what };
}
