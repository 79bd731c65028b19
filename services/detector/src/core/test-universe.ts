import { parseUniverse, type Universe } from '@rotation/config';

/**
 * A small universe for tests: minute steps, hourly bars, two lanes' worth of symbols. Shared
 * by the detector's unit tests (so hand-computed numbers stay readable) and, with its own
 * windows and settings, by the integration tests under test/detector.
 */
export function testUniverse(detector: Record<string, unknown> = {}, windows: readonly string[] = ['5m', '1h']): Universe {
  return parseUniverse({
    benchmark: 'SPY',
    equalWeight: 'RSP',
    smallCaps: ['IWM'],
    largeCaps: ['SPY'],
    sectors: [
      { symbol: 'XLE', name: 'Energy' },
      { symbol: 'XLK', name: 'Technology' },
      { symbol: 'XLU', name: 'Utilities' },
    ],
    baskets: [{ id: 'AI', name: 'AI leaders', symbols: ['NVDA', 'MSFT'] }],
    pairs: [
      { small: 'IWM', large: 'SPY' },
      { small: 'AI', large: 'RSP' },
    ],
    windows,
    detector: {
      allowedLateness: '1m',
      historyBucket: '1m',
      barPeriod: '1h',
      spreadZScore: { lookbackBars: 5, threshold: 2 },
      sizeRegime: { window: '1h', enterPp: 1.5, exitPp: 0.5 },
      leadership: { marginPp: 0.25, dwell: '10m' },
      rrg: { smoothing: 2, lookback: 5, momentumLag: 1, tailLength: 3 },
      breadthThrust: { low: 40, high: 61.5, withinBars: 3, window: '1h' },
      ...detector,
    },
  });
}
