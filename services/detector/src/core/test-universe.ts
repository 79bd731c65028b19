import { parseUniverse, type Universe } from '@rotation/config';

/**
 * A small universe for tests: minute steps, session bars, short lookbacks, two lanes' worth of
 * symbols, on the XNYS calendar. Shared
 * by the detector's unit tests (so hand-computed numbers stay readable) and, with its own
 * windows and settings, by the integration tests under test/detector.
 */
export function testUniverse(detector: Record<string, unknown> = {}, windows: readonly string[] = ['5m', '1h', '1d', '7d']): Universe {
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
      spreadZScore: { lookbackBars: 5, threshold: 2 },
      sizeRegime: { window: '1d', enterPp: 1.5, exitPp: 0.5, dwellBars: 1 },
      leadership: { marginPp: 0.25, dwell: '10m', dwellBars: 1 },
      rrg: { trend: 2, smoothing: 1, momentum: 2, deadBand: 0.05, tailLength: 3 },
      breadthThrust: { low: 40, high: 61.5, withinBars: 3, window: '1d' },
      ...detector,
    },
  });
}
