/**
 * Contract tests over the real market-data files in ../shared/fixtures/market-data/files
 * (Yahoo, yfinance, Stooq download and bulk, Alpaca REST bars pages), read where they are at
 * test time: exact counts, first and last quotes, early closes, corporate actions, price bases,
 * and the Alpaca pages reassembled into every shape an export takes. No broker needed: the
 * replay source runs into a recording sink.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import type { DeadLetterOrigin, DeadLetterReason } from '@rotation/schemas';
import { silentLogger } from '@rotation/log';
import { ReplaySource, type ReplayOptions } from '@rotation/ingester';
import type { QuoteSink, RawEvent, RawQuote, SkipReason } from '@rotation/ingester';
import { requireMarketDataFixtures } from '../support/shared-fixtures.js';

const SHARED = requireMarketDataFixtures();
const FILES = path.join(SHARED.dir, 'files');
// The samples are third-party data read in place; without them the contract cannot be checked here.
if (SHARED.missing !== null) console.warn(`skipping the contract tests: ${SHARED.missing}`);
const file = (name: string) => path.join(FILES, name);
const XNYS = getCalendar('XNYS');

class RecordingSink implements QuoteSink {
  quotes: RawQuote[] = [];
  events: RawEvent[] = [];
  rejects: Array<{ reason: DeadLetterReason; message: string; origin: DeadLetterOrigin }> = [];
  skips: Array<{ reason: SkipReason; origin: DeadLetterOrigin }> = [];
  /** Everything in the order the sink saw it. */
  order: string[] = [];
  quote(raw: RawQuote): void {
    this.quotes.push(raw);
    this.order.push(`quote ${iso(raw.ts)}`);
  }
  event(raw: RawEvent): void {
    this.events.push(raw);
    this.order.push(`${raw.type} ${iso(raw.ts)}`);
  }
  reject(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin): void {
    this.rejects.push({ reason, message, origin });
  }
  skip(reason: SkipReason, origin: DeadLetterOrigin): void {
    this.skips.push({ reason, origin });
  }
}

function iso(ts: unknown): string {
  return typeof ts === 'number' ? new Date(ts).toISOString() : String(ts);
}

async function replay(files: string[], options: Partial<ReplayOptions> = {}): Promise<RecordingSink> {
  const sink = new RecordingSink();
  await new ReplaySource({ files, speed: { kind: 'max' }, logger: silentLogger(), ...options }).run(sink);
  return sink;
}

/** symbol, price, ts as ISO: what a quote says. */
const q = (r: RawQuote | undefined) => (r ? [r.symbol, r.price, iso(r.ts)] : undefined);

describe.skipIf(SHARED.missing !== null)('daily files: counts, first and last quotes, each at its session close', () => {
  it.each([
    ['yahoo_nvda-2014.txt', 'NVDA', 252, ['NVDA', '15.860000', '2014-01-02T21:00:00.000Z'], ['NVDA', '20.049999', '2014-12-31T21:00:00.000Z']],
    ['yahoo_orcl-2014.txt', 'ORCL', 252, ['ORCL', '37.840000', '2014-01-02T21:00:00.000Z'], ['ORCL', '44.970001', '2014-12-31T21:00:00.000Z']],
    ['yfinance/EWG-1d-no-bad-divs.csv', 'EWG', 662, ['EWG', '33.15999984741211', '2022-01-03T21:00:00.000Z'], ['EWG', '32.040000915527344', '2024-08-21T20:00:00.000Z']],
    ['stooq_spy_daily_ohlcv.csv', 'SPY', 2000, ['SPY', '247.373', '2018-02-26T21:00:00.000Z'], ['SPY', '695.16', '2026-02-09T21:00:00.000Z']],
    ['stooq_bulk_spy.us.txt', undefined, 5370, ['SPY', '93.6948', '2005-02-25T21:00:00.000Z'], ['SPY', '744.78', '2026-07-02T20:00:00.000Z']],
    ['stooq_bulk_nvda.us.txt', undefined, 6729, ['NVDA', '0.0376018', '1999-01-22T21:00:00.000Z'], ['NVDA', '180.28', '2025-10-22T20:00:00.000Z']],
  ])('%s', async (name, symbol, count, first, last) => {
    const sink = await replay([file(name)], symbol ? { symbol } : {});
    expect(sink.quotes).toHaveLength(count);
    expect(q(sink.quotes[0])).toEqual(first);
    expect(q(sink.quotes.at(-1))).toEqual(last);
    expect(sink.rejects).toEqual([]);
    // Every bar is stamped at exactly its session's close: the calendar's, early closes included.
    const off = sink.quotes.filter((r) => XNYS.sessionContaining(r.ts as number)?.close !== r.ts);
    expect(off).toEqual([]);
  });

  it('the 2014 early closes (13:00 ET) are stamped 17:00Z in July and 18:00Z in November and December', async () => {
    for (const [name, symbol] of [['yahoo_nvda-2014.txt', 'NVDA'], ['yahoo_orcl-2014.txt', 'ORCL']]) {
      const sink = await replay([file(name!)], { symbol: symbol! });
      const early = sink.quotes.map((r) => iso(r.ts)).filter((t) => !t.endsWith('T21:00:00.000Z') && !t.endsWith('T20:00:00.000Z'));
      expect(early).toEqual(['2014-07-03T17:00:00.000Z', '2014-11-28T18:00:00.000Z', '2014-12-24T18:00:00.000Z']);
    }
  });

  it.each([
    ['stooq_bulk_spy.us.txt', 45, ['2005-11-25T18:00:00.000Z', '2006-07-03T17:00:00.000Z'], '2025-12-24T18:00:00.000Z'],
    ['stooq_bulk_nvda.us.txt', 58, ['1999-11-26T18:00:00.000Z', '1999-12-31T18:00:00.000Z'], '2025-07-03T17:00:00.000Z'],
  ])('%s: %i early closes, every one the calendar has in its range', async (name, n, firstTwo, lastOne) => {
    const sink = await replay([file(name)]);
    const early = sink.quotes.filter((r) => XNYS.sessionContaining(r.ts as number)!.early).map((r) => iso(r.ts));
    expect(early).toHaveLength(n);
    expect(early.slice(0, 2)).toEqual(firstTwo);
    expect(early.at(-1)).toBe(lastOne);
  });

  it('Stooq bulk tickers lose their .US suffix; the one session each file lacks is simply absent', async () => {
    const spy = await replay([file('stooq_bulk_spy.us.txt')]);
    expect(new Set(spy.quotes.map((r) => r.symbol))).toEqual(new Set(['SPY']));
    expect(spy.quotes.some((r) => iso(r.ts).startsWith('2011-02-17'))).toBe(false);
  });
});

describe.skipIf(SHARED.missing !== null)('price basis of the real files', () => {
  it('Yahoo Adj Close (total_return) on request', async () => {
    const sink = await replay([file('yahoo_orcl-2014.txt')], { symbol: 'ORCL', priceBasis: 'total_return' });
    expect([q(sink.quotes[0]), q(sink.quotes.at(-1))]).toEqual([
      ['ORCL', '35.166069', '2014-01-02T21:00:00.000Z'],
      ['ORCL', '42.303135', '2014-12-31T21:00:00.000Z'],
    ]);
  });

  it('Yahoo Close and Stooq Close are different bases: refused together, accepted with Adj Close', async () => {
    const files = [file('yahoo_nvda-2014.txt'), file('stooq_bulk_nvda.us.txt')];
    await expect(replay(files, { symbol: 'NVDA' })).rejects.toMatchObject({
      code: 'INGESTER_PRICE_BASIS',
      message: expect.stringContaining('yahoo_nvda-2014.txt: split_adjusted (Yahoo Close, split-adjusted); '),
    });
    const sink = await replay(files, { symbol: 'NVDA', priceBasis: 'total_return' });
    expect(sink.quotes).toHaveLength(252 + 6729);
  });

  it('Alpaca bars (adjustment=raw) and Yahoo Close are refused together unless allowed', async () => {
    const files = [file('alpaca_py_aapl_day_page1.json'), file('yahoo_nvda-2014.txt')];
    await expect(replay(files, { symbol: 'NVDA' })).rejects.toThrow(/alpaca_py_aapl_day_page1\.json: unadjusted \(Alpaca bars, adjustment=raw unless stated\)/);
    expect((await replay(files, { symbol: 'NVDA', allowMixedBasis: true })).quotes).toHaveLength(2 + 252);
  });
});

describe.skipIf(SHARED.missing !== null)('yfinance corporate actions', () => {
  const EWG = file('yfinance/EWG-1d-no-bad-divs.csv');
  const DIVIDENDS = [
    ['2022-06-09', 0.792],
    ['2022-12-13', 0.009],
    ['2023-06-07', 0.759],
    ['2023-12-20', 0.002],
    ['2024-06-11', 0.758],
  ];

  it("EWG's five dividends are published on the split-adjusted basis, each at 00:00 New York of its ex-date; it has no split", async () => {
    const sink = await replay([EWG], { symbol: 'EWG' });
    expect(sink.events.map((e) => e.type === 'corporate_action' && [e.action, e.exDate, e.amount])).toEqual(DIVIDENDS.map(([d, a]) => ['dividend', d, a]));
    expect(sink.events.map((e) => iso(e.ts))).toEqual(['2022-06-09T04:00:00.000Z', '2022-12-13T05:00:00.000Z', '2023-06-07T04:00:00.000Z', '2023-12-20T05:00:00.000Z', '2024-06-11T04:00:00.000Z']);
    expect(sink.skips).toEqual([]);
    // After the close before the ex-date, before the ex-date's own bar.
    const at = sink.order.indexOf('corporate_action 2022-06-09T04:00:00.000Z');
    expect(sink.order.slice(at - 1, at + 2)).toEqual(['quote 2022-06-08T20:00:00.000Z', 'corporate_action 2022-06-09T04:00:00.000Z', 'quote 2022-06-09T20:00:00.000Z']);
  });

  it('on the total-return basis (Adj Close) they are already in the prices: counted, not published', async () => {
    const sink = await replay([EWG], { symbol: 'EWG', priceBasis: 'total_return' });
    expect(sink.events).toEqual([]);
    expect(sink.skips.map((s) => [s.reason, s.origin.line])).toEqual([
      ['already_adjusted', 111],
      ['already_adjusted', 240],
      ['already_adjusted', 360],
      ['already_adjusted', 496],
      ['already_adjusted', 614],
    ]);
    expect(q(sink.quotes[0])).toEqual(['EWG', '30.576433181762695', '2022-01-03T21:00:00.000Z']);
  });

  describe('a yfinance sample with splits (EWG has none)', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'yfinance-split-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    // NVDA's 10-for-1 split (ex 2024-06-10) and its $0.01 dividend (ex 2024-06-11), prices split-adjusted as yfinance writes them.
    const SAMPLE = [
      'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
      '2024-06-07 00:00:00-04:00,119.77,121.69,118.02,120.89,120.86,412386000,0.0,0.0',
      '2024-06-10 00:00:00-04:00,120.37,123.10,117.01,121.79,121.76,314162700,0.0,10.0',
      '2024-06-11 00:00:00-04:00,121.77,122.87,118.74,120.91,120.89,222551200,0.01,0.0',
      '2024-06-12 00:00:00-04:00,123.06,126.88,122.57,125.20,125.18,299595000,0.0,0.0',
    ].join('\n');

    it('a split is counted as already adjusted on either basis; the dividend is published on split_adjusted only', async () => {
      const f = path.join(dir, 'NVDA.csv');
      await writeFile(f, SAMPLE);
      const split = await replay([f]);
      expect(split.quotes.map(q)).toEqual([
        ['NVDA', '120.89', '2024-06-07T20:00:00.000Z'],
        ['NVDA', '121.79', '2024-06-10T20:00:00.000Z'],
        ['NVDA', '120.91', '2024-06-11T20:00:00.000Z'],
        ['NVDA', '125.20', '2024-06-12T20:00:00.000Z'],
      ]);
      expect(split.skips).toEqual([{ reason: 'already_adjusted', origin: { file: f, line: 3 } }]);
      expect(split.events).toEqual([{ type: 'corporate_action', symbol: 'NVDA', action: 'dividend', exDate: '2024-06-11', amount: 0.01, ts: Date.parse('2024-06-11T04:00:00Z') }]);
      const total = await replay([f], { priceBasis: 'total_return' });
      expect([total.events, total.skips.map((s) => s.origin.line)]).toEqual([[], [3, 4]]);
    });
  });
});

describe.skipIf(SHARED.missing !== null)('Alpaca REST bars pages', () => {
  const PAGES = ['alpaca_js_single_symbol.json', 'alpaca_py_aapl_day_page1.json', 'alpaca_py_multisymbol.json', 'alpaca_py_tsla_day_desc.json'];
  const EACH: Record<string, unknown[][]> = {
    // The mock repeats one bar; both are handed on (the normaliser drops the second as a duplicate). Stamped at midnight UTC, it is the 2021-02-08 session.
    'alpaca_js_single_symbol.json': [['AAPL', 136.81, '2021-02-08T21:00:00.000Z'], ['AAPL', 136.81, '2021-02-08T21:00:00.000Z']],
    // 05:00Z in winter, 04:00Z in summer: midnight New York, the start of the day; the close comes 16 hours later.
    'alpaca_py_aapl_day_page1.json': [['AAPL', 174.61, '2022-02-01T21:00:00.000Z'], ['AAPL', 175.84, '2022-02-02T21:00:00.000Z']],
    'alpaca_py_multisymbol.json': [['AAPL', 162.95, '2022-03-09T21:00:00.000Z'], ['TSLA', 858.97, '2022-03-09T21:00:00.000Z']],
    // Sent newest first; published oldest first.
    'alpaca_py_tsla_day_desc.json': [['TSLA', 246.99, '2023-09-25T20:00:00.000Z'], ['TSLA', 244.12, '2023-09-26T20:00:00.000Z'], ['TSLA', 240.5, '2023-09-27T20:00:00.000Z']],
  };
  const ALL = Object.values(EACH).flat().sort((a, b) => Date.parse(a[2] as string) - Date.parse(b[2] as string));
  let dir: string;
  let texts: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alpaca-pages-'));
    texts = await Promise.all(PAGES.map((p) => readFile(file(p), 'utf8')));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(PAGES)('%s as fetched', async (name) => {
    const sink = await replay([file(name)]);
    expect(sink.quotes.map(q)).toEqual(EACH[name]);
    expect([sink.rejects, sink.events, sink.skips]).toEqual([[], [], []]);
  });

  const shapes: Array<[string, string, (t: string[]) => string]> = [
    ['pages back to back as fetched (pretty-printed and compact)', 'pages.json', (t) => t.join('\n')],
    ['pages back to back with nothing between', 'pages.txt', (t) => t.map((x) => JSON.stringify(JSON.parse(x))).join('')],
    ['JSONL: one page per line', 'pages.jsonl', (t) => `${t.map((x) => JSON.stringify(JSON.parse(x))).join('\n')}\n`],
    ['JSONL with CRLF, named .ndjson', 'pages.ndjson', (t) => t.map((x) => JSON.stringify(JSON.parse(x))).join('\r\n')],
    ['a JSON array of pages', 'pages-array.json', (t) => JSON.stringify(t.map((x) => JSON.parse(x) as unknown), null, 2)],
  ];
  it.each(shapes)('%s (%s): every bar of every page, in event-time order', async (_shape, name, build) => {
    const f = path.join(dir, name);
    await writeFile(f, build(texts));
    const sink = await replay([f]);
    expect(sink.quotes.map(q)).toEqual(ALL);
    expect(sink.rejects).toEqual([]);
  });

  it('the pages in reverse order publish the same sequence, ties kept in page order', async () => {
    const f = path.join(dir, 'reversed.jsonl');
    await writeFile(f, [...texts].reverse().map((x) => JSON.stringify(JSON.parse(x))).join('\n'));
    const sink = await replay([f]);
    expect(sink.quotes.map(q)).toEqual(ALL);
  });

  it('a page cut short costs that page only, dead-lettered with its line', async () => {
    const lines = texts.map((x) => JSON.stringify(JSON.parse(x)));
    lines[1] = lines[1]!.slice(0, 120);
    const f = path.join(dir, 'cut.jsonl');
    await writeFile(f, lines.join('\n'));
    const sink = await replay([f]);
    expect(sink.rejects).toEqual([{ reason: 'parse_error', message: expect.stringMatching(/^page 2 \(line 2\): not JSON/), origin: { file: f, line: 2 } }]);
    expect(sink.quotes).toHaveLength(ALL.length - 2);
  });

  it('an export made with adjustment=split is stated, not guessed', async () => {
    const sink = new RecordingSink();
    const source = new ReplaySource({ files: [file('alpaca_py_aapl_day_page1.json')], speed: { kind: 'max' }, logger: silentLogger(), priceBasis: 'split_adjusted' });
    await source.run(sink);
    expect(source.summary()).toEqual({ priceBasis: 'split_adjusted' });
  });
});
