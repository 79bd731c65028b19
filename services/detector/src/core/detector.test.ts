import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { Detector } from './detector.js';
import { processBatch } from './process-batch.js';
import { compileSettings } from './settings.js';
import { MemoryStateStore } from './store.js';
import { testUniverse } from './test-universe.js';
import type { InputRecord } from './tick-input.js';
import { RRG_TRACK, rrgEntry, windowEntry } from './history.js';

const M = 60_000;
const XNYS = getCalendar('XNYS');
/** New York wall-clock time in January (EST, UTC-5) as epoch ms. */
const et = (day: number, h: number, m: number, s = 0) => Date.UTC(2024, 0, day, h + 5, m, s);
const LANE: Record<string, number> = { SPY: 0, IWM: 0, XLE: 0, NVDA: 0, RSP: 0, XLK: 1, XLU: 1, MSFT: 1 };

type T = [symbol: string, ts: number, price: number];

function tickValue(sym: string, ts: number, price: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ v: 1, symbol: sym, price, ts, source: 'replay', ...extra });
}

/** Records on one lane (or on LANE's two), offsets numbered per lane in the order given. */
function records(ticks: readonly T[], lanes: 1 | 2 = 1): InputRecord[] {
  const next = [0, 0];
  return ticks.map(([sym, ts, price]) => {
    const lane = lanes === 1 ? 0 : LANE[sym]!;
    return { lane, offset: String(next[lane]!++), value: tickValue(sym, ts, price) };
  });
}

/** The end-of-stream watermark a finished replay sends to every partition. */
function endOfStream(ts: number, lanes: number[] = [0]): InputRecord[] {
  return lanes.map((lane) => ({ lane, offset: String(1_000_000 + lane), value: JSON.stringify({ v: 1, watermark: ts, source: 'replay', final: true }) }));
}

function detector(windows?: string[], detectorSettings: Record<string, unknown> = {}, lanes = [0]): Detector {
  const settings = compileSettings(testUniverse(detectorSettings, windows));
  return new Detector({ settings, lanes, topic: 't.ticks', now: () => 0 });
}

function feed(d: Detector, recs: readonly InputRecord[]) {
  const dead = recs.map((r) => d.offer(r)).filter((x) => x !== null);
  d.advance();
  return dead;
}

const ret = (d: Detector, sym: string, w: string) => d.snapshot()!.returns[sym]![w];

describe('market-time windows', () => {
  it('1d is the change since the previous close; extended-hours and weekend prints move nothing', () => {
    const d = detector(['5m', '1d']);
    const dead = feed(d, [
      ...records([
        ['IWM', et(5, 15, 50, 10), 99],
        ['IWM', et(5, 15, 59, 30), 100], // the Friday close
        ['IWM', et(5, 16, 30), 120], // post-market
        ['IWM', et(6, 7, 0), 130], // Saturday
        ['IWM', et(8, 9, 0), 90], // Monday pre-market
        ['IWM', et(8, 9, 30, 0), 91], // exactly 09:30:00.000 is not yet regular
        ['IWM', et(8, 9, 31, 10), 101],
      ]),
      ...endOfStream(et(8, 9, 32, 50)),
    ]);
    expect(dead).toEqual([]);
    // Evaluated through 09:33 (the last tick's step): 1d = 101 / 100 - 1.
    expect(d.asOf).toBe(et(8, 9, 33));
    expect(ret(d, 'IWM', '1d')).toBeCloseTo(1, 5);
    // 5m in trading time at 09:33 reaches back 5 steps: 09:32, 09:31 (Monday), 16:00, 15:59, 15:58 (Friday) = 99.
    expect(ret(d, 'IWM', '5m')).toBeCloseTo((101 / 99 - 1) * 100, 5);
    expect(d.state.counters).toMatchObject({ accepted: 3, extendedHours: 3, marketClosed: 1 });
    // 15:51..16:00 on Friday, 09:31..09:33 on Monday: nothing in between was evaluated.
    expect(d.state.counters.steps).toBe(10 + 3);
    expect(d.snapshot()!.market).toMatchObject({ calendar: 'XNYS', session: '2024-01-08', atClose: false });
  });

  it('calendar windows reach the last close at or before the same New York time, across MLK day and DST', () => {
    // Daily closes only (16:00 ET), as a replay of daily bars gives them.
    const days = ['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12', '2024-01-16', '2024-01-17'];
    const closes = days.map((date, i) => ['IWM', XNYS.sessionOn(date)!.close, 100 + i] as T);
    const d = detector(['1d', '7d', '5sess']);
    feed(d, [...records(closes), ...endOfStream(closes.at(-1)![1])]);
    // At the 17 Jan close: 1d against the 16th (105), 7d against the 10th's close (102),
    // 5sess: 16, 12, 11, 10, 9 -> the 9th (101). MLK day (15th) is no session.
    expect(ret(d, 'IWM', '1d')).toBeCloseTo((106 / 105 - 1) * 100, 5);
    expect(ret(d, 'IWM', '7d')).toBeCloseTo((106 / 102 - 1) * 100, 5);
    expect(ret(d, 'IWM', '5sess')).toBeCloseTo((106 / 101 - 1) * 100, 5);

    // In the middle of a session, 7d reaches the close before the same time a week earlier.
    const mid = detector(['1d', '7d']);
    feed(mid, [...records([...closes, ['IWM', et(18, 12, 0), 110]]), ...endOfStream(et(18, 12, 0))]);
    // 18 Jan 12:00 ET - 7 days = 11 Jan 12:00 ET: the last close at or before is the 10th's (102).
    expect(ret(mid, 'IWM', '7d')).toBeCloseTo((110 / 102 - 1) * 100, 5);

    // DST began 2024-03-10: the 8 Mar close is 21:00Z, the 15 Mar close 20:00Z. 7 x 24 h before
    // 15 Mar 20:00Z is 8 Mar 20:00Z, an hour before that close; New York time is what counts.
    const dst = detector(['1d', '7d']);
    const mar = ['2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14', '2024-03-15'];
    const marCloses = mar.map((date, i) => ['IWM', XNYS.sessionOn(date)!.close, 200 + i] as T);
    expect(marCloses[1]![1]).toBe(Date.UTC(2024, 2, 8, 21));
    expect(marCloses[6]![1]).toBe(Date.UTC(2024, 2, 15, 20));
    feed(dst, [...records(marCloses), ...endOfStream(marCloses.at(-1)![1])]);
    expect(ret(dst, 'IWM', '7d')).toBeCloseTo((206 / 201 - 1) * 100, 5);
  });

  it('a half day closes at 13:00 ET: its bar is stamped then and later prints are post-market', () => {
    const friday = XNYS.sessionOn('2024-11-29')!;
    expect(friday.close).toBe(Date.UTC(2024, 10, 29, 18));
    const d = detector(['1d']);
    const wed = XNYS.sessionOn('2024-11-27')!.close;
    feed(d, [
      ...records([
        ['IWM', wed, 100],
        ['SPY', wed, 400],
        ['IWM', friday.close - 30_000, 102],
        ['SPY', friday.close - 30_000, 404],
        ['IWM', friday.close + 30 * M, 150], // 13:30 ET: post-market on a half day
      ]),
      ...endOfStream(friday.close + 30 * M),
    ]);
    expect(d.asOf).toBe(friday.close);
    expect(d.snapshot()!.market!.atClose).toBe(true);
    expect(ret(d, 'IWM', '1d')).toBeCloseTo(2, 5);
    expect(d.state.bars.sessions).toEqual([XNYS.sessionOn('2024-11-27')!.index, friday.index]);
    expect(d.state.counters.extendedHours).toBe(1);
  });

  it('a replay that ends is evaluated through its last tick; without the end nothing past the lateness is', () => {
    const ticks = records([
      ['IWM', et(8, 15, 59), 100],
      ['IWM', et(9, 16, 0), 103],
    ]);
    const open = detector(['1d']);
    feed(open, ticks);
    // The last tick's lateness still covers 15:59..16:00 of the 9th: evaluated to 15:58, 1d still 0.
    expect(open.asOf).toBe(et(9, 15, 58));
    expect(ret(open, 'IWM', '1d')).toBe(0);
    const ended = detector(['1d']);
    feed(ended, [...ticks, ...endOfStream(et(9, 16, 0))]);
    expect(ended.asOf).toBe(et(9, 16, 0));
    expect(ret(ended, 'IWM', '1d')).toBeCloseTo(3, 5);
  });

  it('a full timestamp tie goes to the later record, whatever the prices', () => {
    for (const [first, second] of [
      [100, 99],
      [99, 100],
    ] as const) {
      const d = detector(['1d']);
      d.offer(records([['IWM', et(8, 10, 0, 30), first]])[0]!);
      d.offer({ ...records([['IWM', et(8, 10, 0, 30), second]])[0]!, offset: '1' });
      // The bucket's close is its newest print; the one before stays in case the newest is cancelled.
      expect(d.state.pending.IWM).toEqual({ [String(et(8, 10, 1) / M)]: [[et(8, 10, 0, 30), 0, first, ''], [et(8, 10, 0, 30), 0, second, '']] });
    }
  });

  it('dead-letters ticks beyond the allowed lateness, bad records and unknown symbols', () => {
    const d = detector();
    expect(d.offer(records([['IWM', et(8, 10, 10), 100]])[0]!)).toBeNull();
    const late = d.offer({ lane: 0, offset: '1', value: tickValue('IWM', et(8, 10, 8, 59), 99) });
    expect(late?.reason).toBe('late');
    expect(d.offer({ lane: 0, offset: '2', value: tickValue('IWM', et(8, 10, 9, 30), 99) })).toBeNull(); // within 1 minute
    // With the source's own progress stamped, lateness is judged against it, not the partition's.
    expect(d.offer({ lane: 0, offset: '3', value: tickValue('XLE', et(8, 10, 9, 0), 80, { sourceMaxTs: et(8, 10, 9, 30) }) })).toBeNull();
    expect(d.offer({ lane: 0, offset: '4', value: tickValue('XLE', et(8, 10, 8, 0), 80, { sourceMaxTs: et(8, 10, 9, 30) }) })?.reason).toBe('late');
    expect(d.offer({ lane: 0, offset: '5', value: '{"v":1' })?.reason).toBe('parse_error');
    expect(d.offer({ lane: 0, offset: '6', value: tickValue('ZZZZ', et(8, 10, 10), 1) })?.reason).toBe('unknown_symbol');
    expect(d.state.counters).toMatchObject({ accepted: 3, late: 2, rejected: 2 });
  });
});

describe('cross-symbol analytics', () => {
  it('spreads in pp, basket as the mean of member returns, ratio rebased to 100, no intraday z-score', () => {
    const d = detector(['5m', '1d']);
    const at = (min: number) => et(8, 10, min);
    const ticks: T[] = [
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
    ];
    feed(d, [...records(ticks), ...endOfStream(at(5))]);
    expect(d.asOf).toBe(at(5));
    const snap = d.snapshot()!;
    expect(snap.returns.AI!['5m']).toBeCloseTo(4, 5); // (10 + -2) / 2
    const iwm = snap.spreads.find((s) => s.pair === 'IWM/SPY' && s.window === '5m')!;
    expect(iwm.smallReturnPct).toBeCloseTo(3.25, 6);
    expect(iwm.largeReturnPct).toBeCloseTo(-0.72, 6);
    expect(iwm.spreadPp).toBeCloseTo(3.97, 6);
    expect(iwm.ratio).toBeCloseTo((100 * 1.0325) / 0.9928, 6);
    expect(iwm.zScore).toBeNull(); // a 5-minute spread has no session-bar history
    const ai = snap.spreads.find((s) => s.pair === 'AI/RSP' && s.window === '5m')!;
    expect(ai.spreadPp).toBeCloseTo(3, 6);
    expect(ai.ratio).toBeCloseTo((100 * 1.04) / 1.01, 6);
  });

  it('intraday leadership dwell counts trading minutes: the night does not hold a lead', () => {
    const d = detector(['5m', '1d'], { leadership: { marginPp: 0.25, dwell: '10m', dwellBars: 1 } });
    const ticks: T[] = [];
    const minute = (day: number, h: number, m: number, step: number) => {
      // XLE rises steadily; XLK keeps pace until step 20, then runs twice as fast.
      ticks.push(['SPY', et(day, h, m), 100], ['XLE', et(day, h, m), 100 + step]);
      ticks.push(['XLK', et(day, h, m), step <= 20 ? 100 + step : 80 + 2 * step], ['XLU', et(day, h, m), 100]);
    };
    // Monday 15:30..16:00 (steps 0..30), then Tuesday 09:31.. (steps 31..).
    for (let i = 0; i <= 30; i++) minute(8, 15, 30 + i, i);
    for (let i = 1; i <= 10; i++) minute(9, 9, 30 + i, 30 + i);
    feed(d, [...records(ticks), ...endOfStream(et(9, 9, 40))]);
    const all = d.takeAlerts();
    const alerts = all.filter((a) => a.kind === 'leadership_change');
    // XLK leads by the margin from 15:51 (trading step 21). Ten trading minutes later is step 31:
    // Tuesday 09:31, not Monday 16:01 (the night is no trading time and holds nothing).
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ subject: 'XLK', window: '5m', eventTime: new Date(et(9, 9, 31)).toISOString() });
    for (const a of all) expect(XNYS.phaseAt(Date.parse(a.eventTime))).toBe('regular');
  });

  it('session windows are decided at the close: a day’s clear leader is reported at that day’s close', () => {
    const d = detector(['1d']);
    const day = (date: string, prices: Record<string, number>) =>
      Object.entries(prices).map(([sym, p]) => [sym, XNYS.sessionOn(date)!.close, p] as T);
    const ticks = [
      ...day('2024-01-08', { SPY: 100, XLE: 100, XLK: 100, XLU: 100 }),
      ...day('2024-01-09', { SPY: 100, XLE: 101, XLK: 100.5, XLU: 99 }), // XLE leads, XLU lags (first holders, silent)
      ...day('2024-01-10', { SPY: 100, XLE: 101.2, XLK: 102.5, XLU: 99.2 }), // XLK +1.99 % vs XLE +0.20 %: clear
    ];
    feed(d, [...records(ticks), ...endOfStream(ticks.at(-1)![1])]);
    const alerts = d.takeAlerts().filter((a) => a.kind === 'leadership_change');
    expect(alerts.map((a) => [a.subject, a.metrics.role, a.eventTime])).toEqual([['XLK', 'leader', new Date(XNYS.sessionOn('2024-01-10')!.close).toISOString()]]);
    const w = d.snapshot()!.sectors[0]!;
    expect([w.leader, w.laggard]).toEqual(['XLK', 'XLU']);
  });

  it('relative returns are null while the benchmark has none', () => {
    const d = detector(['1d']);
    feed(d, [...records([['XLE', et(8, 16, 0), 100], ['XLK', et(8, 16, 0), 100], ['XLE', et(9, 16, 0), 101], ['XLK', et(9, 16, 0), 99]]), ...endOfStream(et(9, 16, 0))]);
    expect(d.snapshot()!.sectors[0]!.ranking.map((r) => [r.symbol, r.relativePct])).toEqual([
      ['XLE', null],
      ['XLK', null],
    ]);
  });
});

describe('determinism', () => {
  const settings = compileSettings(testUniverse());

  /** Five sessions of two lanes with trends, so regimes, leaders and RRG all move. */
  function stream(): T[] {
    const ticks: T[] = [];
    let s = XNYS.sessionOn('2024-01-08')!;
    for (let day = 0; day < 8; day++, s = XNYS.next(s)!) {
      for (let m = 0; m < 390; m += 3) {
        const t = s.open + m * M + 7_000;
        const x = day * 390 + m;
        ticks.push(['SPY', t, 400 * (1 + 0.00001 * x)]);
        ticks.push(['IWM', t, 200 * (1 + 0.00002 * x * (day > 4 ? -1 : 1) + 0.01)]);
        ticks.push(['XLE', t, 80 * (1 + 0.02 * Math.sin(x / 300))]);
        ticks.push(['XLK', t, 150 * (1 + 0.02 * Math.sin(x / 300 + 2))]);
        ticks.push(['XLU', t, 60 * (1 + 0.02 * Math.sin(x / 300 + 4))]);
        ticks.push(['NVDA', t, 100 * (1 + 0.00003 * x)]);
        ticks.push(['MSFT', t, 300]);
        ticks.push(['RSP', t, 150]);
      }
      ticks.push(['SPY', s.close + 20 * M, 999]); // post-market: must change nothing
    }
    return ticks;
  }

  async function run(recs: InputRecord[], lanes: number[], batchSizes: number[], restartAfter?: number) {
    const store = new MemoryStateStore(settings.ringLength);
    const make = (loaded?: Awaited<ReturnType<MemoryStateStore['load']>>) =>
      new Detector({ settings, lanes, topic: 't.ticks', now: () => 0 }, loaded ?? undefined);
    let d = make();
    let offsets: Record<string, string> = {};
    let i = 0;
    let b = 0;
    let dead = 0;
    while (i < recs.length) {
      const size = batchSizes[b++ % batchSizes.length]!;
      const out = processBatch(d, recs.slice(i, i + size), offsets);
      dead += out.deadLetters.length;
      await store.commit(out.request);
      i += size;
      if (restartAfter !== undefined && b === restartAfter) {
        const loaded = (await store.load())!;
        d = make(loaded);
        offsets = loaded.offsets;
        i -= size; // the last batch is delivered again: it must be skipped by offset
      }
    }
    const state = (await store.load())!.state;
    const points = Object.fromEntries([...store.points].map(([track, list]) => [track, list.map((w) => w.entry)]));
    return { snapshot: store.snapshot!.snapshot, alerts: store.history.map((a) => `${a.id} ${a.eventTime} ${a.message}`), dead, bars: state.bars, points };
  }

  /**
   * The source's order as an ingester publishes it (with a few ticks out of order, some of
   * them beyond the lateness), stamped with the source's running max, spread over n lanes by
   * symbol, the lanes interleaved by a seeded shuffle, then the end-of-stream watermark.
   */
  function partitioned(ticks: readonly T[], n: number, seed: number): InputRecord[] {
    let max = 0;
    const laneOf = (sym: string) => [...sym].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9973, 7) % n;
    const perLane: InputRecord[][] = Array.from({ length: n }, () => []);
    ticks.forEach(([sym, ts, price], i) => {
      const shifted = i % 97 === 0 ? ts - 45_000 : i % 389 === 0 ? ts - 5 * M : ts; // reordered, late
      max = Math.max(max, shifted);
      const lane = laneOf(sym);
      perLane[lane]!.push({ lane, offset: String(perLane[lane]!.length), value: tickValue(sym, shifted, price, { sourceMaxTs: max }) });
    });
    perLane.forEach((list, lane) => list.push({ lane, offset: String(list.length), value: JSON.stringify({ v: 1, watermark: max, source: 'replay', final: true }) }));
    const out: InputRecord[] = [];
    let x = seed;
    while (perLane.some((l) => l.length > 0)) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const open = perLane.filter((l) => l.length > 0);
      out.push(...open[x % open.length]!.splice(0, 1 + (x % 300)));
    }
    return out;
  }

  it('gives the same snapshot, alerts, dead letters and chart points on 1, 2 or 6 partitions, any interleaving, batching or restart', { timeout: 60_000 }, async () => {
    const ticks = stream();
    const lanesOf = (n: number) => Array.from({ length: n }, (_, i) => i);
    const base = await run(partitioned(ticks, 1, 1), [0], [500]);
    expect(base.alerts.length).toBeGreaterThan(3);
    expect(base.dead).toBeGreaterThan(0);
    expect(base.snapshot.rrg.some((r) => r.warm)).toBe(true);
    // The chart points are recorded at steps, not at batches: a batch that spans many steps leaves them all.
    expect(base.points['5m']!.length).toBeGreaterThan(100);
    // The newest point of each track at the last snapshot's time holds that snapshot's numbers.
    const t = base.snapshot.asOf!;
    const atLast = Object.entries(base.points).filter(([, list]) => list.at(-1)!.t === t);
    expect(atLast.length).toBeGreaterThan(0);
    for (const [track, list] of atLast) expect(list.at(-1)).toEqual(track === RRG_TRACK ? rrgEntry(base.snapshot) : windowEntry(base.snapshot, track));
    for (const [n, seed, sizes, restart] of [
      [2, 1, [3, 50, 300], undefined],
      [2, 2, [2000], 3],
      [6, 3, [13, 700], 50],
      [6, 4, [7], undefined],
    ] as const) {
      const other = await run(partitioned(ticks, n, seed), lanesOf(n), [...sizes], restart);
      expect(other.alerts).toEqual(base.alerts);
      expect(other.snapshot).toEqual(base.snapshot);
      expect(other.dead).toBe(base.dead);
      expect(other.bars).toEqual(base.bars);
      // ... and the same chart points: a redelivered batch (the restart) records none twice.
      expect(other.points).toEqual(base.points);
    }
    // Every alert sits inside a regular session.
    for (const line of base.alerts) expect(XNYS.phaseAt(Date.parse(line.split(' ')[1]!))).toBe('regular');
  });
});
