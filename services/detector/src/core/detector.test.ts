import { describe, expect, it } from 'vitest';
import { Detector } from './detector.js';
import { processBatch } from './process-batch.js';
import { compileSettings } from './settings.js';
import { MemoryStateStore } from './store.js';
import { testUniverse } from './test-universe.js';
import type { InputRecord } from './tick-input.js';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 2, 0, 0); // steps are multiples of 1 minute from here
const settings = compileSettings(testUniverse());
const LANE: Record<string, number> = { SPY: 0, IWM: 0, XLE: 0, NVDA: 0, RSP: 0, XLK: 1, XLU: 1, MSFT: 1 };

function rec(sym: string, ts: number, price: number, offset: number, extra: Record<string, unknown> = {}): InputRecord {
  return { lane: LANE[sym]!, offset: String(offset), value: JSON.stringify({ v: 1, symbol: sym, price, ts, source: 'replay', ...extra }) };
}

function detector(): Detector {
  return new Detector({ settings, lanes: [0, 1], topic: 't.ticks', now: () => 0 });
}

/** Ticks with offsets numbered per lane in the order given. */
function numbered(ticks: Array<[string, number, number]>): InputRecord[] {
  const next = [0, 0];
  return ticks.map(([sym, ts, price]) => rec(sym, ts, price, next[LANE[sym]!]!++));
}

/** Moves both lanes' watermarks past `t` so every step at or before t is final. */
function flushTo(t: number, offset = 1000): InputRecord[] {
  return [rec('SPY', t + 2 * M, 1, offset), rec('XLK', t + 2 * M, 1, offset)];
}

describe('event-time windows', () => {
  it('r_w(t) = P(t)/P(t-w) - 1 with P(t-w) the last price at or before t-w', () => {
    const d = detector();
    const at = (min: number, sec = 0) => T0 + min * M + sec * 1000;
    const input = numbered([
      ['IWM', at(0, 30), 100],
      ['IWM', at(4, 10), 101],
      ['IWM', at(5, 0), 102], // exactly on the 5-minute boundary: belongs to it
      ['IWM', at(9, 10), 103],
      ['IWM', at(8, 40), 99], // out of order, within the 1-minute lateness of 9:10
      ['IWM', at(10, 0), 104],
    ]);
    for (const r of input) expect(d.offer(r)).toBeNull();
    for (const r of flushTo(at(10))) d.offer(r);
    d.advance();
    // t = 10:00: P = 104, P(5:00) = 102
    expect(d.returnAt('IWM', '5m', at(10))).toBeCloseTo((104 / 102 - 1) * 100, 10);
    // t = 9:00: P(9:00) = 99 (the 8:40 tick), P(4:00) = 100 (the 0:30 tick)
    expect(d.returnAt('IWM', '5m', at(9))).toBeCloseTo(-1, 10);
    // t = 5:00: P = 102, P(0:00) unknown (first tick is 0:30)
    expect(d.returnAt('IWM', '5m', at(5))).toBeNull();
    // t = 6:00: P(6:00) = 102, P(1:00) = 100
    expect(d.returnAt('IWM', '5m', at(6))).toBeCloseTo(2, 10);
  });

  it('dead-letters ticks beyond the allowed lateness, bad records and unknown symbols', () => {
    const d = detector();
    expect(d.offer(rec('IWM', T0 + 10 * M, 100, 0))).toBeNull();
    const late = d.offer(rec('SPY', T0 + 8 * M, 100, 1)); // same lane, 2 minutes behind
    expect(late).toMatchObject({ reason: 'late', source: 'detector', origin: { topic: 't.ticks', partition: 0, offset: '1' } });
    expect(d.offer(rec('IWM', T0 + 9 * M, 100, 2))).toBeNull(); // exactly the lateness: accepted
    const cases: Array<[InputRecord['value'], string]> = [
      ['{not json', 'parse_error'],
      [null, 'parse_error'],
      [JSON.stringify({ v: 1, symbol: 'IWM', price: -1, ts: T0, source: 'replay' }), 'invalid_tick'],
      [JSON.stringify({ v: 1, symbol: 'ZZZ', price: 1, ts: T0 + 10 * M, source: 'replay' }), 'unknown_symbol'],
      ['x'.repeat(5000), 'too_large'],
    ];
    for (const [value, reason] of cases) expect(d.offer({ lane: 0, offset: '9', value })?.reason).toBe(reason);
    expect(d.state.counters).toMatchObject({ accepted: 2, late: 1, rejected: 5 });
  });

  it('a watermark record moves a quiet lane on, so steps finalize without a tick there', () => {
    const wm = (lane: number, ts: number, offset: number): InputRecord => ({ lane, offset: String(offset), value: JSON.stringify({ v: 1, watermark: ts, source: 'alpaca' }) });
    const d = detector();
    // Lane 0 trades for ten minutes; lane 1 (XLK, XLU, MSFT) only once at the start.
    for (const [i, r] of numbered([['XLK', T0, 50], ...Array.from({ length: 10 }, (_, m) => ['IWM', T0 + (m + 1) * M, 100 + m] as [string, number, number])]).entries()) {
      expect(d.offer({ ...r, offset: String(i) })).toBeNull();
    }
    d.advance();
    expect(d.asOf).toBeNull(); // lane 1's newest is T0: no step after it can be final
    // The live source's watermark on lane 1: no dead letter, no tick counted, and evaluation moves.
    expect(d.offer(wm(1, T0 + 10 * M, 100))).toBeNull();
    expect(d.state.counters).toMatchObject({ accepted: 11, late: 0, rejected: 0 });
    d.advance();
    expect(d.asOf).toBeGreaterThan(T0 + 5 * M);
    // It never moves a lane back, and a tick behind it by more than the lateness is late.
    expect(d.offer(wm(1, T0, 101))).toBeNull();
    expect(d.state.lanes['1']).toBe(T0 + 10 * M);
    expect(d.offer(rec('XLK', T0 + 5 * M, 51, 102))?.reason).toBe('late');
    // A watermark on a partition that carries no universe symbol is ignored (it would have to
    // keep advancing forever after), and a malformed one is a dead letter like any bad record.
    expect(d.offer(wm(5, T0 + 20 * M, 0))).toBeNull();
    expect(d.state.lanes['5']).toBeUndefined();
    expect(d.offer({ lane: 1, offset: '103', value: JSON.stringify({ v: 1, watermark: -5, source: 'alpaca' }) })?.reason).toBe('invalid_tick');
  });

  it('a duplicate tick never changes state, wherever it arrives', () => {
    const ticks = numbered([
      ['IWM', T0 + 30_000, 100],
      ['IWM', T0 + 30_000, 99], // same ms, different trade: the higher price is kept
      ['IWM', T0 + 50_000, 101],
    ]);
    const a = detector();
    for (const r of ticks) a.offer(r);
    const b = detector();
    for (const r of [...ticks, ticks[0]!, ticks[1]!, ticks[2]!]) b.offer(r);
    expect(b.state.pending).toEqual(a.state.pending);
    expect(b.state.lanes).toEqual(a.state.lanes);
    expect(a.state.pending.IWM).toEqual({ [String(T0 / M + 1)]: [T0 + 50_000, 0, 101] });
  });
});

describe('cross-symbol analytics', () => {
  it('spreads in pp, basket as the mean of member returns, ratio rebased to 100', () => {
    const d = detector();
    const at = (min: number) => T0 + min * M;
    const input = numbered([
      ['IWM', at(0), 100],
      ['SPY', at(0), 400],
      ['NVDA', at(0), 50],
      ['MSFT', at(0), 200],
      ['RSP', at(0), 150],
      ['IWM', at(5), 103.25],
      ['SPY', at(5), 397.12],
      ['NVDA', at(5), 55], // +10%
      ['MSFT', at(5), 196], // -2%
      ['RSP', at(5), 151.5], // +1%
    ]);
    for (const r of [...input, ...flushTo(at(5))]) d.offer(r);
    d.advance();
    // The flush ticks at 7:00 move both watermarks to 6:00; steps strictly below it are final.
    expect(d.asOf).toBe(at(5));
    expect(d.returnAt('AI', '5m', at(5))).toBeCloseTo(4, 10); // (10 + -2) / 2
    const snap = d.snapshot()!;
    const iwm = snap.spreads.find((s) => s.pair === 'IWM/SPY' && s.window === '5m')!;
    expect(iwm.smallReturnPct).toBeCloseTo(3.25, 6);
    expect(iwm.largeReturnPct).toBeCloseTo(-0.72, 6);
    expect(iwm.spreadPp).toBeCloseTo(3.97, 6);
    expect(iwm.ratio).toBeCloseTo((100 * 1.0325) / 0.9928, 6);
    const ai = snap.spreads.find((s) => s.pair === 'AI/RSP' && s.window === '5m')!;
    expect(ai.spreadPp).toBeCloseTo(3, 6);
    // Basket ratio: growth = mean(55/50, 196/200) = 1.04; RSP growth 1.01
    expect(ai.ratio).toBeCloseTo((100 * 1.04) / 1.01, 6);
    expect(ai.zScore).toBeNull(); // not warm
    expect(snap.asOf).toBe(new Date(at(5)).toISOString());
  });

  it('ranks sectors, confirms a new leader only after the dwell, and says so readably', () => {
    const d = detector();
    const at = (min: number) => T0 + min * M;
    const ticks: Array<[string, number, number]> = [];
    for (let m = 0; m <= 40; m++) {
      // XLE: 100 + m. XLK: the same until 20:00, then twice as fast. XLU and SPY flat.
      ticks.push(['SPY', at(m), 100], ['XLE', at(m), 100 + m]);
      ticks.push(['XLK', at(m), m <= 20 ? 100 + m : 80 + 2 * m], ['XLU', at(m), 100]);
    }
    for (const r of numbered(ticks)) d.offer(r);
    d.advance();
    expect(d.asOf).toBe(at(38)); // watermark 39:00
    const alerts = d.takeAlerts().filter((a) => a.kind === 'leadership_change');
    // 5:00: XLE and XLK tie (+5.26%), XLE is first by symbol and becomes the leader silently.
    // 21:00: XLK 122/116 = +5.17% vs XLE 121/116 = +4.31%: leads by 0.86 pp >= 0.25, clock starts.
    // 31:00: ten minutes of dwell held: XLK 142/132 = +7.58%, XLE 131/126 = +3.97%.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'leadership_change',
      severity: 'info',
      subject: 'XLK',
      window: '5m',
      eventTime: new Date(at(31)).toISOString(),
      message: 'XLK (Technology) takes the sector lead over 5m: XLK +7.58% vs XLE +3.97% (SPY +0.00%)',
      metrics: { role: 'leader', from: 'XLE', to: 'XLK' },
    });
    const w5 = d.snapshot()!.sectors.find((s) => s.window === '5m')!;
    expect(w5.leader).toBe('XLK');
    expect(w5.laggard).toBe('XLU');
    // at 38:00: XLK 156/146 - 1, XLE 138/133 - 1, XLU 0
    expect(w5.ranking.map((r) => [r.symbol, r.rank])).toEqual([
      ['XLK', 1],
      ['XLE', 2],
      ['XLU', 3],
    ]);
    expect(w5.ranking[0]!.returnPct).toBeCloseTo((156 / 146 - 1) * 100, 6);
    expect(w5.ranking[1]!.relativePct).toBeCloseTo((138 / 133 - 1) * 100, 6);
  });
});

describe('determinism', () => {
  /** A few hours of two lanes with trends, so regimes, leaders and RRG all move. */
  function stream(): InputRecord[] {
    const ticks: Array<[string, number, number]> = [];
    for (let m = 0; m < 12 * 60; m++) {
      const t = T0 + m * M + 7_000;
      const wave = Math.sin(m / 40);
      ticks.push(['SPY', t, 400 * (1 + 0.0001 * m)]);
      ticks.push(['IWM', t, 200 * (1 + 0.0004 * m * (m > 300 ? -1 : 1) + 0.01)]);
      ticks.push(['XLE', t, 80 * (1 + 0.02 * wave)]);
      ticks.push(['XLK', t, 150 * (1 + 0.02 * Math.sin(m / 40 + 2))]);
      ticks.push(['XLU', t, 60 * (1 + 0.02 * Math.sin(m / 40 + 4))]);
      ticks.push(['NVDA', t, 100 * (1 + 0.0005 * m)]);
      ticks.push(['MSFT', t, 300]);
      ticks.push(['RSP', t, 150]);
    }
    return numbered(ticks);
  }

  async function run(records: InputRecord[], batchSizes: number[], restartAfter?: number) {
    const store = new MemoryStateStore(settings.ringLength);
    let d = detector();
    let offsets: Record<string, string> = {};
    let i = 0;
    let b = 0;
    while (i < records.length) {
      const size = batchSizes[b++ % batchSizes.length]!;
      const out = processBatch(d, records.slice(i, i + size), offsets);
      await store.commit(out.request);
      i += size;
      if (restartAfter !== undefined && b === restartAfter) {
        const loaded = (await store.load())!;
        d = new Detector({ settings, lanes: [0, 1], topic: 't.ticks', now: () => 0 }, loaded);
        offsets = loaded.offsets;
        i -= size; // the last batch is delivered again: it must be skipped by offset
      }
    }
    return { snapshot: store.snapshot!.snapshot, alerts: store.history.map((a) => `${a.seq} ${a.id} ${a.message}`), state: (await store.load())!.state };
  }

  /** Same per-lane order, different interleaving of the two lanes. */
  function interleave(records: InputRecord[], seed: number): InputRecord[] {
    const lanes = [records.filter((r) => r.lane === 0), records.filter((r) => r.lane === 1)];
    const out: InputRecord[] = [];
    let x = seed;
    while (lanes[0]!.length + lanes[1]!.length > 0) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const runLen = 1 + (x % 400);
      const pick = lanes[0]!.length === 0 ? 1 : lanes[1]!.length === 0 ? 0 : x % 2;
      out.push(...lanes[pick]!.splice(0, runLen));
    }
    return out;
  }

  it('gives the same snapshot, alerts and state for any lane interleaving, batching or restart', { timeout: 60_000 }, async () => {
    const records = stream();
    const base = await run(records, [500]);
    expect(base.alerts.length).toBeGreaterThan(3);
    expect(base.alerts.some((a) => a.includes('Small caps lead: IWM'))).toBe(true);
    expect(base.snapshot.rrg.some((r) => r.warm)).toBe(true);
    for (const [seed, sizes, restart] of [
      [1, [3, 50, 300], undefined],
      [2, [2000], 3],
      [3, [13], 50],
    ] as const) {
      const other = await run(interleave(records, seed), [...sizes], restart);
      expect(other.alerts).toEqual(base.alerts);
      expect(other.snapshot).toEqual(base.snapshot);
      expect(other.state).toEqual(base.state);
    }
  });
});
