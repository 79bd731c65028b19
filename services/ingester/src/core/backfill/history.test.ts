import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import type { Decoded } from '../parsers/decoded.js';
import type { RawEvent } from '../source.js';
import { actionItem, barItem, byEventTime, RANK, selectHistory, type HistoryItem } from './history.js';

const XNYS = getCalendar('XNYS');
const at = (iso: string) => Date.parse(iso);
type Action = Extract<RawEvent, { type: 'corporate_action' }>;

const quote = (symbol: string, ts: unknown, price = 100): Extract<Decoded, { kind: 'quote' }> => ({ kind: 'quote', raw: { symbol, price, ts }, seq: 1, text: '' });
const item = (symbol: string, stamp: number, rank: 0 | 1 | 2): HistoryItem => ({ symbol, stamp, rank, record: quote(symbol, stamp) });
const split = (exDate: unknown, symbol = 'NVDA'): Action => ({ type: 'corporate_action', symbol, action: 'split', exDate, ratio: 10, ts: at('2025-03-11T15:00:00Z') });
const label = (i: HistoryItem) => `${i.symbol}@${i.stamp}/${i.rank}`;

describe('byEventTime', () => {
  it('orders by stamp, then minute before day before action, then by symbol', () => {
    const close = at('2025-03-10T20:00:00Z');
    const items = [item('SPY', close, RANK.action), item('SPY', close, RANK.day), item('IWM', close, RANK.day), item('SPY', close, RANK.minute), item('AAPL', close + 60_000, RANK.minute), item('QQQ', close - 60_000, RANK.day)];
    expect(items.sort(byEventTime).map(label)).toEqual([
      `QQQ@${close - 60_000}/1`,
      `SPY@${close}/0`,
      `IWM@${close}/1`,
      `SPY@${close}/1`,
      `SPY@${close}/2`,
      `AAPL@${close + 60_000}/0`,
    ]);
  });

  it('is zero only for the same stamp, rank and symbol', () => {
    expect(byEventTime(item('SPY', 5, 0), item('SPY', 5, 0))).toBe(0);
    expect(byEventTime(item('IWM', 5, 0), item('SPY', 5, 0))).toBeLessThan(0);
    expect(byEventTime(item('SPY', 5, 0), item('IWM', 5, 0))).toBeGreaterThan(0);
  });
});

describe('barItem', () => {
  it("takes the quote's stamp and symbol", () => {
    const d = quote('SPY', at('2025-03-10T20:00:00Z'));
    expect(barItem(d, RANK.day, at('2025-03-11T15:00:00Z'))).toEqual({ symbol: 'SPY', stamp: at('2025-03-10T20:00:00Z'), rank: 1, record: d });
  });

  it('puts an unreadable time at the cut, for the normaliser to judge', () => {
    const cut = at('2025-03-11T15:00:00Z');
    const d = quote('SPY', 'yesterday');
    expect(barItem(d, RANK.minute, cut)).toMatchObject({ stamp: cut, rank: 0, record: { raw: { ts: 'yesterday' } } });
  });
});

describe('actionItem', () => {
  it("stamps a Monday ex-date at Friday's close and sets the event's ts to it", () => {
    const a = actionItem(split('2025-03-10'), '{"split"}', XNYS)!;
    // Friday 2025-03-07, 16:00 EST.
    expect(a.stamp).toBe(at('2025-03-07T21:00:00Z'));
    expect(a).toMatchObject({ symbol: 'NVDA', rank: RANK.action, record: { kind: 'event', seq: 0, text: '{"split"}', raw: { type: 'corporate_action', exDate: '2025-03-10', ratio: 10, ts: at('2025-03-07T21:00:00Z') } } });
  });

  it('stamps a midweek ex-date at the close the day before, in summer time', () => {
    expect(actionItem(split('2024-06-12'), '', XNYS)!.stamp).toBe(at('2024-06-11T20:00:00Z'));
  });

  it('an ex-date on a holiday counts from the next session: the close before that', () => {
    // MLK day 2025-01-20: the next session is Tuesday; the close before it Friday 2025-01-17.
    expect(actionItem(split('2025-01-20'), '', XNYS)!.stamp).toBe(at('2025-01-17T21:00:00Z'));
    // Christmas 2024: the session before the 26th is the early close of the 24th (13:00 EST).
    expect(actionItem(split('2024-12-25'), '', XNYS)!.stamp).toBe(at('2024-12-24T18:00:00Z'));
    // A Saturday: Monday's previous close is Friday's.
    expect(actionItem(split('2025-03-15'), '', XNYS)!.stamp).toBe(at('2025-03-14T20:00:00Z'));
  });

  it('is undefined for an ex-date that is not a date the calendar knows', () => {
    for (const exDate of ['2025-02-30', '2025-3-10', '20250310', '', 20250310, undefined, '2200-01-02']) {
      expect(actionItem(split(exDate), '', XNYS)).toBeUndefined();
    }
  });
});

describe('selectHistory', () => {
  const cut = at('2025-03-11T15:00:00Z');
  const spyEnd = at('2025-03-10T20:00:00Z');
  const endOf = (s: string) => (s === 'SPY' ? spyEnd : -Infinity);

  it('keeps (endOf(symbol), cut], sorted by event time', () => {
    const items = [
      item('SPY', cut + 1, RANK.minute), // after the cut: the stream's
      item('SPY', cut, RANK.minute), // at the cut: kept
      item('SPY', spyEnd, RANK.day), // what the topic already has
      item('SPY', spyEnd + 60_000, RANK.minute), // the first minute after it
      item('IWM', spyEnd, RANK.day), // IWM has nothing on the topic
      item('IWM', spyEnd - 86_400_000, RANK.day),
    ];
    expect(selectHistory(items, cut, endOf).map(label)).toEqual([`IWM@${spyEnd - 86_400_000}/1`, `IWM@${spyEnd}/1`, `SPY@${spyEnd + 60_000}/0`, `SPY@${cut}/0`]);
  });

  it('keeps nothing when every symbol is already at the cut', () => {
    expect(selectHistory([item('SPY', cut, RANK.minute), item('IWM', cut - 1, RANK.day)], cut, () => cut)).toEqual([]);
  });
});

describe('actionItem before the calendar', () => {
  it('cannot place an ex-date before the first session', () => {
    const raw = { type: 'corporate_action' as const, symbol: 'NVDA', action: 'split' as const, exDate: '1900-01-02', ratio: 2, ts: 0 };
    expect(actionItem(raw, '{}', getCalendar('XNYS'))).toBeUndefined();
  });
});
