import { describe, expect, it } from 'vitest';
import { basisOffer, createLineDecoder, decodeAlpacaBars, decodeNdjsonLine, detectFormat, eventTimeOf, fileBasis, headerFields, refuseFile, symbolFromFileName, type FileFormat } from './formats.js';

describe('detectFormat', () => {
  it.each<[string, string, FileFormat | undefined]>([
    ['ticks.csv', 'ts,symbol,price', 'tick-csv'],
    ['ticks.csv.gz', 'ts,symbol,price,size', 'tick-csv'],
    ['t.txt', '\uFEFFTS, Symbol ,Price,Size,id', 'tick-csv'],
    ['IWM.csv', 'Date,Open,High,Low,Close,Adj Close,Volume', 'yahoo'],
    ['iwm.us.csv', 'Date,Open,High,Low,Close,Volume', 'stooq'],
    ['x.ndjson', 'anything', 'ndjson'],
    ['x.jsonl.gz', '{"bars":{}}', 'alpaca-json'], // JSONL of Alpaca pages
    ['x.jsonl', '{"symbol":"IWM","price":1,"ts":1}', 'ndjson'],
    ['spy.us.txt', '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>', 'stooq-bulk'],
    ['EWG.csv', 'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits,Capital Gains', 'yfinance'],
    ['EWG.csv', 'Datetime,Open,High,Low,Close,Volume,Dividends,Stock Splits', 'yfinance'], // auto_adjust=True
    ['EWG.csv', 'Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits', 'yfinance'],
    ['EWG.csv', 'Datetime,Open,High,Low,Close,Volume,Dividends', undefined],
    ['EWG.csv', 'Price,Adj Close,Close,High,Low,Open,Volume', undefined], // yf.download's multi-index header
    ['x.json', '{"symbol":"IWM"}', 'alpaca-json'],
    ['x.txt', '{"symbol":"IWM","price":1,"ts":1}', 'ndjson'],
    ['x.txt', '{"bars":{"IWM":[]}}', 'alpaca-json'],
    ['x.txt', '{', 'alpaca-json'],
    ['x.txt', '{"bars":{"IWM":[]}}{"bars":{"IWM":[]}}', 'alpaca-json'], // pages back to back on one line
    ['x.txt', '{"symbol":"IWM"}{"bars":{}}', 'ndjson'],
    ['x.csv', 'time,ticker,px', undefined],
    ['x.csv', 'ts,symbol,price,colour', undefined],
  ])('%s starting %j is %s', (name, line, format) => {
    expect(detectFormat(name, line)).toBe(format);
  });
});

describe('symbolFromFileName', () => {
  it.each<[string, string | undefined]>([
    ['iwm.us.csv', 'IWM'],
    ['data/IWM.csv', 'IWM'],
    ['SPY.csv.gz', 'SPY'],
    ['brk-b.us.txt', 'BRK-B'],
    ['C:\\data\\xlk.us.csv', 'XLK'],
    ['my file.csv', undefined],
  ])('%s -> %s', (name, symbol) => {
    expect(symbolFromFileName(name)).toBe(symbol);
  });
});

describe('tick CSV lines', () => {
  const decode = createLineDecoder('tick-csv', 'ts,symbol,price,size');
  it.each([
    ['2024-01-02T15:30:00Z,IWM,221.5,100', { kind: 'quote', raw: { ts: '2024-01-02T15:30:00Z', symbol: 'IWM', price: '221.5', size: '100', id: undefined } }],
    ['1704209400000,spy,1,', { kind: 'quote', raw: { ts: '1704209400000', symbol: 'spy', price: '1', size: '', id: undefined } }],
    ['2024-01-02T15:30:00Z,IWM,221.5', { kind: 'reject', reason: 'parse_error', message: 'expected 4 fields (ts,symbol,price,size), got 3' }],
    ['a,"b,c', { kind: 'reject', reason: 'parse_error', message: 'unterminated quoted field' }],
  ])('%j', (text, expected) => {
    expect(decode(text, 7)).toEqual({ ...expected, line: 7, seq: 7, text });
  });
  it('skips blank lines', () => {
    expect(decode('  ', 3)).toBeUndefined();
  });
  it('maps columns by header name', () => {
    const d = createLineDecoder('tick-csv', 'symbol,price,ts,id');
    expect(d('IWM,2,1704209400000,t-9', 2)).toMatchObject({ raw: { symbol: 'IWM', price: '2', ts: '1704209400000', id: 't-9', size: undefined } });
  });
});

describe('NDJSON lines', () => {
  it.each([
    ['{"symbol":"IWM","price":1.5,"size":3,"ts":"2024-01-02T15:30:00Z","id":"x"}', { kind: 'quote', raw: { symbol: 'IWM', price: 1.5, size: 3, ts: '2024-01-02T15:30:00Z', id: 'x' } }],
    ['{"symbol":"IWM"', { kind: 'reject', reason: 'parse_error' }],
    ['[1,2]', { kind: 'reject', reason: 'parse_error', message: 'expected a JSON object per line' }],
    ['42', { kind: 'reject', reason: 'parse_error', message: 'expected a JSON object per line' }],
  ])('%j', (text, expected) => {
    expect(decodeNdjsonLine(text, 4)).toMatchObject({ ...expected, line: 4, text });
  });
});

describe('daily bar lines', () => {
  const YAHOO = 'Date,Open,High,Low,Close,Adj Close,Volume';
  const STOOQ = 'Date,Open,High,Low,Close,Volume';
  it.each([
    ['yahoo', YAHOO, '2024-01-02,1,2,0.5,1.75,1.7,1000', { kind: 'quote', raw: { symbol: 'IWM', price: '1.75', size: '1000', ts: Date.parse('2024-01-02T21:00:00Z') } }],
    ['yahoo', YAHOO, '2024-07-01,null,null,null,null,null,null', { kind: 'skip', reason: 'null_row' }],
    ['yahoo', YAHOO, '2024-07-04,null,null,null,null,null,null', { kind: 'skip', reason: 'null_row' }], // a holiday: skipped, not dead-lettered
    ['yahoo', YAHOO, '2024-07-01,1,2,0.5,1.75,1.7,null', { kind: 'quote', raw: { price: '1.75', size: undefined } }],
    ['yahoo', YAHOO, '2024-07-03,1,2,0.5,1.75,1.7,5', { kind: 'quote', raw: { ts: Date.parse('2024-07-03T17:00:00Z') } }], // 13:00 EDT, an early close
    ['yahoo', YAHOO, '2024-07-04,1,2,0.5,1.75,1.7,5', { kind: 'reject', reason: 'invalid_tick', message: "Date: 2024-07-04 has no XNYS session (weekend or holiday): a daily bar is stamped at its session's close" }],
    ['yahoo', YAHOO, '1985-01-02,1,2,0.5,1.75,1.7,5', { kind: 'reject', reason: 'invalid_tick', message: 'Date: 1985-01-02 is outside the XNYS calendar (1990-2099)' }],
    ['stooq', STOOQ, '2024-07-01,1,2,0.5,1.25,7', { kind: 'quote', raw: { symbol: 'IWM', price: '1.25', size: '7', ts: Date.parse('2024-07-01T20:00:00Z') } }],
    ['stooq', STOOQ, '2024-07-01,1,2,0.5', { kind: 'reject', reason: 'parse_error', message: 'expected 6 fields, got 4' }],
    ['stooq', STOOQ, '07/01/2024,1,2,0.5,1,1', { kind: 'reject', reason: 'invalid_tick', message: 'Date: "07/01/2024" is not a calendar date YYYY-MM-DD' }],
    ['stooq', STOOQ, '2024-02-30,1,2,0.5,1,1', { kind: 'reject', reason: 'invalid_tick', message: 'Date: "2024-02-30" is not a calendar date YYYY-MM-DD' }],
  ] as const)('%s %j', (format, header, text, expected) => {
    expect(createLineDecoder(format, header, { symbol: 'IWM' })(text, 9)).toMatchObject({ ...expected, line: 9 });
  });

  it('reads Yahoo Adj Close on the total-return basis', () => {
    expect(createLineDecoder('yahoo', YAHOO, { symbol: 'IWM', basis: 'total_return' })('2024-01-02,1,2,0.5,1.75,1.7,1000', 2)).toMatchObject({ raw: { price: '1.7' } });
    // A null row is decided by the column read.
    expect(createLineDecoder('yahoo', YAHOO, { symbol: 'IWM', basis: 'total_return' })('2024-01-02,1,2,0.5,1.75,null,1000', 2)).toMatchObject({ kind: 'skip', reason: 'null_row' });
  });
});

describe('price basis of each format', () => {
  it.each<[FileFormat, string, Parameters<typeof fileBasis>[2], string, string | undefined]>([
    ['tick-csv', 'ts,symbol,price', undefined, 'unadjusted', undefined],
    ['ndjson', '', 'total_return', 'unadjusted', undefined], // prints are as traded whatever is asked
    ['yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', undefined, 'split_adjusted', 'close'],
    ['yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', 'total_return', 'total_return', 'adj close'],
    ['yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', 'unadjusted', 'split_adjusted', 'close'], // not on offer: checkBases refuses the run
    ['yfinance', 'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits', 'total_return', 'total_return', 'adj close'],
    ['yfinance', 'Datetime,Open,High,Low,Close,Volume,Dividends,Stock Splits', undefined, 'total_return', 'close'], // auto_adjust
    ['stooq', 'Date,Open,High,Low,Close,Volume', undefined, 'total_return', 'close'],
    ['stooq-bulk', '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>', 'split_adjusted', 'total_return', '<close>'],
    ['alpaca-json', '', undefined, 'unadjusted', undefined],
    ['alpaca-json', '', 'split_adjusted', 'split_adjusted', undefined], // an export made with adjustment=split
  ])('%s %j asked %s reads %s', (format, header, requested, basis, column) => {
    const b = fileBasis(format, header, requested);
    expect([b.basis, b.column]).toEqual([basis, column]);
    expect(b.why.length).toBeGreaterThan(0);
  });
  it('offers a choice only where the file has both columns', () => {
    expect(basisOffer('yahoo', headerFields('Date,Open,High,Low,Close,Adj Close,Volume')).kind).toBe('choice');
    expect(basisOffer('stooq', headerFields('Date,Open,High,Low,Close,Volume')).kind).toBe('fixed');
  });
});

describe('refuseFile', () => {
  it('refuses Stooq bulk files of intraday bars, by their first row', () => {
    expect(refuseFile('stooq-bulk', 'SPY.US,5,20240102,153500,1,1,1,1,1,0')).toContain('<PER> 5: only daily (D) Stooq bars are read');
    expect(refuseFile('stooq-bulk', 'SPY.US,D,20240102,000000,1,1,1,1,1,0')).toBeUndefined();
    expect(refuseFile('yahoo', 'anything')).toBeUndefined();
  });
});

describe('Alpaca bars JSON', () => {
  it('decodes multi-symbol documents in document order', () => {
    const doc = JSON.stringify({
      bars: { IWM: [{ t: '2024-01-02T05:00:00Z', o: 1, h: 2, l: 0.5, c: 1.5, v: 10 }], SPY: [{ t: '2024-01-02T05:00:00Z', c: 4, v: 1 }, 7] },
      next_page_token: null,
    });
    const out = decodeAlpacaBars(doc);
    expect(out).toMatchObject([
      // A daily bar stamped at its start (midnight New York) is published at the session's close.
      { kind: 'quote', raw: { symbol: 'IWM', price: 1.5, size: 10, ts: Date.parse('2024-01-02T21:00:00Z') }, seq: 1 },
      { kind: 'quote', raw: { symbol: 'SPY', price: 4, size: 1 }, seq: 2 },
      { kind: 'reject', reason: 'parse_error', message: 'bars.SPY[1]: expected a bar object', seq: 3, text: '7' },
    ]);
  });
  it('decodes single-symbol documents, the symbol from the document or the override', () => {
    const doc = JSON.stringify({ bars: [{ t: '2024-01-02T05:00:00Z', c: 2, v: 5 }], symbol: 'QQQ' });
    expect(decodeAlpacaBars(doc)[0]).toMatchObject({ raw: { symbol: 'QQQ', price: 2 } });
    expect(decodeAlpacaBars(doc, { symbol: 'DIA' })[0]).toMatchObject({ raw: { symbol: 'DIA' } });
  });
  it.each([
    ['{"bars":', 'not JSON'],
    ['[]', 'expected an Alpaca bars object'],
    ['{"bars":5}', '"bars" must be an array'],
    ['{"bars":[]}', 'need "symbol"'],
  ])('rejects %j', (doc, message) => {
    const out = decodeAlpacaBars(doc);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'reject', reason: 'parse_error', line: 1 });
    expect(out[0]?.kind === 'reject' && out[0].message).toContain(message);
  });
  it('accepts "bars": null as an empty range', () => {
    expect(decodeAlpacaBars('{"bars":null}')).toEqual([]);
  });
});

describe('eventTimeOf', () => {
  it('gives the sort key of quotes and events with a parseable time only', () => {
    expect(eventTimeOf({ kind: 'quote', raw: { symbol: 'A', price: 1, ts: '2024-01-02T15:30:00.0000005Z' }, seq: 1, text: '' })).toEqual({ ts: 1_704_209_400_000, tsNanos: 500 });
    expect(eventTimeOf({ kind: 'quote', raw: { symbol: 'A', price: 1, ts: 'x' }, seq: 1, text: '' })).toBeUndefined();
    expect(eventTimeOf({ kind: 'event', raw: { type: 'cancel', symbol: 'A', price: 1, id: 'x', ts: 5e11 }, seq: 1, text: '' })).toEqual({ ts: 5e11, tsNanos: 0 });
    expect(eventTimeOf({ kind: 'skip', reason: 'null_row', detail: '', seq: 1, text: '' })).toBeUndefined();
  });
});
