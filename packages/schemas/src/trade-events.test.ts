import { describe, expect, it } from 'vitest';
import { isPrintEligibility, PrintEligibility } from './print.js';
import { CorporateAction, parseTradeEvent } from './trade-events.js';

describe('print eligibility', () => {
  it('names a reason exactly when something is withheld', () => {
    for (const e of [{ last: true, volume: true }, { last: false, volume: true, reason: 'odd_lot' }, { last: true, volume: false, reason: 'no_volume' }]) {
      expect(PrintEligibility.safeParse(e).success).toBe(true);
      expect(isPrintEligibility(e)).toBe(true);
    }
    for (const e of [{ last: false, volume: true }, { last: true, volume: true, reason: 'odd_lot' }, { last: false, volume: true, reason: 'bogus' }, { last: 'no', volume: true }]) {
      expect(PrintEligibility.safeParse(e).success).toBe(false);
      expect(isPrintEligibility(e)).toBe(false);
    }
  });
});

describe('trade events', () => {
  const split = { v: 1, type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, source: 'alpaca', ts: 1_717_000_000_000 };

  it('checks that a split, a reverse split and a dividend carry what they need', () => {
    expect(CorporateAction.safeParse(split).success).toBe(true);
    expect(CorporateAction.safeParse({ ...split, action: 'reverse_split', ratio: 0.1 }).success).toBe(true);
    expect(CorporateAction.safeParse({ ...split, action: 'dividend', ratio: undefined, amount: 0.25 }).success).toBe(true);
    const bad = [
      { ...split, ratio: undefined },
      { ...split, ratio: 0.5 },
      { ...split, action: 'reverse_split', ratio: 2 },
      { ...split, action: 'dividend' },
      { ...split, action: 'dividend', ratio: undefined },
      { ...split, exDate: '2024-6-10' },
      { ...split, exDate: '2024-02-30' },
      { ...split, exDate: '2023-02-29' },
      { ...split, ratio: 1e-9, action: 'reverse_split' },
      { ...split, amount: 1 },
    ];
    for (const b of bad) expect(CorporateAction.safeParse(b).success, JSON.stringify(b)).toBe(false);
  });

  it('parses a record by its type and says what is wrong otherwise', () => {
    expect(parseTradeEvent(split)).toEqual({ ok: true, event: split });
    const cancel = { v: 1, type: 'cancel', symbol: 'DJT', ts: 10_000, source: 'alpaca', id: 'D-4868', price: 36.18, size: 31800, action: 'cancel' };
    expect(parseTradeEvent(cancel)).toEqual({ ok: true, event: cancel });
    expect(parseTradeEvent({ ...cancel, sourceMaxTs: 9_999 })).toEqual({ ok: false, message: 'sourceMaxTs: sourceMaxTs must be >= ts' });
    expect(parseTradeEvent({ ...cancel, type: 'bust' })).toMatchObject({ ok: false, message: expect.stringContaining('"bust"') });
    const correction = { v: 1, type: 'correction', symbol: 'AAPL', ts: 10_000, source: 'alpaca', id: 'Q-1532', price: 144.6, corrected: { id: 'Q-1533', price: 14.46 } };
    expect(parseTradeEvent(correction)).toEqual({ ok: true, event: correction });
    expect(parseTradeEvent({ ...correction, corrected: { price: -1 } }).ok).toBe(false);
  });
});
