import { describe, expect, it } from 'vitest';
import { decodePolygonActionsPage } from './polygon.js';

const AT = 1_717_000_000_000;

// The sample responses of the Polygon / Massive docs for /v3/reference/splits and
// /v3/reference/dividends (ids are "E" + 64 hex digits), and client-python's test mocks.
const SPLITS = {
  next_url: 'https://api.polygon.io/v3/splits/AAPL?cursor=YWN0aXZlPXRydWUmZGF0ZT0yMDIxLTA0LTI1JmxpbWl0PTEmb3JkZXI9YXNj',
  request_id: '6a7e466379af0a71039d60cc78e72282',
  results: [
    { execution_date: '2020-08-31', id: 'E36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0', split_from: 1, split_to: 4, ticker: 'AAPL' },
    { execution_date: '2022-05-20', split_from: 2, split_to: 1, ticker: 'BRW' },
    { execution_date: '2022-05-02', split_from: 3, split_to: 4, ticker: 'CIG.C' },
  ],
  status: 'OK',
};
const DIVIDENDS = {
  results: [
    { cash_amount: 0.22, currency: 'USD', declaration_date: '2021-10-28', dividend_type: 'CD', ex_dividend_date: '2021-11-05', frequency: 4, id: 'E8e3c4f794613e9205e2f178a36c53fcc57cdabb55e1988c87b33f9e52e221444', pay_date: '2021-11-11', record_date: '2021-11-08', ticker: 'AAPL' },
    { cash_amount: 0.59375, declaration_date: '2020-09-09', dividend_type: 'CD', ex_dividend_date: '2025-06-12', frequency: 4, pay_date: '2025-06-30', record_date: '2025-06-15', ticker: 'CSSEN' },
  ],
  status: 'OK',
  request_id: '0326f1f88a2867a7184c116f5b1edd00',
};

describe('decodePolygonActionsPage', () => {
  it('splits: ratio split_to / split_from, a reverse split below 1, the id cut to its 64-digit digest', () => {
    const r = decodePolygonActionsPage('splits', SPLITS, AT);
    expect(r.ok && r.page.actions.map((a) => a.raw)).toEqual([
      { type: 'corporate_action', symbol: 'AAPL', action: 'split', exDate: '2020-08-31', ratio: 4, id: '36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0', ts: AT },
      { type: 'corporate_action', symbol: 'BRW', action: 'reverse_split', exDate: '2022-05-20', ratio: 0.5, ts: AT },
      { type: 'corporate_action', symbol: 'CIG.C', action: 'split', exDate: '2022-05-02', ratio: 4 / 3, ts: AT },
    ]);
    expect(r.ok && r.page.next).toBe(SPLITS.next_url);
    expect(r.ok && r.page.problems).toEqual([]);
  });

  it('dividends: cash_amount on ex_dividend_date; a missing currency is taken as dollars; no next_url: last page', () => {
    const r = decodePolygonActionsPage('dividends', DIVIDENDS, AT);
    expect(r.ok && r.page.actions.map((a) => a.raw)).toEqual([
      { type: 'corporate_action', symbol: 'AAPL', action: 'dividend', exDate: '2021-11-05', amount: 0.22, id: '8e3c4f794613e9205e2f178a36c53fcc57cdabb55e1988c87b33f9e52e221444', ts: AT },
      { type: 'corporate_action', symbol: 'CSSEN', action: 'dividend', exDate: '2025-06-12', amount: 0.59375, ts: AT },
    ]);
    expect(r.ok && r.page.next).toBeUndefined();
  });

  it.each([
    ['splits', { ticker: 'SPY', execution_date: '2024-01-02', split_from: 2, split_to: 2 }, 'polygon splits[0]: split_from 2 = split_to 2: not a split'],
    ['splits', { ticker: 'SPY', execution_date: '2024-01-02', split_from: '1', split_to: 4 }, 'polygon splits[0]: split_from: expected a positive number, got "1"'],
    ['splits', null, 'polygon splits[0]: expected an object'],
    ['dividends', { ticker: 'SPY', ex_dividend_date: '2024-01-02', cash_amount: 1, currency: 'CAD' }, 'polygon dividends[0]: currency "CAD": the amount must be in the price currency (USD)'],
  ] as const)('%s: a malformed entry %j is a problem', (endpoint, bad, message) => {
    const r = decodePolygonActionsPage(endpoint, { status: 'OK', results: [bad] }, AT);
    expect(r).toEqual({ ok: true, page: { actions: [], problems: [{ message, text: JSON.stringify(bad) }], next: undefined } });
  });

  it.each([
    [{ status: 'NOT_AUTHORIZED', request_id: 'x', message: 'You are not entitled to this data.' }, 'status "NOT_AUTHORIZED": You are not entitled to this data.'],
    [{ status: 'ERROR', error: 'bad cursor' }, 'status "ERROR": bad cursor'],
    [{ status: 'OK', results: {} }, 'results: expected a list'],
    [{ status: 'OK', results: [], next_url: 3 }, 'next_url: expected a string'],
    ['OK', 'expected a JSON object'],
  ])('an error answer or a body of another shape (%j) fails the page', (body, message) => {
    expect(decodePolygonActionsPage('splits', body, AT)).toEqual({ ok: false, message });
  });

  it('an answer without results is an empty last page', () => {
    expect(decodePolygonActionsPage('dividends', { status: 'OK', request_id: 'r' }, AT)).toEqual({ ok: true, page: { actions: [], problems: [], next: undefined } });
  });
});
