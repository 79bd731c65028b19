import { describe, expect, it } from 'vitest';
import { decodeAlpacaActionsPage } from './alpaca.js';

const AT = 1_717_000_000_000;

// Shaped like the page in alpaca-py's tests/data/test_corporate_actions.py (the documented
// response of GET /v1/corporate-actions): lists per type, then next_page_token.
const PAGE = {
  corporate_actions: {
    reverse_splits: [
      { id: 'a7932b15-f816-4f83-921e-998b524487b0', ex_date: '2023-08-24', new_rate: 1, old_rate: 50, new_cusip: 'NEWCUSIP1', old_cusip: 'OLDCUSIP1', process_date: '2023-08-24', record_date: '2023-08-24', symbol: 'MNTS' },
    ],
    forward_splits: [
      { cusip: 'CUSIP1', id: 'a7932b15-f816-4f83-921e-998b524487b1', due_bill_redemption_date: '2023-08-23', ex_date: '2023-08-22', new_rate: 2, old_rate: 1, payable_date: '2023-08-21', process_date: '2023-08-22', record_date: '2023-08-14', symbol: 'SRE' },
    ],
    unit_splits: [{ id: 'a7932b15-f816-4f83-921e-998b524487b2', new_symbol: 'LVRO', old_symbol: 'TPBAU', new_rate: 1, old_rate: 1, effective_date: '2023-03-01', process_date: '2023-03-01' }],
    cash_dividends: [
      { cusip: 'CUSIP1', id: 'a7932b15-f816-4f83-921e-998b524487b4', ex_date: '2023-05-04', foreign: false, payable_date: '2023-05-19', process_date: '2023-05-19', rate: 0.125, record_date: '2023-05-05', special: false, symbol: 'FCF' },
    ],
  },
  next_page_token: 'MDA3Q1ZSMDIwfDIwMjQtMDItMTV8NjBiZjkxYzItMDc0Ni00ZDliLThjOWUtYTgwYmIzMDhmZDkx',
};

describe('decodeAlpacaActionsPage', () => {
  it('maps forward splits, reverse splits and cash dividends; ignores other types; keeps the page token', () => {
    const r = decodeAlpacaActionsPage(PAGE, AT);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.page.actions.map((a) => a.raw)).toEqual([
      { type: 'corporate_action', symbol: 'SRE', action: 'split', exDate: '2023-08-22', ratio: 2, id: 'a7932b15-f816-4f83-921e-998b524487b1', ts: AT },
      { type: 'corporate_action', symbol: 'MNTS', action: 'reverse_split', exDate: '2023-08-24', ratio: 0.02, id: 'a7932b15-f816-4f83-921e-998b524487b0', ts: AT },
      { type: 'corporate_action', symbol: 'FCF', action: 'dividend', exDate: '2023-05-04', amount: 0.125, id: 'a7932b15-f816-4f83-921e-998b524487b4', ts: AT },
    ]);
    expect(r.page.problems).toEqual([]);
    expect(r.page.next).toBe(PAGE.next_page_token);
    expect(JSON.parse(r.page.actions[0]!.text)).toEqual(PAGE.corporate_actions.forward_splits[0]);
  });

  it('a last page has next_page_token null; an empty page has no lists at all', () => {
    const last = decodeAlpacaActionsPage({ corporate_actions: { cash_dividends: [] }, next_page_token: null }, AT);
    expect(last).toEqual({ ok: true, page: { actions: [], problems: [], next: undefined } });
    expect(decodeAlpacaActionsPage({ corporate_actions: {} }, AT)).toEqual({ ok: true, page: { actions: [], problems: [], next: undefined } });
  });

  it.each([
    [{ symbol: 'SPY', ex_date: '2024-01-02', new_rate: 'two', old_rate: 1 }, 'alpaca forward_splits[1]: new_rate: expected a positive number, got "two"'],
    [{ symbol: 'SPY', ex_date: '2024-01-02', new_rate: 2, old_rate: 0 }, 'alpaca forward_splits[1]: old_rate: expected a positive number, got 0'],
    [{ symbol: 'SPY', ex_date: '2024-01-02', new_rate: 2 }, 'alpaca forward_splits[1]: old_rate: expected a positive number, got undefined'],
    ['not an object', 'alpaca forward_splits[1]: expected an object'],
  ])('a malformed entry %j is a problem with its reason; its neighbours still decode', (bad, message) => {
    const good = PAGE.corporate_actions.forward_splits[0]!;
    const r = decodeAlpacaActionsPage({ corporate_actions: { forward_splits: [good, bad] } }, AT);
    expect(r.ok && r.page.actions.map((a) => a.raw.symbol)).toEqual(['SRE']);
    expect(r.ok && r.page.problems).toEqual([{ message, text: JSON.stringify(bad) }]);
  });

  it('leaves value checks of symbol, date and amount to the normaliser', () => {
    const r = decodeAlpacaActionsPage({ corporate_actions: { cash_dividends: [{ symbol: 7, ex_date: 'soon', rate: -1 }] } }, AT);
    expect(r.ok && r.page.actions.map((a) => a.raw)).toEqual([{ type: 'corporate_action', symbol: 7, action: 'dividend', exDate: 'soon', amount: -1, ts: AT }]);
  });

  it.each([
    [[], 'expected a JSON object'],
    [{ corporate_actions: [] }, 'corporate_actions: expected an object of lists'],
    [{ corporate_actions: { forward_splits: {} } }, 'corporate_actions.forward_splits: expected a list'],
    [{ corporate_actions: {}, next_page_token: 5 }, 'next_page_token: expected a string or null'],
  ])('a body that is not the documented shape (%j) fails the page', (body, message) => {
    expect(decodeAlpacaActionsPage(body, AT)).toEqual({ ok: false, message });
  });
});
