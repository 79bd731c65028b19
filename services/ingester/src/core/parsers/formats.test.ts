import { describe, expect, it } from 'vitest';
import { createLineDecoder, decodeAlpacaBars, decodeNdjsonLine, detectFormat, eventTimeOf, symbolFromFileName, type FileFormat } from './formats.js';

describe('detectFormat', () => {
  it.each<[string, string, FileFormat | undefined]>([
    ['ticks.csv', 'ts,symbol,price', 'tick-csv'],
    ['ticks.csv.gz', 'ts,symbol,price,size', 'tick-csv'],
    ['t.txt', '\uFEFFTS, Symbol ,Price,Size,id', 'tick-csv'],
    ['IWM.csv', 'Date,Open,High,Low,Close,Adj Close,Volume', 'yahoo'],
    ['iwm.us.csv', 'Date,Open,High,Low,Close,Volume', 'stooq'],
    ['x.ndjson', 'anything', 'ndjson'],
    ['x.jsonl.gz', '{"bars":{}}', 'ndjson'],
    ['x.json', '{"symbol":"IWM"}', 'alpaca-json'],
    ['x.txt', '{"symbol":"IWM","price":1,"ts":1}', 'ndjson'],
    ['x.txt', '{"bars":{"IWM":[]}}', 'alpaca-json'],
    ['x.txt', '{', 'alpaca-json'],
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
  it.each([
    ['yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', '2024-01-02,1,2,0.5,1.75,1.7,1000', { kind: 'quote', raw: { symbol: 'IWM', price: '1.75', size: '1000', ts: Date.parse('2024-01-02T21:00:00Z') } }],
    ['yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', '2024-07-01,null,null,null,null,null,null', { kind: 'quote', raw: { symbol: 'IWM', price: 'null', size: undefined } }],
    ['stooq', 'Date,Open,High,Low,Close,Volume', '2024-07-01,1,2,0.5,1.25,7', { kind: 'quote', raw: { symbol: 'IWM', price: '1.25', size: '7', ts: Date.parse('2024-07-01T20:00:00Z') } }],
    ['stooq', 'Date,Open,High,Low,Close,Volume', '2024-07-01,1,2,0.5', { kind: 'reject', reason: 'parse_error', message: 'expected 6 fields, got 4' }],
    ['stooq', 'Date,Open,High,Low,Close,Volume', '07/01/2024,1,2,0.5,1,1', { kind: 'reject', reason: 'invalid_tick', message: 'Date: "07/01/2024" is not a calendar date YYYY-MM-DD' }],
  ] as const)('%s %j', (format, header, text, expected) => {
    expect(createLineDecoder(format, header, { symbol: 'IWM' })(text, 9)).toMatchObject({ ...expected, line: 9 });
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
      { kind: 'quote', raw: { symbol: 'IWM', price: 1.5, size: 10, ts: '2024-01-02T05:00:00Z' }, seq: 1 },
      { kind: 'quote', raw: { symbol: 'SPY', price: 4, size: 1 }, seq: 2 },
      { kind: 'reject', reason: 'parse_error', message: 'bars.SPY[1]: expected a bar object', seq: 3, text: '7' },
    ]);
  });
  it('decodes single-symbol documents, the symbol from the document or the override', () => {
    const doc = JSON.stringify({ bars: [{ t: '2024-01-02T05:00:00Z', c: 2, v: 5 }], symbol: 'QQQ' });
    expect(decodeAlpacaBars(doc)[0]).toMatchObject({ raw: { symbol: 'QQQ', price: 2 } });
    expect(decodeAlpacaBars(doc, 'DIA')[0]).toMatchObject({ raw: { symbol: 'DIA' } });
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
  it('gives the sort key of quotes with a parseable time only', () => {
    expect(eventTimeOf({ kind: 'quote', raw: { symbol: 'A', price: 1, ts: '2024-01-02T15:30:00.0000005Z' }, seq: 1, text: '' })).toEqual({ ts: 1_704_209_400_000, tsNanos: 500 });
    expect(eventTimeOf({ kind: 'quote', raw: { symbol: 'A', price: 1, ts: 'x' }, seq: 1, text: '' })).toBeUndefined();
  });
});
