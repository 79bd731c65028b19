/**
 * What the decoders hand on is what the normaliser publishes: each decoded action becomes a
 * valid CorporateAction record, and the normaliser's own checks catch the values decoders leave to it.
 */
import { describe, expect, it } from 'vitest';
import { CorporateAction } from '@rotation/schemas';
import { Normalizer } from '../normalize.js';
import { decodeAlpacaActionsPage } from './alpaca.js';
import { actionFileDecoder } from './file.js';
import { decodePolygonActionsPage } from './polygon.js';

const AT = 1_717_000_000_000;
const normalizer = () => new Normalizer({ universe: { symbols: ['NVDA', 'SPY', 'AAPL', 'BRK.B'], aliases: { 'BRK/B': 'BRK.B' } } });

describe('decoded corporate actions through the normaliser', () => {
  it('Alpaca and Polygon actions become valid records with their source', () => {
    const alpaca = decodeAlpacaActionsPage({ corporate_actions: { forward_splits: [{ id: 'a-1', symbol: 'NVDA', new_rate: 10, old_rate: 1, ex_date: '2024-06-10' }], cash_dividends: [{ id: 'a-2', symbol: 'SPY', rate: 1.7588, ex_date: '2024-06-21', special: false, foreign: false }] } }, AT);
    const polygon = decodePolygonActionsPage('splits', { status: 'OK', results: [{ id: 'E36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0', ticker: 'BRK/B', execution_date: '2024-06-10', split_from: 3, split_to: 1 }] }, AT);
    const n = normalizer();
    const out = [
      ...(alpaca.ok ? alpaca.page.actions.map((a) => n.normalizeEvent(a.raw, 'alpaca')) : []),
      ...(polygon.ok ? polygon.page.actions.map((a) => n.normalizeEvent(a.raw, 'polygon')) : []),
    ];
    expect(out).toEqual([
      { kind: 'event', event: { v: 1, type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, id: 'a-1', source: 'alpaca', ts: AT } },
      { kind: 'event', event: { v: 1, type: 'corporate_action', symbol: 'SPY', action: 'dividend', exDate: '2024-06-21', amount: 1.7588, id: 'a-2', source: 'alpaca', ts: AT } },
      { kind: 'event', event: { v: 1, type: 'corporate_action', symbol: 'BRK.B', action: 'reverse_split', exDate: '2024-06-10', ratio: 1 / 3, id: '36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0', source: 'polygon', ts: AT } },
    ]);
    for (const r of out) expect(r.kind === 'event' && CorporateAction.safeParse(r.event).success).toBe(true);
  });

  it('a forward split whose rates say otherwise, a bad date or amount, an unknown symbol are rejected by the normaliser', () => {
    const page = decodeAlpacaActionsPage(
      {
        corporate_actions: {
          forward_splits: [{ symbol: 'NVDA', new_rate: 1, old_rate: 2, ex_date: '2024-06-10' }],
          cash_dividends: [
            { symbol: 'SPY', rate: 0, ex_date: '2024-06-21' },
            { symbol: 'SPY', rate: 1, ex_date: '21/06/2024' },
            { symbol: 'QQQ', rate: 1, ex_date: '2024-06-21' },
          ],
        },
      },
      AT,
    );
    const n = normalizer();
    expect(page.ok && page.page.actions.map((a) => n.normalizeEvent(a.raw, 'alpaca'))).toEqual([
      { kind: 'rejected', reason: 'invalid_tick', message: expect.stringContaining('a split has ratio > 1') },
      { kind: 'rejected', reason: 'invalid_tick', message: expect.stringContaining('amount') },
      { kind: 'rejected', reason: 'invalid_tick', message: expect.stringContaining('exDate') },
      { kind: 'rejected', reason: 'unknown_symbol', message: 'symbol: QQQ is not in the universe' },
    ]);
  });

  it('CSV cells are numbers once normalised; a re-read of the same action is a duplicate', () => {
    const d = actionFileDecoder('symbol,action,ex_date,ratio,amount', AT);
    if (!d.ok) throw new Error(d.message);
    const line = d.decoder.decode('NVDA,split,2024-06-10,10,');
    const n = normalizer();
    expect(line?.kind === 'action' && n.normalizeEvent(line.raw, 'replay')).toEqual({ kind: 'event', event: { v: 1, type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, source: 'replay', ts: AT } });
    expect(line?.kind === 'action' && n.normalizeEvent({ ...line.raw, ts: AT + 1 }, 'replay')).toEqual({ kind: 'duplicate' });
  });
});
