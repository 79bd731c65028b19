import { describe, expect, it } from 'vitest';
import { Detector } from './detector.js';
import { processBatch } from './process-batch.js';
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
    if (withAction === 'late') out.notices.push(...run(d, [action()]).notices);
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
    // History before the ex-date is on the new basis: the Friday bar reads 100.
    expect(d.state.bars.closes.NVDA).toEqual([100]);
    expect(d.persisted().closes.NVDA!.at(-1)).toBe(101);
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
    run(again, [rec({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, ts: et(10, 17, 0) })]);
    expect(again.state.quarantine).toEqual({});
  });
});
