import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { loadUniverseFile, DEFAULT_UNIVERSE_FILE } from '@rotation/config';
import { SyntheticGenerator, type SyntheticOptions, type SyntheticTick } from './generator.js';
import { SCENARIO_NAMES } from './scenarios.js';

const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
const xnys = getCalendar('XNYS');
/** 09:30 ET, the open of Tuesday 2024-01-02. */
const START = Date.parse('2024-01-02T14:30:00Z');
const SESSION_MS = 6.5 * 3_600_000;
const HOUR_MS = 3_600_000;

/** New York date of a timestamp inside a session. */
const nyDate = (ts: number): string => xnys.sessionContaining(ts)!.date;

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
      // (open, open + 10 min]: a tick at the opening instant would be a pre-market print.
      const ok = t.ts > START && t.ts <= START + 600_000 && t.ts > (last.get(t.symbol) ?? -1) && t.price > 0 && Number.isInteger(t.size) && t.size >= 1;
      last.set(t.symbol, t.ts);
      return !ok;
    });
    expect(bad).toEqual([]);
    // Event time never goes backwards across symbols either.
    expect(ticks.every((t, i) => i === 0 || t.ts >= ticks[i - 1]!.ts)).toBe(true);
  });

  it('restart continues event time and prices (looping), still inside sessions', () => {
    // 5.5 h of trading from 10:30 ET: the second pass runs into the next session.
    const g = new SyntheticGenerator({ universe, scenario: 'choppy', seed: 3, startMs: START + HOUR_MS, durationMs: 5.5 * HOUR_MS, ratePerSec: 1 });
    const t = { symbol: '', price: 0, size: 0, ts: 0 };
    let last = 0;
    while (g.next(t)) last = t.ts;
    expect(last).toBeLessThanOrEqual(Date.parse('2024-01-02T21:00:00Z'));
    g.restart();
    expect(g.next(t)).toBe(true);
    expect(t.ts).toBeGreaterThan(last);
    expect(g.emitted).toBe(g.total + 1);
    while (g.next(t)) expect(xnys.phaseAt(t.ts)).toBe('regular');
    expect(nyDate(t.ts)).toBe('2024-01-03');
  });

  it.each([0, 1e9])('rejects rate %s', (ratePerSec) => {
    expect(() => run({ ratePerSec })).toThrow(RangeError);
  });

  // Regimes over two sessions of trading time, for several seeds: the script shows through the noise.
  const seeds = [1, 2, 3, 4, 5];
  const twoDays = (scenario: SyntheticOptions['scenario'], seed: number) => run({ scenario, seed, durationMs: 2 * SESSION_MS, ratePerSec: 1 });

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

describe('SyntheticGenerator in trading time', () => {
  it('lays ticks only into regular sessions: none at night, on a weekend or on MLK Day 2024-01-15', () => {
    // Friday 2024-01-12 14:00 ET, 4 sessions of trading: Fri (2 h), Tue-Thu, into Friday 01-19.
    const ticks = run({ startMs: Date.parse('2024-01-12T19:00:00Z'), durationMs: 4 * SESSION_MS, ratePerSec: 2 });
    expect(ticks.filter((t) => xnys.phaseAt(t.ts) !== 'regular')).toEqual([]);
    const dates = [...new Set(ticks.map((t) => nyDate(t.ts)))];
    expect(dates).toEqual(['2024-01-12', '2024-01-16', '2024-01-17', '2024-01-18', '2024-01-19']);
    expect(ticks.filter((t) => [0, 6].includes(new Date(t.ts).getUTCDay()))).toEqual([]);
    // The duration is trading time: the run ends 4 sessions of trading after its start.
    expect(xnys.tradingMsBetween(Date.parse('2024-01-12T19:00:00Z'), ticks.at(-1)!.ts)).toBeLessThanOrEqual(4 * SESSION_MS);
    expect(xnys.tradingMsBetween(Date.parse('2024-01-12T19:00:00Z'), ticks.at(-1)!.ts)).toBeGreaterThan(4 * SESSION_MS - 60_000);
  });

  it.each([
    // startMs, first tick after
    ['2024-01-13T15:00:00Z', '2024-01-16T14:30:00.001Z', 'Saturday: the next session is Tuesday (MLK Day)'],
    ['2024-01-16T10:00:00Z', '2024-01-16T14:30:00.001Z', 'pre-market: the same day at the open'],
    ['2024-01-16T21:30:00Z', '2024-01-17T14:30:00.001Z', 'post-market: the next day at the open'],
    ['2024-01-16T16:00:00Z', '2024-01-16T16:00:00.001Z', 'mid-session: just after the start'],
    ['2024-01-16T21:00:00Z', '2024-01-17T14:30:00.001Z', 'exactly at the close: nothing is left of that session'],
  ])('starting at %s, the first tick is %s (%s)', (startMs, first) => {
    const [t] = run({ startMs: Date.parse(startMs), durationMs: 60_000, ratePerSec: 100 }, 1);
    expect(new Date(t!.ts).toISOString()).toBe(first);
  });

  it('gives a half day 3.5 h of ticks and carries on into the next session', () => {
    // From the open of Friday 2024-11-29 (13:00 ET close), 4.5 h of trading: 3.5 h Friday, 1 h Monday.
    const ticks = run({ startMs: Date.parse('2024-11-29T14:30:00Z'), durationMs: 4.5 * HOUR_MS, ratePerSec: 5 });
    const friday = ticks.filter((t) => nyDate(t.ts) === '2024-11-29');
    const monday = ticks.filter((t) => nyDate(t.ts) === '2024-12-02');
    expect(friday.length + monday.length).toBe(ticks.length);
    expect(Math.max(...friday.map((t) => t.ts))).toBeLessThanOrEqual(Date.parse('2024-11-29T18:00:00Z'));
    expect(Math.max(...friday.map((t) => t.ts))).toBeGreaterThan(Date.parse('2024-11-29T17:59:00Z'));
    expect(Math.max(...monday.map((t) => t.ts))).toBeLessThanOrEqual(Date.parse('2024-12-02T15:30:00Z'));
    expect(ticks.every((t, i) => i === 0 || t.ts >= ticks[i - 1]!.ts)).toBe(true);
  });

  it('uses the calendar it is given', () => {
    const used = new Set<string | symbol>();
    // XNYS behind a recording proxy: the same ticks, and the generator asked it for sessions.
    const spy = new Proxy(xnys, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          used.add(key);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const given = run({ calendar: spy, durationMs: 2 * SESSION_MS, ratePerSec: 1 });
    expect(JSON.stringify(given)).toBe(JSON.stringify(run({ durationMs: 2 * SESSION_MS, ratePerSec: 1 })));
    expect([...used].sort()).toEqual(['next', 'nextCloseAfter']);
  });
});
