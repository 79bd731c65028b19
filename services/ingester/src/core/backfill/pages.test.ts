import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { REPO_ROOT } from '@rotation/config';
import { MINUTE_BARS, type Timeframe } from '../parsers/bar-time.js';
import { decodeAlpacaBarsPage } from '../parsers/alpaca-bars.js';
import type { Decoded } from '../parsers/decoded.js';
import { decodeFinnhubCandles, decodePolygonAggs, type PageResult } from './pages.js';

const XNYS = getCalendar('XNYS');
const DAY: Timeframe = { kind: 'day' };
const at = (iso: string) => Date.parse(iso);
const closeOf = (date: string) => XNYS.sessionOn(date)!.close;
const page = (r: PageResult) => {
  if (!r.ok) throw new Error(`expected a page, got: ${r.message}`);
  return r.page;
};
/** Each record as [ts, price] for quotes, or [reason, message] for rejections. */
const brief = (d: Decoded[]) => d.map((x) => (x.kind === 'quote' ? [x.raw.ts, x.raw.price] : x.kind === 'reject' ? [x.reason, x.message] : [x.kind]));

describe('decodePolygonAggs', () => {
  // Polygon stamps a daily aggregate at midnight New York of its date.
  const daily = (t: number, c: number) => ({ v: 70_790_813, vw: 131.6292, o: 130.465, c, h: 133.41, l: 129.89, t, n: 645_365 });

  it('stamps daily bars at the session close: 21:00Z in winter, 20:00Z in summer, 18:00Z on an early close', () => {
    const body = { ticker: 'AAPL', status: 'OK', adjusted: true, results: [daily(at('2023-01-09T05:00:00Z'), 130.15), daily(at('2024-07-01T04:00:00Z'), 216.75), daily(at('2024-11-29T05:00:00Z'), 237.33)] };
    const p = page(decodePolygonAggs(body, 'AAPL', DAY, 'AAPL day: '));
    expect(brief(p.decoded)).toEqual([
      [at('2023-01-09T21:00:00Z'), 130.15],
      [at('2024-07-01T20:00:00Z'), 216.75],
      [at('2024-11-29T18:00:00Z'), 237.33],
    ]);
    expect(p.decoded[0]).toMatchObject({ kind: 'quote', raw: { symbol: 'AAPL', size: 70_790_813 }, seq: 1 });
    expect(p.next).toBeUndefined();
  });

  it('stamps minute bars at their end and follows next_url', () => {
    const start = at('2025-03-11T13:30:00Z');
    const body = { status: 'DELAYED', results: [{ t: start, c: 561.2, v: 1200 }, { t: start + 60_000, c: 561.5, v: 900 }], next_url: 'https://api.polygon.io/v2/aggs/ticker/SPY/range/1/minute/1741699920000/2025-03-11?cursor=abc' };
    const p = page(decodePolygonAggs(body, 'SPY', MINUTE_BARS, ''));
    expect(brief(p.decoded)).toEqual([
      [start + 60_000, 561.2],
      [start + 120_000, 561.5],
    ]);
    expect(p.next).toBe(body.next_url);
    expect(page(decodePolygonAggs({ ...body, next_url: '' }, 'SPY', MINUTE_BARS, '')).next).toBeUndefined();
  });

  it('reads a page without results as empty', () => {
    expect(page(decodePolygonAggs({ ticker: 'SPY', status: 'OK', resultsCount: 0 }, 'SPY', DAY, ''))).toEqual({ decoded: [], next: undefined });
  });

  it('refuses an ERROR or NOT_AUTHORIZED status, a body that is not an object and results that are not an array', () => {
    expect(decodePolygonAggs({ status: 'ERROR', error: 'Unknown API Key' }, 'SPY', DAY, '')).toEqual({ ok: false, message: 'status ERROR: Unknown API Key' });
    expect(decodePolygonAggs({ status: 'NOT_AUTHORIZED', message: "Your plan doesn't include this data timeframe." }, 'SPY', DAY, '')).toEqual({ ok: false, message: "status NOT_AUTHORIZED: Your plan doesn't include this data timeframe." });
    expect(decodePolygonAggs({ status: 'ERROR' }, 'SPY', DAY, '')).toEqual({ ok: false, message: 'status ERROR:' });
    expect(decodePolygonAggs([], 'SPY', DAY, '')).toEqual({ ok: false, message: 'expected a JSON object' });
    expect(decodePolygonAggs({ status: 'OK', results: {} }, 'SPY', DAY, '')).toEqual({ ok: false, message: '"results" is not an array' });
  });

  it('rejects bad entries with their path and keeps the rest', () => {
    const body = { status: 'OK', results: [daily(at('2025-03-10T04:00:00Z'), 560), 'bar', daily(at('2025-03-15T04:00:00Z'), 561), null] };
    const p = page(decodePolygonAggs(body, 'SPY', DAY, 'SPY 2025-03-10..2025-03-17: '));
    expect(p.decoded.map((d) => [d.kind, d.seq])).toEqual([['quote', 1], ['reject', 2], ['reject', 3], ['reject', 4]]);
    expect(p.decoded[1]).toMatchObject({ reason: 'parse_error', message: 'SPY 2025-03-10..2025-03-17: results[1]: expected a bar object', text: '"bar"' });
    // A daily bar on a Saturday has no close to be stamped at.
    expect(p.decoded[2]).toMatchObject({ reason: 'invalid_tick' });
    expect((p.decoded[2] as { message: string }).message).toMatch(/^SPY 2025-03-10\.\.2025-03-17: results\[2\]: t 1742011200000: 2025-03-15 has no XNYS session/);
    expect(p.decoded[3]).toMatchObject({ reason: 'parse_error', message: 'SPY 2025-03-10..2025-03-17: results[3]: expected a bar object' });
  });

  it('passes an unreadable bar time on to the normaliser', () => {
    const p = page(decodePolygonAggs({ status: 'OK', results: [{ t: 'noon', c: 1, v: 1 }] }, 'SPY', MINUTE_BARS, ''));
    expect(p.decoded[0]).toMatchObject({ kind: 'quote', raw: { ts: 'noon', price: 1 } });
  });
});

describe('decodeFinnhubCandles', () => {
  // Unix seconds of the bar start: midnight New York (Finnhub's docs example) and midnight UTC.
  const body = { s: 'ok', t: [1569297600, 1569384000, 1732838400], c: [217.68, 221.03, 237.33], o: [1, 1, 1], h: [1, 1, 1], l: [1, 1, 1], v: [33_463_820, 24_018_876, 28_481_377] };

  it('stamps daily candles at the session close', () => {
    const p = page(decodeFinnhubCandles(body, 'AAPL', DAY, 'AAPL D: '));
    expect(brief(p.decoded)).toEqual([
      [closeOf('2019-09-24'), 217.68],
      [closeOf('2019-09-25'), 221.03],
      [at('2024-11-29T18:00:00Z'), 237.33],
    ]);
    expect(p.decoded[0]).toMatchObject({ raw: { symbol: 'AAPL', size: 33_463_820 }, text: '{"t":1569297600,"c":217.68,"v":33463820}' });
    expect(closeOf('2019-09-24')).toBe(at('2019-09-24T20:00:00Z'));
    expect(p.next).toBeUndefined();
  });

  it('stamps minute candles at their end, with or without volumes', () => {
    const t = at('2025-03-11T13:30:00Z') / 1000;
    expect(brief(page(decodeFinnhubCandles({ s: 'ok', t: [t, t + 60], c: [5, 6] }, 'SPY', MINUTE_BARS, '')).decoded)).toEqual([
      [(t + 60) * 1000, 5],
      [(t + 120) * 1000, 6],
    ]);
  });

  it('reads no_data as an empty page', () => {
    expect(page(decodeFinnhubCandles({ s: 'no_data' }, 'SPY', DAY, ''))).toEqual({ decoded: [], next: undefined });
  });

  it('refuses arrays of different lengths, a status other than ok, and a body that is not an object', () => {
    const broken = { message: 't, c and v must be arrays of one length', ok: false };
    expect(decodeFinnhubCandles({ ...body, c: [1, 2] }, 'SPY', DAY, '')).toEqual(broken);
    expect(decodeFinnhubCandles({ ...body, v: [1] }, 'SPY', DAY, '')).toEqual(broken);
    expect(decodeFinnhubCandles({ ...body, t: 5 }, 'SPY', DAY, '')).toEqual(broken);
    expect(decodeFinnhubCandles({ error: "You don't have access to this resource." }, 'SPY', DAY, '')).toEqual({ ok: false, message: "You don't have access to this resource." });
    expect(decodeFinnhubCandles({ s: 'error' }, 'SPY', DAY, '')).toEqual({ ok: false, message: 'status "error"' });
    expect(decodeFinnhubCandles({}, 'SPY', DAY, '')).toEqual({ ok: false, message: 'status null' });
    expect(decodeFinnhubCandles('ok', 'SPY', DAY, '')).toEqual({ ok: false, message: 'expected a JSON object' });
  });

  it('rejects a daily candle on a closed day with its position', () => {
    // 2025-03-15 is a Saturday.
    const p = page(decodeFinnhubCandles({ s: 'ok', t: [1741564800, 1741996800], c: [560, 561] }, 'SPY', DAY, 'SPY D: '));
    expect(p.decoded[0]).toMatchObject({ kind: 'quote', raw: { ts: closeOf('2025-03-10') } });
    expect(p.decoded[1]).toMatchObject({ kind: 'reject', reason: 'invalid_tick', seq: 2 });
    expect((p.decoded[1] as { message: string }).message).toMatch(/^SPY D: \[1\]: t 1741996800000: 2025-03-15 has no XNYS session/);
  });
});

// Contract vectors: the providers' own samples, read in place (never copied into the repository).
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/market-data');
const SHARED = existsSync(path.join(FIXTURES, 'README.md'));
if (!SHARED) console.warn(`skipping the REST page contract tests: shared market-data fixtures not found at ${FIXTURES}`);
const readJson = (...parts: string[]) => JSON.parse(readFileSync(path.join(FIXTURES, ...parts), 'utf8')) as unknown;

/** Every object in a JSON value (frames may hold documents as strings) that is an aggregates response: `results` of bars with `t` and `c`. */
function aggregatesIn(v: unknown, out: Array<{ results: Array<{ c: number }> }> = []): Array<{ results: Array<{ c: number }> }> {
  if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
    try {
      return aggregatesIn(JSON.parse(v), out);
    } catch {
      return out;
    }
  }
  if (typeof v !== 'object' || v === null) return out;
  const r = (v as { results?: unknown }).results;
  if (Array.isArray(r) && r.length > 0 && r.every((b) => typeof b === 'object' && b !== null && 't' in b && 'c' in b)) out.push(v as { results: Array<{ c: number }> });
  for (const child of Object.values(v)) aggregatesIn(child, out);
  return out;
}

const POLYGON_AGGS = SHARED ? ['massive_spec_examples.json', 'client_python_mock_server.json'].flatMap((f) => aggregatesIn(readJson('polygon', f))) : [];
// The shared Polygon samples are WebSocket frames and hold no REST aggregates response as of writing.
if (SHARED && POLYGON_AGGS.length === 0) console.warn('skipping the Polygon aggregates contract test: no /v2/aggs response in the shared Polygon samples');

describe.skipIf(POLYGON_AGGS.length === 0)('contract: Polygon aggregates samples', () => {
  it('decodes every bar of every sample at its close price', () => {
    for (const example of POLYGON_AGGS) {
      const decoded = page(decodePolygonAggs(example, 'X', MINUTE_BARS, '')).decoded;
      expect(decoded).toHaveLength(example.results.length);
      expect(decoded.map((d) => (d.kind === 'quote' ? d.raw.price : d.kind))).toEqual(example.results.map((b) => b.c));
    }
  });
});

describe.skipIf(!SHARED)('contract: Alpaca /v2/stocks/bars samples through decodeAlpacaBarsPage', () => {
  type Sample = { bars: Record<string, Array<{ t: string; c: number; v: number }>> | Array<{ t: string; c: number; v: number }>; symbol?: string; next_page_token: string | null };
  const samples = SHARED ? readdirSync(path.join(FIXTURES, 'files')).filter((f) => /^alpaca_.*\.json$/.test(f)) : [];

  it('finds the daily samples', () => {
    expect(samples).toEqual(expect.arrayContaining(['alpaca_py_aapl_day_page1.json', 'alpaca_py_multisymbol.json', 'alpaca_py_tsla_day_desc.json']));
  });

  it.each(samples)('%s: every bar a quote at its close price, stamped at its date’s XNYS close', (file) => {
    const doc = readJson('files', file) as Sample;
    const { decoded, next } = decodeAlpacaBarsPage(doc, DAY, `${file}: `);
    const bars = Array.isArray(doc.bars) ? [[doc.symbol!, doc.bars] as const] : Object.entries(doc.bars);
    const expected = bars.flatMap(([symbol, list]) => list.map((b) => ({ symbol, price: b.c, size: b.v, ts: closeOf(b.t.slice(0, 10)) })));
    expect(decoded).toHaveLength(expected.length);
    expect(decoded.map((d) => (d.kind === 'quote' ? d.raw : d))).toEqual(expected);
    expect(next).toBe(doc.next_page_token ?? undefined);
  });

  it('stamps the first AAPL bar of 2022-02-01 at 21:00Z and reads the page token', () => {
    const { decoded, next } = decodeAlpacaBarsPage(readJson('files', 'alpaca_py_aapl_day_page1.json'), DAY, '');
    expect(decoded[0]).toMatchObject({ kind: 'quote', raw: { symbol: 'AAPL', price: 174.61, ts: at('2022-02-01T21:00:00Z') } });
    expect(Buffer.from(next!, 'base64').toString()).toBe('AAPL|D|2022-02-02T05:00:00.000000000Z');
  });
});
