import { CALENDAR_NAMES, getCalendar, type ExchangeCalendar } from '@rotation/calendar';
import type { Universe } from '@rotation/config';
import { DetectorError, DetectorErrorCode } from './errors.js';
import { barsNeeded, parseWindow, type WindowSpec } from './windows.js';

export type { WindowSpec } from './windows.js';

export interface PairSpec {
  /** "IWM/SPY" */
  label: string;
  small: string;
  large: string;
  /** Both sides are size buckets (small caps vs large caps): the pair has a size regime. */
  sizePair: boolean;
}

/**
 * The universe and detector settings resolved into what the analytics need: durations in ms,
 * windows in steps, baskets by id. Built once at start-up; inconsistent settings fail here
 * with the offending path, never later in the middle of a stream.
 */
export interface CompiledSettings {
  /** Sessions, closes and trading time. */
  calendar: ExchangeCalendar;
  /** Cross-symbol analytics are evaluated at every in-session multiple of this (historyBucket). */
  stepMs: number;
  latenessMs: number;
  windows: WindowSpec[];
  /** In-session step closes kept per symbol: enough for the longest intraday window. */
  ringLength: number;
  /** Session-close bars kept: enough for the longest session or calendar window. */
  barHistory: number;
  benchmark: string;
  sectors: Array<{ symbol: string; name: string }>;
  baskets: Map<string, string[]>;
  pairs: PairSpec[];
  constituents: string[];
  /** Every symbol a tick may carry. */
  symbols: string[];
  zscore: { lookbackBars: number; threshold: number };
  regime: { window: WindowSpec; enterPp: number; exitPp: number; dwellBars: number };
  /** dwellSteps: intraday dwell in evaluation steps of trading time. */
  leadership: { marginPp: number; dwellSteps: number; dwellBars: number };
  rrg: { bars: 'session' | 'week'; trend: number; smoothing: number; momentum: number; deadBand: number; tailLength: number };
  breadth: { window: WindowSpec; low: number; high: number; withinBars: number };
  priceBasis: 'price' | 'total_return';
  splitGuard: { minMovePct: number; tolerancePct: number; holdSessions: number };
}

function fail(path: string, message: string): never {
  throw new DetectorError(DetectorErrorCode.invalidSettings, `detector settings: ${path}: ${message}`, { path });
}

const HALF_HOUR = 1_800_000;

export function compileSettings(universe: Universe): CompiledSettings {
  const d = universe.detector;
  const stepMs = d.historyBucket;
  if (stepMs <= 0) fail('detector.historyBucket', 'must be positive');
  // Opens are at :30 and closes on the hour: both must be step boundaries.
  if (HALF_HOUR % stepMs !== 0) fail('detector.historyBucket', 'must divide 30 minutes, so session opens and closes are step boundaries');
  if (!CALENDAR_NAMES.includes(universe.calendar)) fail('calendar', `unknown calendar ${universe.calendar} (known: ${CALENDAR_NAMES.join(', ')})`);
  const windows = universe.windows.map((label, i) => {
    try {
      return parseWindow(label, stepMs);
    } catch (e) {
      return fail(`windows[${i}]`, (e as Error).message);
    }
  });
  const findWindow = (label: string, path: string): WindowSpec =>
    windows.find((w) => w.label === label) ?? fail(path, `${label} is not one of the configured windows (${universe.windows.join(', ')})`);
  const intradaySteps = Math.max(0, ...windows.map((w) => w.steps));
  const baskets = new Map(universe.baskets.map((b) => [b.id, [...b.symbols]]));
  const small = new Set(universe.smallCaps);
  const large = new Set(universe.largeCaps);
  if (d.sizeRegime.exitPp >= d.sizeRegime.enterPp) fail('detector.sizeRegime.exitPp', 'must be below enterPp, or the regime would flap');
  if (d.breadthThrust.low >= d.breadthThrust.high) fail('detector.breadthThrust.low', 'must be below high');
  const regimeWindow = findWindow(d.sizeRegime.window, 'detector.sizeRegime.window');
  if (regimeWindow.kind === 'intraday') fail('detector.sizeRegime.window', 'must be a window of a session or more: the regime is decided at session closes');
  return {
    calendar: getCalendar(universe.calendar),
    stepMs,
    latenessMs: d.allowedLateness,
    windows,
    ringLength: intradaySteps + 1,
    // Two bars at least: the breadth thrust reads every sector's change over one session.
    barHistory: Math.max(3, ...windows.map(barsNeeded)),
    benchmark: universe.benchmark,
    sectors: universe.sectors.map((s) => ({ symbol: s.symbol, name: s.name })),
    baskets,
    pairs: universe.pairs.map((p) => ({
      label: `${p.small}/${p.large}`,
      small: p.small,
      large: p.large,
      sizePair: small.has(p.small) && large.has(p.large),
    })),
    constituents: [...universe.constituents],
    symbols: [...universe.symbols],
    zscore: { ...d.spreadZScore },
    regime: { window: regimeWindow, enterPp: d.sizeRegime.enterPp, exitPp: d.sizeRegime.exitPp, dwellBars: d.sizeRegime.dwellBars },
    leadership: { marginPp: d.leadership.marginPp, dwellSteps: Math.ceil(d.leadership.dwell / stepMs), dwellBars: d.leadership.dwellBars },
    rrg: { ...d.rrg },
    priceBasis: d.priceBasis,
    splitGuard: { ...d.splitGuard },
    breadth: {
      window: findWindow(d.breadthThrust.window, 'detector.breadthThrust.window'),
      low: d.breadthThrust.low,
      high: d.breadthThrust.high,
      withinBars: d.breadthThrust.withinBars,
    },
  };
}
