import { describe, expect, it } from 'vitest';
import { Detector } from './detector.js';
import { processBatch } from './process-batch.js';
import { MemoryStateStore } from './store.js';
import { compileSettings } from './settings.js';
import { testUniverse } from './test-universe.js';
import type { InputRecord } from './tick-input.js';

/** New York wall-clock time in June 2024 (EDT, UTC-4) as epoch ms. */
const et = (day: number, h: number, m: number, s = 0) => Date.UTC(2024, 5, day, h + 4, m, s);

function detector(detectorSettings: Record<string, unknown> = {}, windows = ['1d']): Detector {
  return new Detector({ settings: compileSettings(testUniverse(detectorSettings, windows)), lanes: [0], topic: 't.ticks', now: () => 0 });
}

let offset = 0;
const rec = (value: Record<string, unknown>): InputRecord => ({ lane: 0, offset: String(offset++), value: JSON.stringify({ v: 1, source: 'alpaca', ...value }) });
const tick = (symbol: string, ts: number, price: number, extra: Record<string, unknown> = {}) => rec({ symbol, price, ts, ...extra });
const end = (ts: number) => rec({ watermark: ts, final: true });

/** Every symbol of the test universe at the same price, at one time: a full set of prices. */
function all(ts: number, price: (sym: string) => number): InputRecord[] {
  return ['SPY', 'IWM', 'XLE', 'XLK', 'XLU', 'NVDA', 'MSFT', 'RSP'].map((s) => tick(s, ts, price(s)));
}

function run(d: Detector, recs: InputRecord[]) {
  const out = processBatch(d, recs, {});
  return out;
}

describe('print eligibility', () => {
  it('odd lots and other withheld prints are kept out of the price and counted by reason, never dead-lettered', () => {
    const d = detector();
    const out = run(d, [
      ...all(et(10, 15, 59), () => 100),
      tick('SPY', et(10, 15, 59, 30), 90, { conditions: ['@', 'I'], eligibility: { last: false, volume: true, reason: 'odd_lot' } }),
      tick('SPY', et(10, 15, 59, 40), 91, { conditions: ['W'], eligibility: { last: false, volume: true, reason: 'average_price' } }),
      tick('SPY', et(10, 15, 59, 50), 101, { conditions: ['@', 'F'] }),
      end(et(10, 15, 59, 50)),
    ]);
    expect(out.deadLetters).toEqual([]);
    expect(d.persisted().closes.SPY!.at(-1)).toBe(101);
    expect(out.ineligible).toEqual({ odd_lot: 1, average_price: 1 });
    expect(out.outcomes).toMatchObject({ applied: 9, ineligible: 2, watermark: 1 });
    expect(Object.values(out.outcomes).reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('an extended-hours print that arrives late is counted as extended hours, not dead-lettered as late', () => {
    const d = detector();
    const out = run(d, [tick('SPY', et(10, 15, 0), 100), tick('SPY', et(10, 17, 0), 100), tick('SPY', et(10, 16, 10), 99, { sourceMaxTs: et(10, 17, 0) })]);
    expect(out.deadLetters).toEqual([]);
    expect(d.state.counters.extendedHours).toBe(2);
  });
});

describe('cancels and corrections', () => {
  const base = () => all(et(10, 15, 58), () => 100);

  it('a cancel of the newest print falls back to the one before; a correction counts at its new price', () => {
    const d = detector();
    const out = run(d, [
      ...base(),
      tick('SPY', et(10, 15, 59, 10), 102, { id: 'Q-1' }),
      tick('SPY', et(10, 15, 59, 20), 150, { id: 'Q-2' }), // busted
      rec({ type: 'cancel', symbol: 'SPY', ts: et(10, 15, 59, 20), id: 'Q-2', price: 150, action: 'cancel' }),
      tick('IWM', et(10, 15, 59, 30), 50, { id: 'V-7' }),
      rec({ type: 'correction', symbol: 'IWM', ts: et(10, 15, 59, 30), id: 'V-7', price: 50, corrected: { id: 'V-8', price: 101.5 } }),
      end(et(10, 15, 59, 30)),
    ]);
    expect(out.deadLetters).toEqual([]);
    const closes = d.persisted().closes;
    expect(closes.SPY!.at(-1)).toBe(102);
    expect(closes.IWM!.at(-1)).toBe(101.5);
    expect(d.state.counters).toMatchObject({ cancels: 1, corrections: 1, lateCancels: 0 });
    expect(out.outcomes.amended).toBe(2);
  });

  it('a correction to ineligible conditions only takes the print back', () => {
    const d = detector();
    run(d, [
      ...base(),
      tick('SPY', et(10, 15, 59, 30), 120, { id: 'Q-9' }),
      rec({ type: 'correction', symbol: 'SPY', ts: et(10, 15, 59, 30), id: 'Q-9', price: 120, corrected: { id: 'Q-10', price: 120, eligibility: { last: false, volume: true, reason: 'odd_lot' } } }),
      end(et(10, 15, 59, 30)),
    ]);
    expect(d.persisted().closes.SPY!.at(-1)).toBe(100);
  });

  it('a cancel after its step was evaluated is dead-lettered as late_cancel and changes nothing', () => {
    const d = detector();
    run(d, [...base(), tick('SPY', et(10, 15, 58, 30), 130, { id: 'Q-3' }), tick('SPY', et(10, 15, 59, 40), 100)]);
    const again = run(d, [tick('SPY', et(10, 16, 0, 0), 100), rec({ type: 'cancel', symbol: 'SPY', ts: et(10, 15, 58, 30), id: 'Q-3', price: 130 })]);
    expect(again.deadLetters.map((x) => x.reason)).toEqual(['late_cancel']);
    expect(d.state.counters.lateCancels).toBe(1);
  });
});

describe('corporate actions', () => {
  /** Two sessions: June 7 (Fri) closes at 1000 for NVDA, June 10 (Mon) NVDA trades 10-for-1 at 101. */
  function splitWeek(withAction: boolean | 'late') {
    const d = detector();
    // Built when placed: offsets follow the order of the records, as on a partition.
    const action = () => rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, ts: et(7, 12, 0) });
    const recs = [
      ...all(et(7, 15, 59), (s) => (s === 'NVDA' ? 1000 : 100)),
      ...(withAction === true ? [action()] : []),
      ...all(et(10, 9, 31), (s) => (s === 'NVDA' ? 101 : 100)),
      ...all(et(10, 15, 59), (s) => (s === 'NVDA' ? 101 : 100)),
    ];
    const out = run(d, [...recs, end(et(10, 15, 59))]);
    // Published late: applied at the first step after it, the next session's first.
    if (withAction === 'late') out.notices.push(...run(d, [action(), ...all(et(11, 9, 31), (s) => (s === 'NVDA' ? 102 : 100)), end(et(11, 9, 31))]).notices);
    return { d, out };
  }

  it('a split known before its ex-date is applied at the open: a +1 % day, no quarantine', () => {
    const { d, out } = splitWeek(true);
    const snap = d.snapshot()!;
    expect(snap.returns.NVDA!['1d']).toBeCloseTo(1, 6);
    expect(snap.quarantined).toEqual([]);
    expect(out.notices.map((n) => n.kind)).toEqual(['action_applied']);
    expect(d.state.counters.actionsApplied).toBe(1);
  });

  it('a split-like jump with no action quarantines the symbol: no return, no alert about it', () => {
    const { d, out } = splitWeek(false);
    const snap = d.snapshot()!;
    expect(snap.returns.NVDA!['1d']).toBeNull();
    expect(snap.returns.AI!['1d']).toBeNull();
    expect(snap.quarantined).toEqual([{ symbol: 'NVDA', since: new Date(et(10, 9, 31)).toISOString(), movePct: -89.9, splitRatio: 10 }]);
    expect(out.notices.map((n) => n.kind)).toEqual(['quarantine']);
    expect(out.request.alerts.filter((a) => JSON.stringify(a).includes('NVDA'))).toEqual([]);
  });

  it('the action arriving after the jump restates the history and lifts the quarantine', () => {
    const { d, out } = splitWeek('late');
    expect(out.notices.map((n) => n.kind)).toEqual(['quarantine', 'quarantine_resolved']);
    expect(d.state.quarantine).toEqual({});
    // History before the jump is on the new basis: the Friday bar reads 100, Monday's 101.
    expect(d.state.bars.closes.NVDA).toEqual([100, 101]);
    expect(d.snapshot()!.returns.NVDA!['1d']).toBeCloseTo((102 / 101 - 1) * 100, 6);
  });

  it('an action dated the day after the jump it explains restates only what came before the jump', () => {
    const { d } = splitWeek(false);
    const out = run(d, [
      rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-11', ratio: 10, ts: et(10, 17, 0) }),
      ...all(et(11, 9, 31), (s) => (s === 'NVDA' ? 102 : 100)),
      end(et(11, 9, 31)),
    ]);
    expect(out.notices.map((n) => n.kind)).toEqual(['quarantine_resolved']);
    expect(d.state.bars.closes.NVDA).toEqual([100, 101]);
  });

  it('a quarantine not explained within holdSessions closes is let go as a real move', () => {
    const d = detector({ splitGuard: { holdSessions: 1 } });
    const xle = (p: number) => (s: string) => (s === 'XLE' ? p : 100);
    const out = run(d, [...all(et(7, 15, 59), () => 100), ...all(et(10, 9, 31), xle(50)), ...all(et(10, 15, 59), xle(50)), ...all(et(11, 9, 31), xle(51)), end(et(11, 9, 31))]);
    // Released at the close of the jump's session; the next session's change is an ordinary one.
    expect(out.notices.map((n) => [n.kind, new Date(n.t).toISOString()])).toEqual([
      ['quarantine', new Date(et(10, 9, 31)).toISOString()],
      ['quarantine_expired', new Date(et(10, 16, 0)).toISOString()],
    ]);
    expect(d.snapshot()!.quarantined).toEqual([]);
    expect(d.snapshot()!.returns.XLE!['1d']).toBeCloseTo(2, 6);
  });

  it('a dividend changes nothing on the price basis and is added back in total-return mode', () => {
    for (const [basis, expected] of [
      ['price', (99 / 100 - 1) * 100],
      ['total_return', (99 / 99 - 1) * 100],
    ] as const) {
      const d = detector({ priceBasis: basis });
      run(d, [
        ...all(et(7, 15, 59), () => 100),
        rec({ type: 'corporate_action', symbol: 'XLU', action: 'dividend', exDate: '2024-06-10', amount: 1, ts: et(7, 12, 0) }),
        ...all(et(10, 15, 59), (s) => (s === 'XLU' ? 99 : 100)),
        end(et(10, 15, 59)),
      ]);
      expect(d.snapshot()!.returns.XLU!['1d']).toBeCloseTo(expected, 6);
      expect(d.snapshot()!.market!.priceBasis).toBe(basis);
    }
  });

  it('an action re-sent (a re-fetch after a restart) is applied once', () => {
    const d = detector();
    const action = () => rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, ts: et(7, 12, 0) });
    run(d, [...all(et(7, 15, 59), (s) => (s === 'NVDA' ? 1000 : 100)), action(), action(), ...all(et(10, 15, 59), (s) => (s === 'NVDA' ? 100 : 100)), end(et(10, 15, 59))]);
    run(d, [action()]);
    expect(d.state.counters.actionsApplied).toBe(1);
    expect(d.snapshot()!.returns.NVDA!['1d']).toBeCloseTo(0, 6);
  });

  it('restores its state across a restart with actions and quarantines intact', () => {
    const { d } = splitWeek(false);
    const again = new Detector({ settings: compileSettings(testUniverse({}, ['1d'])), lanes: [0], topic: 't.ticks', now: () => 0 }, d.persisted());
    expect(again.state.quarantine).toEqual(d.state.quarantine);
    run(again, [rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, ts: et(10, 17, 0) }), ...all(et(11, 9, 31), () => 100), end(et(11, 9, 31))]);
    expect(again.state.quarantine).toEqual({});
  });

  it('restated closes reach the store: a restart after a split reads the new basis', async () => {
    const settings = compileSettings(testUniverse({}, ['1h', '1d']));
    const store = new MemoryStateStore(settings.ringLength);
    const first = new Detector({ settings, lanes: [0], topic: 't.ticks', now: () => 0 });
    const friday = [...all(et(7, 15, 0), (s) => (s === 'NVDA' ? 1000 : 100)), ...all(et(7, 15, 59), (s) => (s === 'NVDA' ? 1000 : 100))];
    const action = rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, ts: et(7, 12, 0) });
    await store.commit(processBatch(first, [...friday, action], {}).request);
    const monday = [...all(et(10, 9, 31), (s) => (s === 'NVDA' ? 101 : 100)), end(et(10, 9, 31))];
    const live = processBatch(first, monday, {});
    await store.commit(live.request);
    const loaded = (await store.load())!;
    const again = new Detector({ settings, lanes: [0], topic: 't.ticks', now: () => 0 }, { state: loaded.state, closes: loaded.closes });
    // 1h at 09:31 reaches back into Friday: +1 % on the new basis, before and after the restart.
    expect(first.snapshot()!.returns.NVDA!['1h']).toBeCloseTo(1, 6);
    expect(loaded.closes.NVDA!.slice(0, 2)).toEqual([100, 100]);
    expect(again.persisted().closes.NVDA).toEqual(first.persisted().closes.NVDA);
  });

  it('the same split from two sources (1/3 and 0.3333) is applied once; an impossible ex-date is a dead letter', () => {
    const d = detector();
    const out = run(d, [
      ...all(et(7, 15, 59), (s) => (s === 'NVDA' ? 300 : 100)),
      rec({ type: 'corporate_action', symbol: 'NVDA', action: 'reverse_split', exDate: '2024-06-10', ratio: 1 / 3, ts: et(7, 12, 0) }),
      rec({ type: 'corporate_action', symbol: 'NVDA', action: 'reverse_split', exDate: '2024-06-10', ratio: 0.3333, ts: et(7, 12, 0) }),
      rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-02-30', ratio: 2, ts: et(7, 12, 0) }),
      ...all(et(10, 15, 59), (s) => (s === 'NVDA' ? 909 : 100)),
      end(et(10, 15, 59)),
    ]);
    expect(out.deadLetters.map((x) => [x.reason, x.message])).toEqual([['invalid_tick', 'exDate: no such calendar date']]);
    expect(d.state.counters.actionsApplied).toBe(1);
    expect(d.snapshot()!.returns.NVDA!['1d']).toBeCloseTo(1, 6);
  });

  it('a cancel of an extended-hours print is never late: it had moved nothing', () => {
    const d = detector();
    const out = run(d, [tick('SPY', et(10, 15, 0), 100), tick('SPY', et(10, 17, 0), 100, { id: 'Z-1' }), tick('SPY', et(10, 19, 0), 100), rec({ type: 'cancel', symbol: 'SPY', ts: et(10, 17, 0), id: 'Z-1', price: 100, sourceMaxTs: et(10, 19, 0) })]);
    expect(out.deadLetters).toEqual([]);
    expect(d.state.counters.cancels).toBe(1);
  });

  it('an action is applied at the same step whichever partition runs ahead', () => {
    const snapshots = [0, 1].map((order) => {
      const d = new Detector({ settings: compileSettings(testUniverse({ priceBasis: 'total_return' }, ['5m', '1d'])), lanes: [0, 1], topic: 't.ticks', now: () => 0 });
      const lane = (l: number, recs: InputRecord[]) => recs.map((r) => ({ ...r, lane: l }));
      const friday = lane(0, all(et(7, 15, 59), () => 100));
      const xlu = lane(0, [tick('XLU', et(10, 10, 20), 95, { sourceMaxTs: et(10, 10, 20) }), rec({ type: 'corporate_action', symbol: 'XLU', action: 'dividend', exDate: '2024-06-10', amount: 5, ts: et(10, 10, 20), sourceMaxTs: et(10, 10, 20) }), tick('XLU', et(10, 10, 40), 95, { sourceMaxTs: et(10, 10, 40) })]);
      const other = lane(1, [tick('SPY', et(10, 10, 50), 100, { sourceMaxTs: et(10, 10, 50) }), tick('SPY', et(10, 12, 0), 100, { sourceMaxTs: et(10, 12, 0) })]);
      const tail = [...lane(0, [end(et(10, 12, 0))]), ...lane(1, [end(et(10, 12, 0))])];
      const batches = order === 0 ? [friday, xlu, other, tail] : [friday, other, xlu, tail];
      const kinds: string[] = [];
      for (const b of batches) kinds.push(...run(d, b).notices.map((n) => `${n.kind}@${new Date(n.t).toISOString()}`));
      return { kinds, snap: d.snapshot(), closes: d.persisted().closes.XLU };
    });
    expect(snapshots[1]).toEqual(snapshots[0]);
    expect(snapshots[0]!.kinds).toEqual([`action_late@${new Date(et(10, 10, 21)).toISOString()}`]);
    expect(snapshots[0]!.snap!.returns.XLU!['1d']).toBeCloseTo(0, 6);
  });
});
