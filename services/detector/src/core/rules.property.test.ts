/**
 * A rule's alerts equal a brute-force evaluation of its condition over the snapshot series:
 * random price paths go through the real detector one step per batch, the snapshot after each
 * step is recorded, and the rule's firings are recomputed from those snapshots alone by a
 * separate, deliberately plain reading of the rules in docs/rules.md (hysteresis, dwell and
 * cooldown in market time, evaluation at steps or at closes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { RuleSpec, type RuleSpecInput, type Snapshot } from '@rotation/schemas';
import { Detector } from './detector.js';
import { processBatch, processRuleBatch } from './process-batch.js';
import { compileSettings } from './settings.js';
import { testUniverse } from './test-universe.js';

const STEP = 30 * 60_000;
const settings = compileSettings(testUniverse({ historyBucket: '30m' }, ['1h', '1d']));
const XNYS = getCalendar('XNYS');
/** Four sessions, 13 half-hour steps each (10:00 … 16:00 ET). */
const STEPS = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'].flatMap((d) => {
  const s = XNYS.sessionOn(d)!;
  return Array.from({ length: 13 }, (_, i) => s.open + (i + 1) * STEP);
});

interface Point {
  t: number;
  atClose: boolean;
  value: number | null;
}

/** Runs the detector one step per batch with the rule and returns the snapshot series and the rule's alert times. */
function simulate(iwm: number[], spy: number[], rule: RuleSpec, window: string): { series: Point[]; fired: number[] } {
  const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
  const at = '2024-01-01T00:00:00.000Z';
  processRuleBatch(d, [{ lane: 0, offset: '0', value: JSON.stringify({ v: 1, id: 'r_000000000000000000000abc', owner: 'p', version: 1, status: 'active', effectiveFrom: null, createdAt: at, updatedAt: at, rule }) }], {});
  const offsets: Record<string, string> = {};
  let offset = 0;
  const rec = (value: object) => ({ lane: 0, offset: String(offset++), value: JSON.stringify(value) });
  const series: Point[] = [];
  const fired: number[] = [];
  STEPS.forEach((t, i) => {
    const out = processBatch(d, [
      rec({ v: 1, symbol: 'IWM', price: iwm[i]!, ts: t - 60_000, source: 'replay' }),
      rec({ v: 1, symbol: 'SPY', price: spy[i]!, ts: t - 60_000, source: 'replay' }),
      rec({ v: 1, watermark: t + 60_001, source: 'replay' }),
    ], offsets);
    expect(out.steps).toBe(1);
    const snap = d.snapshot() as Snapshot;
    const point = snap.spreads.find((p) => p.pair === 'IWM/SPY' && p.window === window)!;
    series.push({ t, atClose: snap.market!.atClose, value: point.spreadPp });
    for (const a of out.request.alerts) if (a.kind === 'rule') fired.push(Date.parse(a.eventTime));
  });
  return { series, fired };
}

/** Every rule alert of one detector holding `rules` (rule i has an id ordered by i): [time, rule index]. */
function simulateMany(iwm: number[], spy: number[], rules: RuleSpec[]): Array<{ t: number; rule: number }> {
  const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
  const at = '2024-01-01T00:00:00.000Z';
  const id = (i: number) => `r_${i.toString(16).padStart(24, '0')}`;
  processRuleBatch(d, rules.map((rule, i) => ({ lane: 0, offset: String(i), value: JSON.stringify({ v: 1, id: id(i), owner: 'p', version: 1, status: 'active', effectiveFrom: null, createdAt: at, updatedAt: at, rule }) })), {});
  const offsets: Record<string, string> = {};
  let offset = 0;
  const rec = (value: object) => ({ lane: 0, offset: String(offset++), value: JSON.stringify(value) });
  const out: Array<{ t: number; rule: number }> = [];
  STEPS.forEach((t, i) => {
    const batch = processBatch(d, [rec({ v: 1, symbol: 'IWM', price: iwm[i]!, ts: t - 60_000, source: 'replay' }), rec({ v: 1, symbol: 'SPY', price: spy[i]!, ts: t - 60_000, source: 'replay' }), rec({ v: 1, watermark: t + 60_001, source: 'replay' })], offsets);
    for (const a of batch.request.alerts) if (a.kind === 'rule') out.push({ t: Date.parse(a.eventTime), rule: parseInt(a.rule!.slice(2), 16) });
  });
  return out;
}

/** A duration in the units of the brute force: [steps, bars]. */
function span(d: string): { bars: boolean; n: number } {
  if (d === '0') return { bars: false, n: 0 };
  const m = /^(\d+)(m|h|bar|bars)$/.exec(d)!;
  const n = Number(m[1]);
  return m[2]!.startsWith('bar') ? { bars: true, n } : { bars: false, n: Math.ceil(((m[2] === 'h' ? 60 : 1) * n * 60_000) / STEP) };
}

/**
 * The rule read literally from its documentation, over the whole series at once: the side at
 * each evaluation from the thresholds, the run of equal sides it belongs to, and a confirmed
 * side that changes once a run has lasted the dwell (firing into "on" only outside the cooldown).
 */
function bruteForce(series: Point[], rule: RuleSpec): number[] {
  const c = rule.condition;
  const h = rule.hysteresis;
  const sideOf = (v: number, prev: string | null): string => {
    let on: boolean;
    let off: boolean;
    if (c.type === 'crosses_above') [on, off] = [v > c.value, v <= c.value - h];
    else if (c.type === 'crosses_below') [on, off] = [v < c.value, v >= c.value + h];
    else if (c.type === 'enters_band') [on, off] = [v >= c.low && v <= c.high, v < c.low - h || v > c.high + h];
    else if (c.type === 'leaves_band') [on, off] = [v < c.low - h || v > c.high + h, v >= c.low && v <= c.high];
    else throw new Error('not generated');
    return on ? 'on' : off ? 'off' : (prev ?? 'off');
  };
  // Clocks at each point: trading steps (its index) and session bars closed so far.
  const bars = series.map((_, i) => series.slice(0, i + 1).filter((p) => p.atClose).length);
  const evaluated = series.map((p, i) => ({ ...p, i })).filter((p) => p.value !== null && (rule.evaluate === 'step' || p.atClose));
  const sides: string[] = [];
  for (const p of evaluated) sides.push(sideOf(p.value!, sides.at(-1) ?? null));
  const dwell = span(rule.dwell);
  const cool = span(rule.cooldown);
  const elapsed = (from: number, to: number, s: { bars: boolean }) => (s.bars ? bars[to]! - bars[from]! : to - from);
  const out: number[] = [];
  let confirmed: string | null = null;
  let lastFire: number | null = null;
  evaluated.forEach((p, k) => {
    const side = sides[k]!;
    if (confirmed === null) return void (confirmed = side);
    if (side === confirmed) return;
    let start = k;
    while (start > 0 && sides[start - 1] === side) start -= 1;
    if (elapsed(evaluated[start]!.i, p.i, dwell) < dwell.n) return;
    if (side !== 'on') return void (confirmed = side);
    if (lastFire !== null && elapsed(lastFire, p.i, cool) < cool.n) return;
    confirmed = side;
    lastFire = p.i;
    out.push(p.t);
  });
  return out;
}

const duration = fc.constantFrom('0', '30m', '1h', '90m', '1bar', '2bars');
const level = fc.double({ min: -1.5, max: 1.5, noNaN: true }).map((x) => Math.round(x * 100) / 100);
const condition = fc.oneof(
  level.map((value) => ({ type: 'crosses_above' as const, value })),
  level.map((value) => ({ type: 'crosses_below' as const, value })),
  fc.tuple(level, fc.double({ min: 0.1, max: 1.5, noNaN: true })).map(([low, w]) => ({ type: 'enters_band' as const, low, high: Math.round((low + w) * 100) / 100 })),
  fc.tuple(level, fc.double({ min: 0.1, max: 1.5, noNaN: true })).map(([low, w]) => ({ type: 'leaves_band' as const, low, high: Math.round((low + w) * 100) / 100 })),
);
/** A price path: 52 half-hour closes from 100, each move within ±0.6 %. */
const path = fc.array(fc.integer({ min: -60, max: 60 }), { minLength: STEPS.length, maxLength: STEPS.length }).map((moves) => {
  let p = 100;
  return moves.map((m) => (p *= 1 + m / 10_000));
});

describe('rules: detector alerts equal a brute-force evaluation over the snapshots', () => {
  it('for spread rules with hysteresis, dwell, cooldown, at steps or at closes', () => {
    fc.assert(
      fc.property(
        path,
        path,
        fc.record({ condition, hysteresis: fc.constantFrom(0, 0.1, 0.25, 0.5), dwell: duration, cooldown: duration, evaluate: fc.constantFrom('step' as const, 'close' as const), window: fc.constantFrom('1h', '1d') }),
        (iwm, spy, r) => {
          const input: RuleSpecInput = { name: 'p', subject: { type: 'pair', pair: 'IWM/SPY' }, ...r };
          const rule = RuleSpec.parse(input);
          const { series, fired } = simulate(iwm, spy, rule, r.window);
          expect(fired).toEqual(bruteForce(series, rule));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('many rules in one detector fire exactly as each does alone (the value index skips only rules that cannot change)', () => {
    const spec = fc.record({ condition, hysteresis: fc.constantFrom(0, 0.1, 0.25), dwell: duration, cooldown: duration, evaluate: fc.constantFrom('step' as const, 'close' as const), window: fc.constantFrom('1h', '1d') });
    fc.assert(
      fc.property(path, path, fc.array(spec, { minLength: 2, maxLength: 12 }), (iwm, spy, specs) => {
        const rules = specs.map((r) => RuleSpec.parse({ name: 'p', subject: { type: 'pair', pair: 'IWM/SPY' }, ...r }));
        const together = simulateMany(iwm, spy, rules);
        const alone = rules.flatMap((rule, i) => simulateMany(iwm, spy, [rule]).map((a) => ({ ...a, rule: i })));
        alone.sort((a, b) => a.t - b.t || a.rule - b.rule);
        expect(together).toEqual(alone);
      }),
      { numRuns: 60 },
    );
  });

  it('is not vacuous: the generated rules fire', () => {
    // One fixed path that crosses +0.5 pp several times: the brute force and the detector both see the firings.
    const iwm = STEPS.map((_, i) => 100 * (1 + (i % 6 < 3 ? 0.008 : -0.008)));
    const spy = STEPS.map(() => 100);
    const rule = RuleSpec.parse({ name: 'p', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1h', condition: { type: 'crosses_above', value: 0.5 }, hysteresis: 0.2, dwell: '30m', cooldown: '1h' });
    const { series, fired } = simulate(iwm, spy, rule, '1h');
    expect(fired.length).toBeGreaterThan(3);
    expect(fired).toEqual(bruteForce(series, rule));
  });
});
