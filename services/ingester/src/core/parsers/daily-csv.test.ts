import { describe, expect, it } from 'vitest';
import { flattenDecoded } from './decoded.js';
import { createLineDecoder } from './formats.js';
import { stooqSymbol } from './daily-csv.js';

const YF = 'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits,Capital Gains';
const YF_AUTO = 'Datetime,Open,High,Low,Close,Volume,Dividends,Stock Splits';
const BULK = '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>';
const ms = Date.parse;

describe('yfinance rows', () => {
  const decode = createLineDecoder('yfinance', YF, { symbol: 'NVDA' });
  it('is a daily bar at the session close, the Close read by default', () => {
    expect(decode('2024-06-07 00:00:00-04:00,1209,1216,1180,1208.88,1208.8,41238600,0.0,0.0,0.0', 5)).toEqual({
      kind: 'quote',
      raw: { symbol: 'NVDA', price: '1208.88', size: '41238600', ts: ms('2024-06-07T20:00:00Z') },
      line: 5,
      seq: 5,
      text: '2024-06-07 00:00:00-04:00,1209,1216,1180,1208.88,1208.8,41238600,0.0,0.0,0.0',
    });
  });

  it('reports a split as already in the prices, whatever the basis, and says which it was', () => {
    for (const basis of ['split_adjusted', 'total_return'] as const) {
      const out = flattenDecoded(createLineDecoder('yfinance', YF, { symbol: 'NVDA', basis })('2024-06-10 00:00:00-04:00,120.37,123.1,117.01,121.79,121.7,314162700,0.0,10.0,0.0', 6)!);
      expect(out.map((d) => d.kind)).toEqual(['quote', 'skip']);
      expect(out[1]).toMatchObject({ kind: 'skip', reason: 'already_adjusted', detail: 'split ratio 10 on 2024-06-10: yfinance prices are split-adjusted', line: 6 });
    }
    const reverse = flattenDecoded(decode('2024-06-10 00:00:00-04:00,1,1,1,1,1,1,0.0,0.1,0.0', 7)!);
    expect(reverse[1]).toMatchObject({ kind: 'skip', reason: 'already_adjusted', detail: expect.stringMatching(/^reverse_split ratio 0\.1 /) });
  });

  it('publishes a dividend on split_adjusted, stamped at 00:00 New York of its ex-date', () => {
    const out = flattenDecoded(decode('2022-06-09 00:00:00-04:00,26.04,26.12,25.59,25.61,24.32,2492800,0.792,0.0,0.0', 8)!);
    expect(out[1]).toEqual({
      kind: 'event',
      raw: { type: 'corporate_action', symbol: 'NVDA', action: 'dividend', exDate: '2022-06-09', amount: 0.792, ts: ms('2022-06-09T04:00:00Z') },
      line: 8,
      seq: 8,
      text: expect.any(String),
    });
  });

  it('skips a dividend the total-return prices include (Adj Close, auto_adjust Close)', () => {
    const row = '2022-06-09 00:00:00-04:00,26.04,26.12,25.59,25.61,24.32,2492800,0.792,0.0,0.0';
    const adj = flattenDecoded(createLineDecoder('yfinance', YF, { symbol: 'EWG', basis: 'total_return' })(row, 2)!);
    expect(adj.map((d) => [d.kind, d.kind === 'quote' ? d.raw.price : d.kind === 'skip' ? d.reason : ''])).toEqual([['quote', '24.32'], ['skip', 'already_adjusted']]);
    const auto = flattenDecoded(createLineDecoder('yfinance', YF_AUTO, { symbol: 'EWG' })('2022-06-09 00:00:00-04:00,24.7,24.8,24.3,24.32,2492800,0.792,0.0', 2)!);
    expect(auto.map((d) => [d.kind, d.kind === 'quote' ? d.raw.price : d.kind === 'skip' ? d.reason : ''])).toEqual([['quote', '24.32'], ['skip', 'already_adjusted']]);
  });

  it('keeps the action of a row without prices (an ex-date on a closed day) and skips the row', () => {
    const out = flattenDecoded(decode('2022-07-04 00:00:00-04:00,,,,,,,0.5,0.0,0.0', 3)!);
    expect(out.map((d) => [d.kind, d.kind === 'skip' ? d.reason : d.kind === 'event' ? d.raw.type : ''])).toEqual([['skip', 'null_row'], ['event', 'corporate_action']]);
  });

  it.each([
    ['2022-01-03 00:00:00+01:00,1,1,1,1,1,1,0,0,0', 'invalid_tick', "UTC offset +01:00 is not New York's on 2022-01-03"],
    ['2022-01-01 00:00:00-05:00,1,1,1,1,1,1,0,0,0', 'invalid_tick', '2022-01-01 has no XNYS session'],
    ['01/03/2022,1,1,1,1,1,1,0,0,0', 'invalid_tick', 'is not a date'],
    ['2022-01-03 00:00:00-05:00,1,1,1,1,1,1,x,0,0', 'invalid_tick', 'Dividends: expected a number >= 0, got "x"'],
    ['2022-01-03 00:00:00-05:00,1,1,1,1,1,1', 'parse_error', 'expected 10 fields, got 7'],
  ])('%j is dead-lettered: %s', (text, reason, message) => {
    const out = flattenDecoded(decode(text, 4)!);
    const r = out.find((d) => d.kind === 'reject');
    expect(r).toMatchObject({ kind: 'reject', reason, message: expect.stringContaining(message) });
  });

  it('stamps intraday rows at their end, a minute after their start unless told the bar length', () => {
    expect(decode('2024-01-02 09:30:00-05:00,1,1,1,2,1,5,0,0,0', 2)).toMatchObject({ raw: { ts: ms('2024-01-02T14:31:00Z') } });
    const five = createLineDecoder('yfinance', YF, { symbol: 'NVDA', timeframe: { kind: 'intraday', ms: 300_000 } });
    expect(five('2024-01-02 09:30:00-05:00,1,1,1,2,1,5,0,0,0', 2)).toMatchObject({ raw: { ts: ms('2024-01-02T14:35:00Z') } });
  });

  it('accepts the older plain-date form', () => {
    const d = createLineDecoder('yfinance', 'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits', { symbol: 'NVDA' });
    expect(d('2014-11-28,1,1,1,2,1,5,0,0', 2)).toMatchObject({ raw: { ts: ms('2014-11-28T18:00:00Z') } });
  });
});

describe('Stooq bulk rows', () => {
  const decode = createLineDecoder('stooq-bulk', BULK);
  it.each([
    ['SPY.US,D,20050225,000000,92.79,93.87,92.70,93.6948,79289004,0', { kind: 'quote', raw: { symbol: 'SPY', price: '93.6948', size: '79289004', ts: ms('2005-02-25T21:00:00Z') } }],
    ['BRK-B.US,D,20241129,000000,1,1,1,480.5,1,0', { kind: 'quote', raw: { symbol: 'BRK-B', ts: ms('2024-11-29T18:00:00Z') } }],
    ['SPY.US,5,20240102,153500,1,1,1,1,1,0', { kind: 'reject', reason: 'parse_error', message: expect.stringContaining('<PER> 5: only daily (D)') }],
    ['SAP.DE,D,20240102,000000,1,1,1,1,1,0', { kind: 'reject', reason: 'invalid_tick', message: '<TICKER> SAP.DE: a .DE listing; only US listings (.US) are timed by the XNYS calendar' }],
    ['SPY.US,D,2024-01-02,000000,1,1,1,1,1,0', { kind: 'reject', reason: 'invalid_tick', message: '<DATE>: "2024-01-02" is not a date YYYYMMDD' }],
    ['SPY.US,D,20240101,000000,1,1,1,1,1,0', { kind: 'reject', reason: 'invalid_tick', message: expect.stringContaining('2024-01-01 has no XNYS session') }],
    ['SPY.US,D,20240102', { kind: 'reject', reason: 'parse_error', message: 'expected 10 fields, got 3' }],
  ])('%j', (text, expected) => {
    expect(decode(text, 3)).toMatchObject({ ...expected, line: 3 });
  });
  it('takes --symbol over the ticker column', () => {
    expect(createLineDecoder('stooq-bulk', BULK, { symbol: 'VOO' })('SPY.US,D,20240102,000000,1,1,1,1,1,0', 2)).toMatchObject({ raw: { symbol: 'VOO' } });
  });
  it.each([
    ['spy.us', 'SPY'],
    ['^SPX', '^SPX'], // not a ticker: the normaliser says so
  ])('ticker %s is %s', (t, symbol) => {
    expect(stooqSymbol(t)).toEqual({ ok: true, symbol });
  });
});
