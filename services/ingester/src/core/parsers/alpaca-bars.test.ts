import { describe, expect, it } from 'vitest';
import { decodeAlpacaBars, splitJsonDocuments } from './alpaca-bars.js';

const bar = (t: string, c: number) => ({ t, o: c, h: c, l: c, c, v: 100, n: 1, vw: c });
const page1 = { bars: { SPY: [bar('2024-01-02T05:00:00Z', 472.7), bar('2024-01-03T05:00:00Z', 468.8)] }, next_page_token: 'U1BZfEQ=' };
const page2 = { bars: { SPY: [bar('2024-01-04T05:00:00Z', 467.3)], RSP: [bar('2024-01-04T05:00:00Z', 158.6)] }, next_page_token: null };
const quotes = (text: string, options = {}) => decodeAlpacaBars(text, options).map((d) => (d.kind === 'quote' ? [d.raw.symbol, d.raw.price, new Date(d.raw.ts as number).toISOString()] : [d.kind, d.kind === 'reject' ? d.message : '']));
const ALL = [
  ['SPY', 472.7, '2024-01-02T21:00:00.000Z'],
  ['SPY', 468.8, '2024-01-03T21:00:00.000Z'],
  ['SPY', 467.3, '2024-01-04T21:00:00.000Z'],
  ['RSP', 158.6, '2024-01-04T21:00:00.000Z'],
];

describe('Alpaca pages in every shape an export takes', () => {
  it.each([
    ['pages back to back, pretty-printed', `${JSON.stringify(page1, null, 4)}\n${JSON.stringify(page2, null, 4)}\n`],
    ['pages back to back, compact, nothing between', `${JSON.stringify(page1)}${JSON.stringify(page2)}`],
    ['JSONL: one page per line, CRLF', `${JSON.stringify(page1)}\r\n${JSON.stringify(page2)}\r\n`],
    ['a JSON array of pages', JSON.stringify([page1, page2])],
  ])('%s: every bar of every page', (_shape, text) => {
    expect(quotes(text)).toEqual(ALL);
  });

  it('single-symbol pages, in descending order, symbol from each page', () => {
    const a = { bars: [bar('2023-09-27T04:00:00Z', 240.5), bar('2023-09-26T04:00:00Z', 244.12)], symbol: 'TSLA', next_page_token: 'x' };
    const b = { bars: [bar('2023-09-25T04:00:00Z', 246.99)], symbol: 'TSLA', next_page_token: null };
    expect(quotes(`${JSON.stringify(a)}\n${JSON.stringify(b)}`)).toEqual([
      ['TSLA', 240.5, '2023-09-27T20:00:00.000Z'],
      ['TSLA', 244.12, '2023-09-26T20:00:00.000Z'],
      ['TSLA', 246.99, '2023-09-25T20:00:00.000Z'],
    ]);
  });

  it('a truncated page is one dead letter naming it; the pages after it still count', () => {
    const text = `${JSON.stringify(page1)}\n{"bars":{"SPY":[{"t":"2024-01-05T05:00:00Z","c":1}\n${JSON.stringify(page2)}\n`;
    const out = quotes(text);
    expect(out[0]).toEqual(['reject', expect.stringMatching(/^page 2 \(line 2\): not JSON/)]);
    expect(out.slice(1)).toEqual(ALL);
  });

  it('text that holds no bars page at all is one parse error, as a bad document is', () => {
    expect(quotes('{"a":1}{"b":2}')).toEqual([['reject', expect.stringMatching(/^not JSON/)]]);
    expect(quotes('[]x')).toEqual([['reject', expect.stringMatching(/^not JSON/)]]);
  });
});

describe('bar times', () => {
  it('daily bars stamped at midnight UTC (mock data) close on that UTC date', () => {
    const doc = JSON.stringify({ bars: [bar('2021-02-08T00:00:00Z', 136.81)], symbol: 'AAPL' });
    expect(quotes(doc)).toEqual([['AAPL', 136.81, '2021-02-08T21:00:00.000Z']]);
  });

  it('an early close is 13:00 New York', () => {
    const doc = JSON.stringify({ bars: { SPY: [bar('2024-11-29T05:00:00Z', 600)] } });
    expect(quotes(doc)).toEqual([['SPY', 600, '2024-11-29T18:00:00.000Z']]);
  });

  it('a daily bar on a day without a session is dead-lettered with its path', () => {
    const doc = JSON.stringify({ bars: { SPY: [bar('2024-07-04T04:00:00Z', 1)] } });
    expect(quotes(doc)).toEqual([['reject', "bars.SPY[0]: t 2024-07-04T04:00:00Z: 2024-07-04 has no XNYS session (weekend or holiday): a daily bar is stamped at its session's close"]]);
  });

  it('minute bars are stamped at their end; a bar length can be stated', () => {
    const doc = JSON.stringify({ bars: { SPY: [bar('2024-01-02T14:30:00Z', 1), bar('2024-01-02T14:31:00Z', 2)] } });
    expect(quotes(doc).map((q) => q[2])).toEqual(['2024-01-02T14:31:00.000Z', '2024-01-02T14:32:00.000Z']);
    expect(quotes(doc, { timeframe: { kind: 'intraday', ms: 3_600_000 } }).map((q) => q[2])).toEqual(['2024-01-02T15:30:00.000Z', '2024-01-02T15:31:00.000Z']);
  });

  it('one bar that does not start a day makes the file intraday (a post-market bar at 00:00Z is not a daily bar)', () => {
    const doc = JSON.stringify({ bars: { SPY: [bar('2024-01-03T00:00:00Z', 1), bar('2024-01-03T00:01:00Z', 2)] } });
    expect(quotes(doc).map((q) => q[2])).toEqual(['2024-01-03T00:01:00.000Z', '2024-01-03T00:02:00.000Z']);
  });

  it('an unreadable time is passed on for the normaliser to name', () => {
    expect(decodeAlpacaBars(JSON.stringify({ bars: { SPY: [{ t: 'soon', c: 1 }] } }))).toMatchObject([{ kind: 'quote', raw: { ts: 'soon' } }]);
  });
});

describe('splitJsonDocuments', () => {
  it('splits by depth outside strings, with each start line', () => {
    expect(splitJsonDocuments('{"a":"}{"}\n\n [1,[2]]x{"b":"\\"}"}\n{"c":[\n  {}\n{"d":1}')).toEqual([
      { text: '{"a":"}{"}', line: 1 },
      { text: '[1,[2]]', line: 3 },
      { text: 'x', line: 3 },
      { text: '{"b":"\\"}"}', line: 3 },
      { text: '{"c":[\n  {}\n', line: 4 },
      { text: '{"d":1}', line: 6 },
    ]);
  });
});
