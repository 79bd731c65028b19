import type { Universe } from '@rotation/config';
import { parseDuration } from '@rotation/config';
import { DetectorError, DetectorErrorCode } from './errors.js';

export interface WindowSpec {
  label: string;
  ms: number;
  /** The window in evaluation steps (ms / stepMs). */
  steps: number;
}

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
  /** Cross-symbol analytics are evaluated at every multiple of this (historyBucket). */
  stepMs: number;
  latenessMs: number;
  barMs: number;
  windows: WindowSpec[];
  /** Finalized closes kept per symbol: enough for the longest window. */
  ringLength: number;
  benchmark: string;
  sectors: Array<{ symbol: string; name: string }>;
  baskets: Map<string, string[]>;
  pairs: PairSpec[];
  constituents: string[];
  /** Every symbol a tick may carry. */
  symbols: string[];
  zscore: { lookbackBars: number; threshold: number };
  regime: { window: WindowSpec; enterPp: number; exitPp: number };
  leadership: { marginPp: number; dwellMs: number };
  rrg: { smoothing: number; lookback: number; momentumLag: number; tailLength: number };
  breadth: { window: WindowSpec; low: number; high: number; withinBars: number };
}

function fail(path: string, message: string): never {
  throw new DetectorError(DetectorErrorCode.invalidSettings, `detector settings: ${path}: ${message}`, { path });
}

export function compileSettings(universe: Universe): CompiledSettings {
  const d = universe.detector;
  const stepMs = d.historyBucket;
  if (stepMs <= 0) fail('detector.historyBucket', 'must be positive');
  if (d.barPeriod % stepMs !== 0) fail('detector.barPeriod', `must be a multiple of historyBucket (${stepMs} ms)`);
  const windows = universe.windows.map((label, i) => {
    const ms = parseDuration(label);
    if (ms % stepMs !== 0) fail(`windows[${i}]`, `${label} is not a multiple of historyBucket (${stepMs} ms)`);
    return { label, ms, steps: ms / stepMs };
  });
  const findWindow = (label: string, path: string): WindowSpec =>
    windows.find((w) => w.label === label) ?? fail(path, `${label} is not one of the configured windows (${universe.windows.join(', ')})`);
  const maxSteps = Math.max(...windows.map((w) => w.steps));
  const baskets = new Map(universe.baskets.map((b) => [b.id, [...b.symbols]]));
  const small = new Set(universe.smallCaps);
  const large = new Set(universe.largeCaps);
  if (d.sizeRegime.exitPp >= d.sizeRegime.enterPp) fail('detector.sizeRegime.exitPp', 'must be below enterPp, or the regime would flap');
  if (d.breadthThrust.low >= d.breadthThrust.high) fail('detector.breadthThrust.low', 'must be below high');
  return {
    stepMs,
    latenessMs: d.allowedLateness,
    barMs: d.barPeriod,
    windows,
    ringLength: maxSteps + 1,
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
    regime: { window: findWindow(d.sizeRegime.window, 'detector.sizeRegime.window'), enterPp: d.sizeRegime.enterPp, exitPp: d.sizeRegime.exitPp },
    leadership: { marginPp: d.leadership.marginPp, dwellMs: d.leadership.dwell },
    rrg: { ...d.rrg },
    breadth: {
      window: findWindow(d.breadthThrust.window, 'detector.breadthThrust.window'),
      low: d.breadthThrust.low,
      high: d.breadthThrust.high,
      withinBars: d.breadthThrust.withinBars,
    },
  };
}
