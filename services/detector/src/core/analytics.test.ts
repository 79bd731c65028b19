import { describe, expect, it } from 'vitest';
import { adStep, beatingPct, emptyAd, emptyThrust, mcclellan, thrustStep } from './breadth.js';
import { alertId, makeAlert, pct, pp } from './alerts.js';
import { rankSectors, rotationIntensity, stepRole, type RoleState } from './leadership.js';
import { nextRegime, type SizeRegime } from './regime.js';
import { basketReturnPct, returnPct } from './returns.js';
import { emptyRrg, quadrantOf, rrgStep, rrgWarmupBars } from './rrg.js';

describe('returns', () => {
  it.each([
    [103.25, 100, 3.25],
    [99.28, 100, -0.72],
    [50, 40, 25],
    [NaN, 40, null],
    [50, NaN, null],
  ])('P(t)=%d over P(t-w)=%d is %s %%', (now, then, want) => {
    const got = returnPct(now, then);
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 10);
  });

  it.each([
    [[2, 4, -3], 1],
    [[1.5], 1.5],
    [[2, null], null], // one member missing: no basket value rather than a different basket
    [[], null],
  ])('basket of %j = %s', (rs, want) => {
    expect(basketReturnPct(rs)).toBe(want);
  });
});

describe('size regime hysteresis (enter 1.5 pp, exit 0.5 pp)', () => {
  it.each<[SizeRegime, number | null, SizeRegime]>([
    ['neutral', 1.49, 'neutral'],
    ['neutral', 1.5, 'small'],
    ['neutral', -1.6, 'large'],
    ['small', 0.6, 'small'], // inside the band: keeps its state
    ['small', 0.49, 'neutral'],
    ['small', -2, 'large'],
    ['large', -0.6, 'large'],
    ['large', -0.4, 'neutral'],
    ['large', null, 'large'],
  ])('%s with spread %s -> %s', (from, spread, to) => {
    expect(nextRegime(from, spread, 1.5, 0.5)).toBe(to);
  });
});

describe('sector leadership', () => {
  const sectors = [
    { symbol: 'XLE', name: 'Energy' },
    { symbol: 'XLK', name: 'Technology' },
    { symbol: 'XLU', name: 'Utilities' },
  ];

  it('ranks best first, ties by symbol, relative to the benchmark in pp', () => {
    const r = { XLE: 1, XLK: 2.5, XLU: 1 } as Record<string, number>;
    const ranking = rankSectors(sectors, (s) => r[s] ?? null, 0.5);
    expect(ranking.map((x) => [x.symbol, x.rank, x.relativePct])).toEqual([
      ['XLK', 1, 2],
      ['XLE', 2, 0.5],
      ['XLU', 3, 0.5],
    ]);
  });

  const rank = (r: Record<string, number>) => rankSectors(sectors, (s) => r[s] ?? null, 0);

  it('replaces the leader only after the margin held for the whole dwell', () => {
    let s: RoleState = { holder: null, challenger: null, since: null };
    const steps: Array<[number, Record<string, number>, string | null]> = [
      [0, { XLE: 2, XLK: 1, XLU: 0 }, null], // first holder taken silently
      [10, { XLE: 2, XLK: 2.3, XLU: 0 }, null], // leads by 0.3 >= 0.25: clock starts at 10
      [40, { XLE: 2, XLK: 2.2, XLU: 0 }, null], // lead 0.2 < margin: clock reset
      [50, { XLE: 2, XLK: 2.5, XLU: 0 }, null], // restarts at 50
      [109, { XLE: 2, XLK: 2.5, XLU: 0 }, null], // 59 < dwell 60
      [110, { XLE: 2, XLK: 2.5, XLU: 0 }, 'XLK'], // 60 >= dwell: confirmed
    ];
    const changes: Array<string | null> = [];
    for (const [t, r, _want] of steps) {
      const out = stepRole(s, 'leader', rank(r), t, 0.25, 60);
      s = out.state;
      changes.push(out.change?.to ?? null);
    }
    expect(changes).toEqual(steps.map((x) => x[2]));
    expect(s.holder).toBe('XLK');
  });

  it('a laggard challenger must trail the incumbent by the margin', () => {
    let s: RoleState = { holder: 'XLU', challenger: null, since: null };
    s = stepRole(s, 'laggard', rank({ XLE: 0, XLK: 1, XLU: 0.1 }), 0, 0.25, 0).state; // XLE trails by only 0.1
    expect(s.holder).toBe('XLU');
    const out = stepRole(s, 'laggard', rank({ XLE: -0.2, XLK: 1, XLU: 0.1 }), 1, 0.25, 0); // trails by 0.3
    expect(out.change).toEqual({ from: 'XLU', to: 'XLE' });
  });

  it('rotation intensity is 1 - Spearman rho', () => {
    expect(rotationIntensity(null, ['A', 'B'])).toBeNull();
    expect(rotationIntensity(['A', 'B', 'C', 'D'], ['A', 'B', 'C', 'D'])).toBeCloseTo(0, 12);
    expect(rotationIntensity(['A', 'B', 'C', 'D'], ['B', 'A', 'C', 'D'])).toBeCloseTo(0.2, 12);
    expect(rotationIntensity(['A', 'B', 'C', 'D'], ['D', 'C', 'B', 'A'])).toBeCloseTo(2, 12);
  });
});

describe('RRG', () => {
  const p = { smoothing: 2, lookback: 3, momentumLag: 1, tailLength: 2 };

  it('follows the documented formulas bar by bar (hand-computed)', () => {
    // Sector prices 100,102,106,104,110 against a flat benchmark of 100: RS = the price.
    // EMA alpha = 2/3: S = 100, 101.333.., 104.444.., 104.148.., 108.049..
    const prices = [100, 102, 106, 104, 110];
    let s = emptyRrg();
    const S: number[] = [];
    for (const [i, price] of prices.entries()) {
      s = rrgStep(s, i, price, 100, p);
      S.push(s.ema!);
    }
    expect(S[1]).toBeCloseTo(100 + (2 / 3) * 2, 10);
    expect(S[2]).toBeCloseTo(S[1]! + (2 / 3) * (106 - S[1]!), 10);
    // RS-Ratio_t = 100 + z of S_t within the last 3 smoothed values.
    const z = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
      return (xs[xs.length - 1]! - m) / sd;
    };
    const rsr2 = 100 + z(S.slice(0, 3));
    const rsr3 = 100 + z(S.slice(1, 4));
    const rsr4 = 100 + z(S.slice(2, 5));
    expect(s.rsRatio).toBeCloseTo(rsr4, 10);
    // Only 2 ROC values by bar 4 (need lookback 3): not warm yet.
    expect(s.rsMomentum).toBeNull();
    expect(s.quadrant).toBeNull();
    s = rrgStep(s, 5, 107, 100, p);
    const S5 = S[4]! + (2 / 3) * (107 - S[4]!);
    const rsr5 = 100 + z([S[3]!, S[4]!, S5]);
    const rocs = [100 * (rsr3 / rsr2 - 1), 100 * (rsr4 / rsr3 - 1), 100 * (rsr5 / rsr4 - 1)];
    expect(s.rsRatio).toBeCloseTo(rsr5, 10);
    expect(s.rsMomentum).toBeCloseTo(100 + z(rocs), 10);
    expect(s.quadrant).toBe(quadrantOf(rsr5, 100 + z(rocs)));
    expect(s.tail).toHaveLength(1);
    expect(rrgWarmupBars(p)).toBe(6); // 3 + 1 + 3 - 1: bars 0..5
  });

  it.each([
    [101, 101, 'leading'],
    [101, 99, 'weakening'],
    [99, 99, 'lagging'],
    [99, 101, 'improving'],
  ] as const)('(%d, %d) is %s', (r, m, q) => {
    expect(quadrantOf(r, m)).toBe(q);
  });

  it('divides by the benchmark: a sector moving with it has a flat RS', () => {
    let s = emptyRrg();
    for (let i = 0; i < 10; i++) s = rrgStep(s, i, 50 * (1 + i / 10), 100 * (1 + i / 10), p);
    expect(s.ema).toBeCloseTo(50, 10);
    expect(s.rsRatio).toBe(100); // flat lookback is centred, not undefined
    expect(s.tail).toHaveLength(2); // bounded by tailLength
  });
});

describe('breadth', () => {
  it.each([
    [[1, 2, -1, null], 0.5, (100 * 2) / 3],
    [[1, 2], null, null],
    [[null], 0, null],
  ])('share of %j beating %s', (rs, b, want) => {
    const got = beatingPct(rs, b);
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 10);
  });

  it('A/D line and McClellan (EMA19 - EMA39 of A - D, alphas 0.10 / 0.05)', () => {
    let s = emptyAd();
    s = adStep(s, new Map([['A', 10], ['B', 20], ['C', 30]])); // no prior close: nothing counted
    expect(s.last).toBeNull();
    s = adStep(s, new Map([['A', 11], ['B', 19], ['C', 31]])); // A=2 D=1: net +1
    expect(s.last).toEqual({ advancers: 2, decliners: 1, unchanged: 0 });
    expect(s.adLine).toBe(1);
    expect(mcclellan(s)).toBe(0); // both EMAs seeded with +1
    s = adStep(s, new Map([['A', 10], ['B', 18], ['C', 31]])); // A=0 D=2 U=1: net -2
    expect(s.adLine).toBe(-1);
    // EMA19 = 1 + 0.1*(-3) = 0.7; EMA39 = 1 + 0.05*(-3) = 0.85
    expect(mcclellan(s)).toBeCloseTo(0.7 - 0.85, 12);
  });

  it('thrust fires when the EMA goes from below low to above high within the bars, once', () => {
    const p = { low: 40, high: 60, withinBars: 3 }; // alpha 0.5
    let s = emptyThrust();
    const fired: boolean[] = [];
    for (const x of [20, 30, 100, 100, 100, 100]) {
      const out = thrustStep(s, x, p);
      s = out.state;
      fired.push(out.fired !== null);
    }
    // EMA: 20, 25, 62.5 (> 60, and 20 < 40 within the last 3 bars) -> fires; then disarmed.
    expect(fired).toEqual([false, false, true, false, false, false]);
    expect(s.armed).toBe(false);
  });

  it('a slow climb (low too long ago) is not a thrust', () => {
    const p = { low: 40, high: 60, withinBars: 1 }; // alpha 1: EMA = value
    let s = emptyThrust();
    const fired: boolean[] = [];
    for (const x of [30, 50, 70]) {
      const out = thrustStep(s, x, p);
      s = out.state;
      fired.push(out.fired !== null);
    }
    expect(fired).toEqual([false, false, false]);
  });
});

describe('alerts', () => {
  it('formats signs and units', () => {
    expect([pct(3.25), pct(-0.72), pct(0), pct(-0.001), pp(3.97)]).toEqual(['+3.25%', '-0.72%', '+0.00%', '+0.00%', '+3.97 pp']);
  });

  it('ids depend on content only', () => {
    const a = makeAlert('size_regime_change', 'warning', 'IWM/SPY', '7d', Date.UTC(2024, 2, 8, 21), 'm', { x: 1.23456 });
    const b = makeAlert('size_regime_change', 'warning', 'IWM/SPY', '7d', Date.UTC(2024, 2, 8, 21), 'other text', {});
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^a_[0-9a-f]{24}$/);
    expect(a.id).not.toBe(alertId('size_regime_change', 'IWM/SPY', '1d', a.eventTime));
    expect(a.metrics).toEqual({ x: 1.2346 });
    expect(a.eventTime).toBe('2024-03-08T21:00:00.000Z');
  });
});
