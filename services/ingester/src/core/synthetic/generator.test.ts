import { describe, expect, it } from 'vitest';
import { loadUniverseFile, DEFAULT_UNIVERSE_FILE } from '@rotation/config';
import { SyntheticGenerator, type SyntheticOptions, type SyntheticTick } from './generator.js';
import { SCENARIO_NAMES } from './scenarios.js';

const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
const START = Date.parse('2024-01-02T14:30:00Z');

function run(o: Partial<SyntheticOptions> = {}, limit = Number.POSITIVE_INFINITY): SyntheticTick[] {
  const g = new SyntheticGenerator({ universe, scenario: 'small-cap-rotation', seed: 1, startMs: START, durationMs: 600_000, ratePerSec: 50, ...o });
  const out: SyntheticTick[] = [];
  const t = { symbol: '', price: 0, size: 0, ts: 0 };
  while (out.length < limit && g.next(t)) out.push({ ...t });
  return out;
}

/** Log return of a symbol from its first to its last tick. */
function change(ticks: SyntheticTick[], symbol: string): number {
  const own = ticks.filter((t) => t.symbol === symbol);
  return Math.log(own.at(-1)!.price / own[0]!.price);
}

describe('SyntheticGenerator', () => {
  it.each(SCENARIO_NAMES)('%s: same seed, byte-identical ticks; another seed, other ticks', (scenario) => {
    const a = JSON.stringify(run({ scenario, seed: 99 }));
    expect(JSON.stringify(run({ scenario, seed: 99 }))).toBe(a);
    expect(JSON.stringify(run({ scenario, seed: 100 }))).not.toBe(a);
  });

  it('covers the universe at the requested rate, inside the duration, each symbol in increasing event time', () => {
    const ticks = run({ durationMs: 600_000, ratePerSec: 250 });
    const n = universe.symbols.length;
    expect(ticks.length).toBe(Math.floor(600_000 / ((n * 1000) / 250)) * n);
    expect(new Set(ticks.map((t) => t.symbol))).toEqual(new Set(universe.symbols));
    const last = new Map<string, number>();
    const bad = ticks.filter((t) => {
      const ok = t.ts >= START && t.ts < START + 600_000 && t.ts > (last.get(t.symbol) ?? -1) && t.price > 0 && Number.isInteger(t.size) && t.size >= 1;
      last.set(t.symbol, t.ts);
      return !ok;
    });
    expect(bad).toEqual([]);
    // Event time never goes backwards across symbols either.
    expect(ticks.every((t, i) => i === 0 || t.ts >= ticks[i - 1]!.ts)).toBe(true);
  });

  it('restart continues event time and prices (looping)', () => {
    const g = new SyntheticGenerator({ universe, scenario: 'choppy', seed: 3, startMs: START, durationMs: 60_000, ratePerSec: 100 });
    const t = { symbol: '', price: 0, size: 0, ts: 0 };
    let last = 0;
    while (g.next(t)) last = t.ts;
    g.restart();
    expect(g.next(t)).toBe(true);
    expect(t.ts).toBeGreaterThan(last);
    expect(g.emitted).toBe(g.total + 1);
  });

  it.each([0, 1e9])('rejects rate %s', (ratePerSec) => {
    expect(() => run({ ratePerSec })).toThrow(RangeError);
  });

  // Regimes over two days of event time, for several seeds: the script shows through the noise.
  const seeds = [1, 2, 3, 4, 5];
  const twoDays = (scenario: SyntheticOptions['scenario'], seed: number) => run({ scenario, seed, durationMs: 2 * 86_400_000, ratePerSec: 1 });

  it.each(seeds)('small-cap-rotation (seed %i): small caps beat large caps, XLB beats XLK, AI lags RSP', (seed) => {
    const t = twoDays('small-cap-rotation', seed);
    expect(change(t, 'IWM') - change(t, 'SPY')).toBeGreaterThan(0.015);
    expect(change(t, 'IJR') - change(t, 'QQQ')).toBeGreaterThan(0.015);
    expect(change(t, 'XLB') - change(t, 'XLK')).toBeGreaterThan(0.015);
    const ai = ['NVDA', 'MSFT', 'AVGO', 'GOOGL', 'META', 'AMZN', 'AAPL', 'TSLA'].reduce((s, x) => s + change(t, x), 0) / 8;
    expect(ai - change(t, 'RSP')).toBeLessThan(-0.01);
  });

  it.each(seeds)('large-cap-melt-up (seed %i): QQQ beats IWM and the market rises', (seed) => {
    const t = twoDays('large-cap-melt-up', seed);
    expect(change(t, 'QQQ') - change(t, 'IWM')).toBeGreaterThan(0.015);
    expect(change(t, 'SPY')).toBeGreaterThan(0);
  });

  it.each(seeds)('choppy (seed %i): no relative move persists', (seed) => {
    const t = twoDays('choppy', seed);
    expect(Math.abs(change(t, 'IWM') - change(t, 'SPY'))).toBeLessThan(0.01);
    expect(Math.abs(change(t, 'XLB') - change(t, 'XLK'))).toBeLessThan(0.01);
  });
});
