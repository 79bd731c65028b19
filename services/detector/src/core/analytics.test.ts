import { describe, expect, it } from 'vitest';
import { adStep, advancingPct, beatingPct, emptyAd, emptyThrust, mcclellan, thrustStep } from './breadth.js';
import { alertId, makeAlert, pct, pp } from './alerts.js';
import { rankSectors, rotationIntensity, stepRole, type RoleState } from './leadership.js';
import { emptyRegime, nextRegime, regimeStep, type RegimeState, type SizeRegime } from './regime.js';
import { basketReturnPct, returnPct } from './returns.js';
import { emptyRrg, rrgStep, rrgWarmupBars, type RrgState } from './rrg.js';

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

describe('size regime dwell (2 session closes)', () => {
  const p = { enterPp: 1.5, exitPp: 0.5, dwellBars: 2 };
  const run = (spreads: Array<number | null>) => {
    let st: RegimeState = emptyRegime();
    const out: Array<SizeRegime | null> = [];
    for (const x of spreads) {
      const r = regimeStep(st, x, p);
      st = r.state;
      out.push(r.changedFrom === null ? null : st.regime);
    }
    return { changes: out, state: st };
  };

  it('declares a regime only after two consecutive closes beyond the threshold', () => {
    expect(run([1.6, 1.0, 1.6, 1.7]).changes).toEqual([null, null, null, 'small']);
  });

  it('a single close through the threshold and back is noise', () => {
    expect(run([1.6, 0.2, -1.6, 0.0, 1.6, 1.4]).changes).toEqual([null, null, null, null, null, null]);
  });

  it('leaving needs the same dwell; a null spread keeps the state', () => {
    const { changes, state } = run([2, 2, 0.4, null, 0.3, 0.2]);
    expect(changes).toEqual([null, 'small', null, null, 'neutral', null]);
    expect(state.regime).toBe('neutral');
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

  it('relative return is null, not 0, while the benchmark has no return', () => {
    const ranking = rankSectors(sectors, () => 1, null);
    expect(ranking.map((x) => x.relativePct)).toEqual([null, null, null]);
  });

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
      const out = stepRole(s, 'leader', rank(r), t, { marginPp: 0.25, dwell: 60 });
      s = out.state;
      changes.push(out.change?.to ?? null);
    }
    expect(changes).toEqual(steps.map((x) => x[2]));
    expect(s.holder).toBe('XLK');
  });

  it('a laggard challenger must trail the incumbent by the margin', () => {
    let s: RoleState = { holder: 'XLU', challenger: null, since: null };
    s = stepRole(s, 'laggard', rank({ XLE: 0, XLK: 1, XLU: 0.1 }), 0, { marginPp: 0.25, dwell: 0 }).state; // XLE trails by only 0.1
    expect(s.holder).toBe('XLU');
    const out = stepRole(s, 'laggard', rank({ XLE: -0.2, XLK: 1, XLU: 0.1 }), 1, { marginPp: 0.25, dwell: 0 }); // trails by 0.3
    expect(out.change).toEqual({ from: 'XLU', to: 'XLE' });
  });

  it('the holder just replaced needs twice the margin to take the role back within the return window', () => {
    let s: RoleState = { holder: 'XLE', challenger: null, since: null };
    const step = (t: number, r: Record<string, number>) => {
      const out = stepRole(s, 'leader', rank(r), t, { marginPp: 1, dwell: 0, returnWindow: 5 });
      s = out.state;
      return out.change?.to ?? null;
    };
    expect(step(0, { XLE: 0, XLK: 1.2, XLU: -1 })).toBe('XLK'); // 1.2 >= margin 1
    expect(step(1, { XLE: 1.5, XLK: 0, XLU: -1 })).toBeNull(); // XLE back by 1.5 < 2: noise
    expect(step(2, { XLE: 2.1, XLK: 0, XLU: -1 })).toBe('XLE'); // by 2.1 >= 2: a real swing
    expect(step(3, { XLE: 0, XLK: 1.1, XLU: -1 })).toBeNull(); // XLK is now the one returning
    expect(step(9, { XLE: 0, XLK: 1.1, XLU: -1 })).toBe('XLK'); // after the window, the plain margin
  });

  it('rotation intensity is 1 - Spearman rho', () => {
    expect(rotationIntensity(null, ['A', 'B'])).toBeNull();
    expect(rotationIntensity(['A', 'B', 'C', 'D'], ['A', 'B', 'C', 'D'])).toBeCloseTo(0, 12);
    expect(rotationIntensity(['A', 'B', 'C', 'D'], ['B', 'A', 'C', 'D'])).toBeCloseTo(0.2, 12);
    expect(rotationIntensity(['A', 'B', 'C', 'D'], ['D', 'C', 'B', 'A'])).toBeCloseTo(2, 12);
  });
});

describe('RRG', () => {
  const p = { trend: 2, smoothing: 1, momentum: 2, deadBand: 0.05, tailLength: 2 };
  const feed = (prices: number[], bench: number[] | number = 100, params = p) => {
    let st: RrgState = emptyRrg();
    const states: RrgState[] = [];
    prices.forEach((price, i) => {
      st = rrgStep(st, i, price, Array.isArray(bench) ? bench[i]! : bench, params);
      states.push(st);
    });
    return states;
  };

  it('follows the documented formulas bar by bar (hand-computed)', () => {
    // Flat benchmark of 100: RS = the price. trend 2 -> alpha 2/3; smoothing 1 -> alpha 1 (no smoothing).
    // RS 100, 103, 106: EMA2(RS) = 100, 102, 104.6667; RS-Ratio = 100 * RS / EMA = 100, 100.98039, 101.27389
    // momentum 2 (alpha 2/3): EMA(RSR) = 100, 100.65359, 101.06712; RS-Mom = 100 * RSR / EMA = 100, 100.32468, 100.20458
    const s = feed([100, 103, 106]);
    expect(rrgWarmupBars(p)).toBe(3);
    expect(s[1]!.rsRatio).toBeNull(); // not warm before trend + smoothing bars
    const ema = 102 + (2 / 3) * (106 - 102);
    const rsr1 = (100 * 103) / 102;
    const rsr2 = (100 * 106) / ema;
    const emaR = 100 + (2 / 3) * (rsr1 - 100);
    const emaR2 = emaR + (2 / 3) * (rsr2 - emaR);
    expect(s[2]!.rsRatio).toBeCloseTo(rsr2, 10);
    expect(s[2]!.rsRatio).toBeCloseTo(101.27389, 4);
    expect(s[2]!.rsMomentum).toBeCloseTo((100 * rsr2) / emaR2, 10);
    expect(s[2]!.rsMomentum).toBeCloseTo(100.20458, 4);
    expect(s[2]!.quadrant).toBe('leading');
  });

  it('keeps scale: a 5 % move reads far from 100, a 0.001 % wiggle stays at 100', () => {
    const big = feed([100, 100, 105], 100).at(-1)!;
    const tiny = feed([100, 100, 100.001], 100).at(-1)!;
    // 105 / (100 + 2/3 * 5) = 1.016129: 1.61 points; the wiggle is 5000 times smaller.
    expect(big.rsRatio!).toBeCloseTo(101.6129, 4);
    expect((big.rsRatio! - 100) / (tiny.rsRatio! - 100)).toBeGreaterThan(4500);
    expect((big.rsRatio! - 100) / (tiny.rsRatio! - 100)).toBeLessThan(5100);
    expect(Math.abs(tiny.rsRatio! - 100)).toBeLessThan(0.001);
    expect(tiny.quadrant).toBeNull(); // inside the dead band: no quadrant
  });

  it('a sector that tracks the benchmark sits at (100, 100) with no quadrant and no changes', () => {
    const bench = Array.from({ length: 60 }, (_, i) => 400 * (1 + 0.01 * Math.sin(i / 3)));
    const noise = bench.map((b, i) => (b / 8) * (1 + (i % 2 === 0 ? 1e-7 : -1e-7)));
    const s = feed(noise, bench, { ...p, trend: 14, smoothing: 20, momentum: 20 });
    const warm = s.filter((x) => x.rsRatio !== null);
    expect(warm.length).toBeGreaterThan(20);
    for (const x of warm) {
      expect(x.rsRatio!).toBeCloseTo(100, 4);
      expect(x.rsMomentum!).toBeCloseTo(100, 4);
      expect(x.quadrant).toBeNull();
    }
  });

  it('quadrants change only beyond the dead band, and RS-Momentum turns before RS-Ratio', () => {
    // A slow relative cycle (period 40 bars): momentum must peak before the ratio does.
    const params = { ...p, trend: 5, smoothing: 3, momentum: 5 };
    const prices = Array.from({ length: 160 }, (_, i) => 100 * (1 + 0.03 * Math.sin((2 * Math.PI * i) / 40)));
    const s = feed(prices, 100, params);
    const last = s.slice(80);
    const peaks = (xs: number[]) => xs.map((_, i) => i).filter((i) => i > 0 && i < xs.length - 1 && xs[i]! > xs[i - 1]! && xs[i]! >= xs[i + 1]!);
    const ratioPeaks = peaks(last.map((x) => x.rsRatio!)).filter((i) => i >= 20);
    const momPeaks = peaks(last.map((x) => x.rsMomentum!));
    expect(ratioPeaks.length).toBeGreaterThanOrEqual(1);
    for (const pr of ratioPeaks) {
      // The momentum peak of the same cycle comes first, by less than half a period.
      expect(momPeaks.some((pm) => pm < pr && pr - pm < 20)).toBe(true);
    }
    // Clockwise: leading -> weakening -> lagging -> improving -> leading.
    const order = ['leading', 'weakening', 'lagging', 'improving'];
    const seq = last.map((x) => x.quadrant).filter((q, i, a) => q !== null && q !== a[i - 1]);
    for (let i = 1; i < seq.length; i++) expect(order.indexOf(seq[i]!)).toBe((order.indexOf(seq[i - 1]!) + 1) % 4);
    // A wiggle of 0.02 points across 100 does not change a side.
    const band = feed([100, 100, 100, 100.04, 99.98, 100.04, 99.98], 100, { ...p, deadBand: 0.05 });
    expect(new Set(band.map((x) => x.quadrant))).toEqual(new Set([null]));
  });

  it('the tail is bounded and holds warm points only', () => {
    const s = feed([100, 101, 102, 103, 104, 105]).at(-1)!;
    expect(s.tail.map((x) => x.t)).toEqual([4, 5]);
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

  it.each([
    [[1, 2, -1, null, 0], (100 * 2) / 3], // unchanged and missing are left out
    [[-1, -2], 0],
    [[0, null], null],
  ])('advancing share of %j is %s', (changes, want) => {
    const got = advancingPct(changes);
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 10);
  });

  it('thrust fires when the EMA goes from below low to above high within the bars, once, after the warm-up', () => {
    const p = { low: 40, high: 60, withinBars: 3 }; // alpha 0.5
    let s = emptyThrust();
    const fired: boolean[] = [];
    for (const x of [20, 30, 30, 100, 100, 100, 100]) {
      const out = thrustStep(s, x, p);
      s = out.state;
      fired.push(out.fired !== null);
    }
    // EMA: 20, 25, 27.5 (bar 3: warm), 63.75 (> 60, and 27.5 < 40 within 3 bars) -> fires; then disarmed.
    expect(fired).toEqual([false, false, false, true, false, false, false]);
    expect(s.armed).toBe(false);
    expect(s.advancing).toBe(100);
  });

  it('cannot fire from the seed before the warm-up (0 % then a few strong days)', () => {
    const p = { low: 40, high: 61.5, withinBars: 10 };
    let s = emptyThrust();
    const fired: number[] = [];
    [0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100].forEach((x, i) => {
      const out = thrustStep(s, x, p);
      s = out.state;
      if (out.fired) fired.push(i);
    });
    expect(fired).toEqual([]);
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
    const a = makeAlert({ kind: 'size_regime_change', severity: 'warning', subject: 'IWM/SPY', window: '7d', t: Date.UTC(2024, 2, 8, 21), message: 'm', metrics: { x: 1.23456 } });
    const b = makeAlert({ kind: 'size_regime_change', severity: 'warning', subject: 'IWM/SPY', window: '7d', t: Date.UTC(2024, 2, 8, 21), message: 'other text', metrics: {} });
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^a_[0-9a-f]{24}$/);
    expect(a.id).not.toBe(alertId('size_regime_change', 'IWM/SPY', '1d', a.eventTime));
    expect(a.metrics).toEqual({ x: 1.2346 });
    expect(a.eventTime).toBe('2024-03-08T21:00:00.000Z');
  });
});
