/**
 * The history fakes themselves: response shapes against the providers' own samples, paging that
 * returns every bar once, inclusive ranges, daily bars that agree with their minutes, the
 * partial day in progress, scripted faults and refused keys. A backfill test can only be as
 * right as the fake it runs against.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { adjusted, nyDate, nyMidnight, syntheticMarket, XNYS, type Bar } from './history-market.js';
import { alpacaBarsHandler, finnhubCandlesHandler, historyFaults, polygonAggsHandler, startHistoryFake, type HistoryHandler } from './history.js';
import { FakeRestServer } from './rest-fake.js';
import { requireMarketDataFixtures } from '../support/shared-fixtures.js';

const SHARED = requireMarketDataFixtures();
if (SHARED.missing !== null) console.warn(`skipping the fixture shape tests: ${SHARED.missing}`);
const fixture = (name: string) => JSON.parse(readFileSync(path.join(SHARED.dir, 'files', name), 'utf8')) as { bars: Record<string, Array<Record<string, unknown>>>; next_page_token: string | null };

const ALPACA = { keyId: 'AKFAKEHIST0001', secretKey: 'fake-hist-secret-1' };
const ALPACA_HEADERS = { 'APCA-API-KEY-ID': ALPACA.keyId, 'APCA-API-SECRET-KEY': ALPACA.secretKey };
const POLYGON = { apiKey: 'pk_fake_hist_0001' };
const FINNHUB = { token: 'fh_fake_hist_0001' };
const SYMS = ['NVDA', 'AAPL', 'MSFT'];
// 11:00 New York on Black Friday 2024 (an early close at 13:00), and that evening once it is over.
const LIVE = syntheticMarket({ symbols: SYMS, from: '2024-10-01', now: Date.parse('2024-11-29T16:00:00Z'), seed: 42 });
const DONE = syntheticMarket({ symbols: SYMS, from: '2024-10-01', now: Date.parse('2024-11-30T00:00:00Z'), seed: 42 });

let server: FakeRestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: HistoryHandler): Promise<string> {
  server = await FakeRestServer.start(handler);
  return server.url;
}

async function get(url: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, signal?: AbortSignal) {
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const res = await fetch(u, { headers, signal });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const since = (bars: Bar[], date: string) => bars.filter((b) => b.t >= nyMidnight(date));
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

describe.skipIf(SHARED.missing !== null)('shapes as the providers send them', () => {
  test('Alpaca multi-symbol daily bars: the keys and the New York midnight stamp of the sample', async () => {
    const sample = fixture('alpaca_py_multisymbol.json');
    const market = syntheticMarket({ symbols: ['AAPL', 'TSLA'], from: '2022-03-07', now: Date.parse('2022-03-11T02:00:00Z'), seed: 1 });
    const url = await serve(alpacaBarsHandler({ market, credentials: ALPACA }));
    const { body } = await get(`${url}/v2/stocks/bars`, { symbols: 'TSLA,AAPL', timeframe: '1Day', start: '2022-03-09', end: '2022-03-09' }, ALPACA_HEADERS);
    expect(Object.keys(body).sort()).toEqual(Object.keys(sample).sort());
    const bars = body.bars as typeof sample.bars;
    expect(Object.keys(bars)).toEqual(Object.keys(sample.bars));
    expect(Object.keys(bars.AAPL![0]!).sort()).toEqual(Object.keys(sample.bars.AAPL![0]!).sort());
    expect(bars.AAPL!.map((b) => b.t)).toEqual(sample.bars.AAPL!.map((b) => b.t));
    expect(body.next_page_token).toBeNull();
  });

  test('Alpaca descending daily bars in summer time, and a page token shaped like the real one', async () => {
    const sample = fixture('alpaca_py_tsla_day_desc.json');
    const market = syntheticMarket({ symbols: ['TSLA'], from: '2023-09-18', now: Date.parse('2023-09-28T01:00:00Z'), seed: 2 });
    const url = await serve(alpacaBarsHandler({ market, credentials: ALPACA }));
    const { body } = await get(`${url}/v2/stocks/bars`, { symbols: 'TSLA', timeframe: '1Day', start: '2023-09-25', end: '2023-09-27', sort: 'desc' }, ALPACA_HEADERS);
    expect((body.bars as typeof sample.bars).TSLA!.map((b) => b.t)).toEqual(sample.bars.TSLA!.map((b) => b.t));
    const paged = await get(`${url}/v2/stocks/bars`, { symbols: 'TSLA', timeframe: '1Day', start: '2023-09-18', limit: '2' }, ALPACA_HEADERS);
    const decode = (token: string) => Buffer.from(token, 'base64').toString();
    const realShape = decode(fixture('alpaca_py_aapl_day_page1.json').next_page_token!).replace(/[A-Z]+\|/, 'X|').replace(/\d/g, '9');
    expect(decode(paged.body.next_page_token as string).replace(/[A-Z]+\|/, 'X|').replace(/\d/g, '9')).toBe(realShape);
  });

  test("Polygon aggregates and Finnhub candles carry the documented keys; Polygon's daily t is the docs example's", async () => {
    const market = syntheticMarket({ symbols: ['AAPL'], from: '2020-01-02', now: Date.parse('2020-01-04T00:00:00Z'), seed: 3 });
    const url = await serve(polygonAggsHandler({ market, credentials: POLYGON }));
    const { body } = await get(`${url}/v2/aggs/ticker/AAPL/range/1/day/2020-01-02/2020-01-02`, { apiKey: POLYGON.apiKey });
    expect(Object.keys(body).sort()).toEqual(['adjusted', 'queryCount', 'request_id', 'results', 'resultsCount', 'status', 'ticker']);
    const [bar] = body.results as Array<Record<string, number>>;
    expect(Object.keys(bar!).sort()).toEqual(['c', 'h', 'l', 'n', 'o', 't', 'v', 'vw']);
    expect(bar!.t).toBe(1577941200000); // 2020-01-02 in Polygon's own documentation example
    await server!.close();
    const fh = await serve(finnhubCandlesHandler({ market, credentials: FINNHUB }));
    const candles = await get(`${fh}/api/v1/stock/candle`, { symbol: 'AAPL', resolution: 'D', from: '1577836800', to: '1578009600', token: FINNHUB.token });
    expect(Object.keys(candles.body).sort()).toEqual(['c', 'h', 'l', 'o', 's', 't', 'v']);
    expect(candles.body.t).toEqual([Date.UTC(2020, 0, 2) / 1000, Date.UTC(2020, 0, 3) / 1000]);
  });
});

describe('the synthetic market', () => {
  test('each daily bar is the sum of its regular minutes; an early close ends at 13:00 and its post-market at 17:00', () => {
    for (const sym of SYMS) {
      const byDate = new Map<string, Bar[]>();
      for (const b of DONE.minute[sym]!) byDate.set(nyDate(b.t), [...(byDate.get(nyDate(b.t)) ?? []), b]);
      expect(byDate.size).toBe(5);
      for (const [date, minutes] of byDate) {
        const s = XNYS.sessionOn(date)!;
        const regular = minutes.filter((b) => b.t >= s.open && b.t < s.close);
        const day = DONE.daily[sym]!.find((d) => d.t === nyMidnight(date))!;
        expect([day.o, day.c, day.h, day.l, day.v]).toEqual([regular[0]!.o, regular.at(-1)!.c, Math.max(...regular.map((b) => b.h)), Math.min(...regular.map((b) => b.l)), regular.reduce((a, b) => a + b.v, 0)]);
        expect(minutes.length).toBe((s.postClose - s.preOpen) / 60_000);
      }
      const friday = byDate.get('2024-11-29')!;
      expect([iso(friday[0]!.t), iso(friday.at(-1)!.t)]).toEqual(['2024-11-29T09:00:00Z', '2024-11-29T21:59:00Z']);
      expect(friday.filter((b) => b.t >= XNYS.sessionOn('2024-11-29')!.open && b.t < Date.parse('2024-11-29T18:00:00Z'))).toHaveLength(210);
    }
  });

  test('minutes move like a walk: no one-minute jump over 1%, even where a bridge meets its end', () => {
    for (const sym of SYMS) {
      const bars = DONE.minute[sym]!;
      const moves = bars.map((b, i) => Math.abs(Math.log(b.c / (i > 0 && bars[i - 1]!.t === b.t - 60_000 ? bars[i - 1]!.c : b.o))));
      expect(Math.max(...moves)).toBeLessThan(0.01);
    }
  });

  test('the day in progress: only ended minutes, and a partial daily bar closing at the last of them', () => {
    const minutes = since(LIVE.minute.AAPL!, '2024-11-29');
    expect(minutes).toHaveLength(7 * 60); // 04:00 to 11:00
    expect(iso(minutes.at(-1)!.t)).toBe('2024-11-29T15:59:00Z');
    const today = LIVE.daily.AAPL!.at(-1)!;
    expect(today.t).toBe(nyMidnight('2024-11-29'));
    expect(today.c).toBe(minutes.at(-1)!.c);
    expect(LIVE.daily.AAPL!.slice(0, -1)).toEqual(DONE.daily.AAPL!.slice(0, -1));
  });

  test('the same seed gives the same market, and opens and closes do not depend on which sessions have minutes', () => {
    expect(syntheticMarket({ symbols: SYMS, from: '2024-10-01', now: DONE.now, seed: 42 })).toEqual(DONE);
    const more = syntheticMarket({ symbols: SYMS, from: '2024-10-01', now: DONE.now, seed: 42, minuteFrom: '2024-11-01' });
    expect(more.minute.MSFT!.length).toBeGreaterThan(DONE.minute.MSFT!.length * 3);
    expect(more.daily.MSFT!.map((b) => [b.t, b.o, b.c])).toEqual(DONE.daily.MSFT!.map((b) => [b.t, b.o, b.c]));
  });

  test('a 10-for-1 split: the raw series drops tenfold at the ex-date, the adjusted one does not', () => {
    const raw = syntheticMarket({ symbols: ['NVDA'], from: '2024-06-03', now: Date.parse('2024-06-15T00:00:00Z'), seed: 5, splits: [{ symbol: 'NVDA', exDate: '2024-06-10', ratio: 10 }] });
    const adj = adjusted(raw);
    const at = (m: typeof raw, date: string) => m.daily.NVDA!.find((b) => b.t === nyMidnight(date))!;
    expect(at(raw, '2024-06-07').c / at(raw, '2024-06-10').o).toBeGreaterThan(8);
    expect(at(adj, '2024-06-07').c / at(adj, '2024-06-10').o).toBeLessThan(1.25);
    expect(at(adj, '2024-06-07').v).toBe(at(raw, '2024-06-07').v * 10);
    expect(at(adj, '2024-06-10')).toEqual(at(raw, '2024-06-10'));
  });
});

describe('paging returns every bar once', () => {
  test('Alpaca: limit counts across symbols, pages run symbol by symbol, tokens lead on', async () => {
    const handler = alpacaBarsHandler({ market: LIVE, credentials: ALPACA, pageSize: 1000 });
    const url = await serve(handler);
    const got: Record<string, Bar['t'][]> = {};
    let token: string | null = null;
    do {
      const query: Record<string, string> = { symbols: SYMS.join(','), timeframe: '1Min', start: '2024-11-25', limit: '10000', feed: 'iex', ...(token ? { page_token: token } : {}) };
      const { body } = await get(`${url}/v2/stocks/bars`, query, ALPACA_HEADERS);
      for (const [sym, bars] of Object.entries(body.bars as Record<string, Array<{ t: string }>>)) (got[sym] ??= []).push(...bars.map((b) => Date.parse(b.t)));
      token = body.next_page_token as string | null;
    } while (token);
    for (const sym of SYMS) expect(got[sym]).toEqual(since(LIVE.minute[sym]!, '2024-11-25').map((b) => b.t));
    expect(handler.served).toHaveLength(10); // 3 x (3 x 960 + 420) = 9,900 bars
    expect(handler.served[0]!.symbols).toEqual(['AAPL']);
    expect(handler.served[3]!.symbols).toEqual(['AAPL', 'MSFT']);
    expect(handler.served.every((s) => s.bars <= 1000 && s.query.feed === 'iex')).toBe(true);
  });

  test("Polygon: next_url's path and cursor against our own base URL, with our key", async () => {
    const handler = polygonAggsHandler({ market: DONE, credentials: POLYGON });
    const url = await serve(handler);
    const ts: number[] = [];
    let next: string | undefined = `/v2/aggs/ticker/AAPL/range/1/minute/2024-11-25/2024-11-29?limit=1000`;
    while (next) {
      const { body } = await get(`${url}${next}`, {}, { Authorization: `Bearer ${POLYGON.apiKey}` });
      ts.push(...(body.results as Bar[]).map((b) => b.t));
      const abs = body.next_url as string | undefined;
      if (abs) expect(new URL(abs).origin).toBe('https://api.polygon.io');
      next = abs && `${new URL(abs).pathname}${new URL(abs).search}`;
    }
    expect(ts).toEqual(since(DONE.minute.AAPL!, '2024-11-25').map((b) => b.t));
    expect(handler.served.map((s) => s.bars)).toEqual([1000, 1000, 1000, 660]);
  });
});

describe('ranges are inclusive', () => {
  test('Alpaca: a single instant, a whole New York date, 5-minute bars', async () => {
    const url = await serve(alpacaBarsHandler({ market: DONE, credentials: ALPACA }));
    const at = await get(`${url}/v2/stocks/bars`, { symbols: 'MSFT', timeframe: '1Min', start: '2024-11-26T15:00:00Z', end: '2024-11-26T15:00:00Z' }, ALPACA_HEADERS);
    expect((at.body.bars as Record<string, unknown[]>).MSFT).toHaveLength(1);
    const day = await get(`${url}/v2/stocks/bars`, { symbols: 'MSFT', timeframe: '1Min', start: '2024-11-29', end: '2024-11-29' }, ALPACA_HEADERS);
    expect((day.body.bars as Record<string, unknown[]>).MSFT).toHaveLength(780);
    const five = await get(`${url}/v2/stocks/bars`, { symbols: 'MSFT', timeframe: '5Min', start: '2024-11-29T14:30:00Z', end: '2024-11-29T14:40:00Z' }, ALPACA_HEADERS);
    const src = DONE.minute.MSFT!.filter((b) => b.t >= Date.parse('2024-11-29T14:30:00Z') && b.t < Date.parse('2024-11-29T14:45:00Z'));
    expect((five.body.bars as Record<string, Bar[]>).MSFT!.map((b) => [b.o, b.c, b.v])).toEqual([0, 5, 10].map((i) => [src[i]!.o, src[i + 4]!.c, src.slice(i, i + 5).reduce((a, b) => a + b.v, 0)]));
  });

  test('Polygon and Finnhub: both ends count', async () => {
    const poly = await serve(polygonAggsHandler({ market: DONE, credentials: POLYGON }));
    const days = await get(`${poly}/v2/aggs/ticker/NVDA/range/1/day/2024-11-26/2024-11-27`, { apiKey: POLYGON.apiKey });
    expect((days.body.results as Bar[]).map((b) => b.t)).toEqual([nyMidnight('2024-11-26'), nyMidnight('2024-11-27')]);
    const t = Date.parse('2024-11-27T15:00:00Z');
    const one = await get(`${poly}/v2/aggs/ticker/NVDA/range/1/minute/${t}/${t}`, { apiKey: POLYGON.apiKey });
    expect(one.body.resultsCount).toBe(1);
    await server!.close();
    const fh = await serve(finnhubCandlesHandler({ market: DONE, credentials: FINNHUB }));
    const c = await get(`${fh}/api/v1/stock/candle`, { symbol: 'NVDA', resolution: '1', from: String(t / 1000), to: String(t / 1000) }, { 'X-Finnhub-Token': FINNHUB.token });
    expect(c.body).toMatchObject({ s: 'ok', t: [t / 1000], c: [DONE.minute.NVDA!.find((b) => b.t === t)!.c] });
    const friday = await get(`${fh}/api/v1/stock/candle`, { symbol: 'NVDA', resolution: 'D', from: '1732838400', to: '1732924799', token: FINNHUB.token });
    expect(friday.body).toMatchObject({ s: 'ok', t: [1732838400] }); // 2024-11-29 only
    expect((await get(`${fh}/api/v1/stock/candle`, { symbol: 'NVDA', resolution: 'D', from: '1732924800', to: '1733011200', token: FINNHUB.token })).body).toEqual({ s: 'no_data' });
  });

  test("the server's clock: bars that have not ended yet are not served, the day in progress is re-aggregated", async () => {
    const now = LIVE.now - 3_600_000; // 10:00 New York
    const url = await serve(alpacaBarsHandler({ market: LIVE, credentials: ALPACA, now: () => now }));
    const { body } = await get(`${url}/v2/stocks/bars`, { symbols: 'AAPL', timeframe: '1Day', start: '2024-11-29' }, ALPACA_HEADERS);
    const last = LIVE.minute.AAPL!.find((b) => b.t === now - 60_000)!;
    expect((body.bars as Record<string, Bar[]>).AAPL!.map((b) => b.c)).toEqual([last.c]);
  });

  test('split adjustment: Alpaca adjustment=split and Polygon by default, raw otherwise', async () => {
    const market = syntheticMarket({ symbols: ['NVDA'], from: '2024-06-03', now: Date.parse('2024-06-15T00:00:00Z'), seed: 5, splits: [{ symbol: 'NVDA', exDate: '2024-06-10', ratio: 10 }] });
    const before = market.daily.NVDA![4]!; // 2024-06-07
    const fake = await startHistoryFake('polygon', { market, credentials: POLYGON });
    server = fake.server;
    const url = fake.url;
    const path = `/v2/aggs/ticker/NVDA/range/1/day/2024-06-07/2024-06-07`;
    expect(((await get(`${url}${path}`, { apiKey: POLYGON.apiKey })).body.results as Bar[])[0]!.c).toBe(Math.round((before.c / 10) * 10_000) / 10_000);
    expect(((await get(`${url}${path}`, { apiKey: POLYGON.apiKey, adjusted: 'false' })).body.results as Bar[])[0]!.c).toBe(before.c);
    await server!.close();
    const alpaca = await serve(alpacaBarsHandler({ market, credentials: ALPACA }));
    const q = { symbols: 'NVDA', timeframe: '1Day', start: '2024-06-07', end: '2024-06-07' };
    expect(((await get(`${alpaca}/v2/stocks/bars`, { ...q, adjustment: 'split' }, ALPACA_HEADERS)).body.bars as Record<string, Bar[]>).NVDA![0]!.v).toBe(before.v * 10);
    expect(((await get(`${alpaca}/v2/stocks/bars`, q, ALPACA_HEADERS)).body.bars as Record<string, Bar[]>).NVDA![0]!.v).toBe(before.v);
  });
});

describe('faults and refusals', () => {
  test('by request number: 429 with Retry-After, 500, a hang, a slow page; then an answer', async () => {
    const handler = alpacaBarsHandler({ market: DONE, credentials: ALPACA, faults: { 0: historyFaults.rateLimited.alpaca, 1: historyFaults.serverError, 2: historyFaults.hang }, slowPage: { index: 3, delayMs: 30_000 } });
    const url = await serve(handler);
    const q = { symbols: 'AAPL', timeframe: '1Day', start: '2024-11-01' };
    const limited = await get(`${url}/v2/stocks/bars`, q, ALPACA_HEADERS);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
    const failed = await fetch(`${url}/v2/stocks/bars`, { headers: ALPACA_HEADERS });
    expect(failed.status).toBe(500);
    await expect(get(`${url}/v2/stocks/bars`, q, ALPACA_HEADERS, AbortSignal.timeout(200))).rejects.toThrow();
    await expect(get(`${url}/v2/stocks/bars`, q, ALPACA_HEADERS, AbortSignal.timeout(200))).rejects.toThrow();
    const ok = await get(`${url}/v2/stocks/bars`, q, ALPACA_HEADERS);
    expect((ok.body.bars as Record<string, unknown[]>).AAPL).toHaveLength(20);
    expect(handler.served.map((s) => s.status)).toEqual([429, 500, 'hang', 200, 200]);
  });

  test('a wrong or missing key is refused as each provider refuses it; Finnhub free plans have no candles', async () => {
    const alpaca = await startHistoryFake('alpaca', { market: DONE, credentials: ALPACA });
    server = alpaca.server;
    const bars = { symbols: 'AAPL', timeframe: '1Day' };
    expect(await get(`${alpaca.url}/v2/stocks/bars`, bars, { ...ALPACA_HEADERS, 'APCA-API-SECRET-KEY': 'wrong' })).toMatchObject({ status: 403, body: { message: 'forbidden.' } });
    expect((await get(`${alpaca.url}/v1/corporate-actions`, {}, ALPACA_HEADERS)).body).toEqual({ corporate_actions: {}, next_page_token: null });
    await server.close();
    const poly = await serve(polygonAggsHandler({ market: DONE, credentials: POLYGON }));
    const path = `${poly}/v2/aggs/ticker/AAPL/range/1/day/2024-11-01/2024-11-29`;
    expect(await get(path)).toMatchObject({ status: 401, body: { status: 'ERROR', error: 'Unknown API Key' } });
    expect((await get(path, {}, { Authorization: `Bearer ${POLYGON.apiKey}` })).status).toBe(200);
    await server!.close();
    const candle = { symbol: 'AAPL', resolution: 'D', from: '1730419200', to: '1732924800' };
    const fh = await serve(finnhubCandlesHandler({ market: DONE, credentials: FINNHUB }));
    expect(await get(`${fh}/api/v1/stock/candle`, { ...candle, token: 'wrong' })).toMatchObject({ status: 401, body: { error: 'Invalid API key' } });
    await server!.close();
    const free = await serve(finnhubCandlesHandler({ market: DONE, credentials: FINNHUB, plan: 'free' }));
    expect(await get(`${free}/api/v1/stock/candle`, { ...candle, token: FINNHUB.token })).toMatchObject({ status: 403, body: { error: "You don't have access to this resource." } });
  });
});
