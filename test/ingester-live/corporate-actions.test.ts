/**
 * The corporate-action fetchers against fake Alpaca and Polygon / Massive REST servers on
 * 127.0.0.1: paging, exact RawEvents handed to the sink, malformed entries as dead letters,
 * error statuses, retries, timeouts, page limits, and no key in any log line.
 */
import { parseEnv } from '@rotation/config';
import { createCorporateActionsFetcher, type FetchReport } from '@rotation/ingester';
import type { RawEvent } from '@rotation/ingester';
import { alpacaActionsHandler, polygonActionsHandler, startFakeActions, type FakeAlpacaActionsOptions, type FakePolygonActionsOptions } from '../fakes/corporate-actions.js';
import type { FakeRestServer } from '../fakes/rest-fake.js';
import { describe, expect, test } from '../support/fixtures.js';
import { capturedLogger, MemorySink, smallUniverse, withServer } from './support.js';

const KEY_ID = 'AKFAKECAKEY00001';
const SECRET = 'fake-ca-secret-0001';
const POLYGON_KEY = 'pk_fake_actions_0001';
const NOW = Date.parse('2024-06-03T14:00:00Z');
const WINDOW = { start: '2024-05-04', end: '2024-07-03' };
const universe = smallUniverse(); // IWM, RSP, SPY, XLB, XLK
// Generous timeouts: a loaded machine must not turn an answer into a retry (the timeout test sets its own).
const FAST_HTTP = { timeoutMs: 5_000, retries: 2, backoff: { initialMs: 5, maxMs: 20, multiplier: 2, minMs: 0 }, maxRetryAfterMs: 50, random: () => 0.5 };

const ca = (symbol: string, action: 'split' | 'reverse_split' | 'dividend', exDate: string, value: number, id?: string): RawEvent => ({
  type: 'corporate_action',
  symbol,
  action,
  exDate,
  ...(action === 'dividend' ? { amount: value } : { ratio: value }),
  ...(id ? { id } : {}),
  ts: NOW,
});

function alpacaFetcher(fake: FakeRestServer, logger = capturedLogger().logger, keys = { id: KEY_ID, secret: SECRET }, maxPages?: number) {
  const env = parseEnv({ ALPACA_KEY_ID: keys.id, ALPACA_SECRET_KEY: keys.secret, ALPACA_DATA_URL: fake.url });
  return createCorporateActionsFetcher('alpaca', { env, universe, logger, now: () => NOW, http: FAST_HTTP, ...(maxPages ? { maxPages } : {}) });
}

function polygonFetcher(fake: FakeRestServer, logger = capturedLogger().logger, key = POLYGON_KEY, maxPages?: number) {
  const env = parseEnv({ POLYGON_API_KEY: key, POLYGON_REST_URL: fake.url });
  return createCorporateActionsFetcher('polygon', { env, universe, logger, now: () => NOW, http: FAST_HTTP, ...(maxPages ? { maxPages } : {}) });
}

const withAlpaca = (o: Omit<FakeAlpacaActionsOptions, 'keyId' | 'secretKey'>, body: (fake: FakeRestServer) => Promise<void>) =>
  withServer(() => startFakeActions(alpacaActionsHandler({ keyId: KEY_ID, secretKey: SECRET, ...o })), body);
const withPolygon = (o: Omit<FakePolygonActionsOptions, 'apiKey'>, body: (fake: FakeRestServer) => Promise<void>) =>
  withServer(() => startFakeActions(polygonActionsHandler({ apiKey: POLYGON_KEY, ...o })), body);

async function fetchInto(fetcher: ReturnType<typeof alpacaFetcher>): Promise<{ sink: MemorySink; report: FetchReport }> {
  const sink = new MemorySink();
  const report = await fetcher.fetch(sink, WINDOW, new AbortController().signal);
  return { sink, report };
}

// Shaped like Alpaca's documented page (alpaca-py tests/data/test_corporate_actions.py).
const ALPACA_PAGE_1 = {
  forward_splits: [{ cusip: '464287655', id: 'f3c1a0aa-0000-4000-8000-000000000001', ex_date: '2024-06-10', new_rate: 2, old_rate: 1, payable_date: '2024-06-07', process_date: '2024-06-10', record_date: '2024-06-03', symbol: 'IWM' }],
  cash_dividends: [
    { cusip: '78462F103', id: 'f3c1a0aa-0000-4000-8000-000000000002', ex_date: '2024-06-21', foreign: false, payable_date: '2024-07-31', process_date: '2024-07-31', rate: 1.7588, record_date: '2024-06-21', special: false, symbol: 'SPY' },
  ],
};
const MALFORMED = { cusip: '81369Y803', id: 'f3c1a0aa-0000-4000-8000-000000000003', ex_date: '2024-06-12', new_rate: 'n/a', old_rate: 1, process_date: '2024-06-12', symbol: 'XLK' };
const ALPACA_PAGE_2 = {
  forward_splits: [MALFORMED],
  reverse_splits: [{ id: 'f3c1a0aa-0000-4000-8000-000000000004', ex_date: '2024-06-17', new_rate: 1, old_rate: 10, new_cusip: 'NEW', old_cusip: 'OLD', process_date: '2024-06-17', record_date: '2024-06-17', symbol: 'XLB' }],
};

describe('Alpaca corporate actions against a fake REST server', () => {
  test('pages through next_page_token and hands exact actions to the sink; a malformed entry is a parse_error dead letter', async () => {
    await withAlpaca({ pages: [ALPACA_PAGE_1, ALPACA_PAGE_2] }, async (fake) => {
      const { logger, text } = capturedLogger();
      const { sink, report } = await fetchInto(alpacaFetcher(fake, logger));
      expect(sink.tradeEvents.map((e) => e.raw)).toEqual([
        ca('IWM', 'split', '2024-06-10', 2, 'f3c1a0aa-0000-4000-8000-000000000001'),
        ca('SPY', 'dividend', '2024-06-21', 1.7588, 'f3c1a0aa-0000-4000-8000-000000000002'),
        ca('XLB', 'reverse_split', '2024-06-17', 0.1, 'f3c1a0aa-0000-4000-8000-000000000004'),
      ]);
      expect(sink.tradeEvents.every((e) => e.source === 'alpaca' && e.origin.provider === 'alpaca')).toBe(true);
      expect(sink.tradeEvents.map((e) => e.origin.frame)).toEqual([0, 0, 1]);
      expect(sink.rejects).toEqual([
        { type: 'reject', reason: 'parse_error', message: 'alpaca forward_splits[0]: new_rate: expected a positive number, got "n/a"', origin: { provider: 'alpaca', frame: 1 }, rawText: JSON.stringify(MALFORMED), source: 'alpaca' },
      ]);
      expect(report).toEqual({ window: WINDOW, queries: 1, pages: 2, actions: 3, rejected: 1, failures: [] });
      const [first, second] = fake.to('/v1/corporate-actions');
      expect(first!.query).toEqual({ symbols: universe.symbols.join(','), types: 'forward_split,reverse_split,cash_dividend', start: '2024-05-04', end: '2024-07-03', limit: '1000' });
      expect(second!.query).toEqual({ ...first!.query, page_token: 'p1' });
      expect(first!.headers).toMatchObject({ 'apca-api-key-id': KEY_ID, 'apca-api-secret-key': SECRET, accept: 'application/json' });
      expect(text()).not.toContain(SECRET);
      expect(text()).not.toContain(KEY_ID);
    });
  });
});

describe('Alpaca corporate actions: failures', () => {
  test('rejected keys: one request, a FETCH_AUTH_FAILED failure naming the variables, nothing handed on, no key in the logs', async () => {
    await withAlpaca({ pages: [ALPACA_PAGE_1] }, async (fake) => {
      const { logger, text } = capturedLogger();
      const { sink, report } = await fetchInto(alpacaFetcher(fake, logger, { id: 'AKWRONGKEY0009', secret: 'wrong-secret-0009' }));
      expect(report.failures).toEqual([
        { query: 'alpaca corporate-actions IWM..XLK (5 symbols)', code: 'FETCH_AUTH_FAILED', message: expect.stringMatching(/\/v1\/corporate-actions\?.*: HTTP 403 \{"message":"forbidden\."\}: check ALPACA_KEY_ID and ALPACA_SECRET_KEY$/) },
      ]);
      expect(fake.requests).toHaveLength(1);
      expect(sink.tradeEvents).toEqual([]);
      expect(text()).not.toContain('wrong-secret-0009');
      expect(text()).not.toContain('AKWRONGKEY0009');
    });
  });

  test('a 500 whose body echoes the key is retried; the retry log line shows the reason with the key scrubbed', async () => {
    await withAlpaca({ pages: [ALPACA_PAGE_1], faults: { 0: { status: 500, body: { message: `internal error for ${KEY_ID}/${SECRET}` } } } }, async (fake) => {
      const { logger, lines, text } = capturedLogger();
      const { sink, report } = await fetchInto(alpacaFetcher(fake, logger));
      expect(report).toMatchObject({ pages: 1, actions: 2, failures: [] });
      expect(sink.tradeEvents).toHaveLength(2);
      expect(fake.requests).toHaveLength(2);
      expect(lines.find((l) => l.msg === 'corporate actions: retrying a request')).toMatchObject({ level: 'info', provider: 'alpaca', attempt: 1, reason: expect.stringContaining('HTTP 500 {"message":"internal error for [redacted]/[redacted]"}') });
      expect(text()).not.toContain(SECRET);
      expect(text()).not.toContain(KEY_ID);
    });
  });

  test('a slow answer times out and is retried; an API that stays slow is a FETCH_TIMEOUT failure, never a hang', async () => {
    const slowHttp = (fake: FakeRestServer) => {
      const env = parseEnv({ ALPACA_KEY_ID: KEY_ID, ALPACA_SECRET_KEY: SECRET, ALPACA_DATA_URL: fake.url });
      return createCorporateActionsFetcher('alpaca', { env, universe, logger: capturedLogger().logger, now: () => NOW, http: { ...FAST_HTTP, timeoutMs: 500 } });
    };
    await withAlpaca({ pages: [ALPACA_PAGE_1], faults: { 0: { delayMs: 3_000 } } }, async (fake) => {
      const { sink, report } = await fetchInto(slowHttp(fake));
      expect(report).toMatchObject({ pages: 1, actions: 2, failures: [] });
      expect(sink.tradeEvents).toHaveLength(2);
      expect(fake.requests).toHaveLength(2);
    });
    await withAlpaca({ pages: [ALPACA_PAGE_1], faults: { 0: { hang: true }, 1: { hang: true }, 2: { delayMs: 3_000 } } }, async (fake) => {
      const started = Date.now();
      const { sink, report } = await fetchInto(slowHttp(fake));
      expect(report.failures).toEqual([{ query: expect.any(String), code: 'FETCH_TIMEOUT', message: expect.stringContaining('no complete answer within 500 ms') }]);
      expect(fake.requests).toHaveLength(3);
      expect(sink.tradeEvents).toEqual([]);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  test('a body that is not the documented shape fails the query with its reason; the page before it stays published', async () => {
    await withAlpaca({ pages: [ALPACA_PAGE_1, ALPACA_PAGE_2], faults: { 1: { body: { corporate_actions: { forward_splits: { symbol: 'IWM' } } } } } }, async (fake) => {
      const { sink, report } = await fetchInto(alpacaFetcher(fake));
      expect(sink.tradeEvents.map((e) => e.raw.symbol)).toEqual(['IWM', 'SPY']);
      expect(report.failures).toEqual([{ query: expect.any(String), code: 'FETCH_BAD_RESPONSE', message: 'alpaca corporate-actions IWM..XLK (5 symbols): corporate_actions.forward_splits: expected a list' }]);
    });
  });

  test('more pages than the bound: the pages read are published, then FETCH_PAGE_LIMIT', async () => {
    await withAlpaca({ pages: [ALPACA_PAGE_1, ALPACA_PAGE_2] }, async (fake) => {
      const { sink, report } = await fetchInto(alpacaFetcher(fake, undefined, undefined, 1));
      expect(sink.tradeEvents).toHaveLength(2);
      expect(report).toMatchObject({ pages: 1, failures: [{ code: 'FETCH_PAGE_LIMIT', message: 'alpaca corporate-actions IWM..XLK (5 symbols): more than 1 pages; the rest is not fetched' }] });
      expect(fake.requests).toHaveLength(1);
    });
  });
});

// Shaped like the Polygon / Massive docs' sample responses (ids "E" + 64 hex digits).
const SPY_SPLIT_P1 = [{ execution_date: '2024-06-10', id: 'E36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0', split_from: 1, split_to: 4, ticker: 'SPY' }];
const SPY_SPLIT_P2 = [
  { execution_date: '2024-06-20', id: 'E90a77bdf742661741ed7c8fc086415f0457c2816c45899d73aaa88bdc8ff6025', split_from: 10, split_to: 1, ticker: 'SPY' },
  { execution_date: '2024-06-21', split_from: 0, split_to: 1, ticker: 'SPY' },
];
const IWM_DIVIDEND = [{ cash_amount: 0.6, currency: 'USD', declaration_date: '2024-05-28', dividend_type: 'CD', ex_dividend_date: '2024-06-11', frequency: 4, id: 'E8e3c4f794613e9205e2f178a36c53fcc57cdabb55e1988c87b33f9e52e221444', pay_date: '2024-06-17', record_date: '2024-06-11', ticker: 'IWM' }];

describe('Polygon / Massive splits and dividends against a fake REST server', () => {
  test('one request per ticker and endpoint, next_url followed on the configured host, exact actions; bearer key, never in a URL', async () => {
    await withPolygon({ splits: { SPY: [SPY_SPLIT_P1, SPY_SPLIT_P2] }, dividends: { IWM: [IWM_DIVIDEND] } }, async (fake) => {
      const { logger, text } = capturedLogger();
      const { sink, report } = await fetchInto(polygonFetcher(fake, logger));
      expect(sink.tradeEvents.map((e) => e.raw)).toEqual([
        ca('IWM', 'dividend', '2024-06-11', 0.6, '8e3c4f794613e9205e2f178a36c53fcc57cdabb55e1988c87b33f9e52e221444'),
        ca('SPY', 'split', '2024-06-10', 4, '36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0'),
        ca('SPY', 'reverse_split', '2024-06-20', 0.1, '90a77bdf742661741ed7c8fc086415f0457c2816c45899d73aaa88bdc8ff6025'),
      ]);
      expect(sink.tradeEvents.every((e) => e.source === 'polygon')).toBe(true);
      expect(sink.rejects).toEqual([
        { type: 'reject', reason: 'parse_error', message: 'polygon splits[1]: split_from: expected a positive number, got 0', origin: { provider: 'polygon', frame: expect.any(Number) }, rawText: JSON.stringify(SPY_SPLIT_P2[1]), source: 'polygon' },
      ]);
      expect(report).toMatchObject({ queries: 10, pages: 11, actions: 3, rejected: 1, failures: [] });
      const splits = fake.to('/v3/reference/splits');
      expect(splits.map((r) => r.query.ticker ?? `cursor of ${Buffer.from(r.query.cursor!, 'base64url').toString()}`)).toEqual(['IWM', 'RSP', 'SPY', 'cursor of SPY|1', 'XLB', 'XLK']);
      expect(splits[0]!.query).toEqual({ ticker: 'IWM', 'execution_date.gte': '2024-05-04', 'execution_date.lte': '2024-07-03', limit: '1000' });
      expect(fake.to('/v3/reference/dividends')[0]!.query).toEqual({ ticker: 'IWM', 'ex_dividend_date.gte': '2024-05-04', 'ex_dividend_date.lte': '2024-07-03', limit: '1000' });
      for (const r of fake.requests) {
        expect(r.headers.authorization).toBe(`Bearer ${POLYGON_KEY}`);
        expect(JSON.stringify(r.query)).not.toContain(POLYGON_KEY);
      }
      expect(text()).not.toContain(POLYGON_KEY);
    });
  });

  test('429 with Retry-After is retried; a ticker whose queries keep failing is reported and the others still go through', async () => {
    // Requests in order: IWM splits (0: 429, 1: retried), IWM dividends (2), RSP splits (3, 4, 5: 502 each time), RSP dividends, ...
    const faults = { 0: { status: 429, headers: { 'retry-after': '0' }, body: { status: 'ERROR', error: 'exceeded the maximum requests per minute' } }, 3: { status: 502, body: 'bad gateway' }, 4: { status: 502, body: 'bad gateway' }, 5: { status: 502, body: 'bad gateway' } };
    await withPolygon({ dividends: { IWM: [IWM_DIVIDEND] }, splits: { SPY: [SPY_SPLIT_P1] }, faults }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const { sink, report } = await fetchInto(polygonFetcher(fake, logger));
      expect(sink.tradeEvents.map((e) => `${String(e.raw.symbol)} ${e.raw.type === 'corporate_action' ? e.raw.action : ''}`)).toEqual(['IWM dividend', 'SPY split']);
      expect(report.failures).toEqual([{ query: 'polygon splits RSP', code: 'FETCH_HTTP_STATUS', message: expect.stringMatching(/\/v3\/reference\/splits\?ticker=RSP.*: HTTP 502 bad gateway$/) }]);
      expect(fake.requests.slice(0, 2).map((r) => r.query.ticker)).toEqual(['IWM', 'IWM']);
      expect(lines.filter((l) => l.msg === 'corporate actions: retrying a request').map((l) => l.query)).toEqual(['polygon splits IWM', 'polygon splits RSP', 'polygon splits RSP']);
    });
  });
});

describe('Polygon / Massive: failures', () => {
  test('a rejected key ends the round after one request (every query would fail alike); the key is not logged', async () => {
    await withPolygon({ splits: { SPY: [SPY_SPLIT_P1] } }, async (fake) => {
      const { logger, text } = capturedLogger();
      const { sink, report } = await fetchInto(polygonFetcher(fake, logger, 'pk_wrong_0009'));
      expect(report.failures).toEqual([{ query: 'polygon splits IWM', code: 'FETCH_AUTH_FAILED', message: expect.stringMatching(/HTTP 401 \{"status":"ERROR","request_id":"r-auth","error":"Unknown API Key"\}: check POLYGON_API_KEY$/) }]);
      expect(fake.requests).toHaveLength(1);
      expect(sink.tradeEvents).toEqual([]);
      expect(text()).not.toContain('pk_wrong_0009');
    });
  });

  test('an error answered with status 200 (NOT_AUTHORIZED) fails that query with the provider message', async () => {
    await withPolygon({ faults: { 0: { body: { status: 'NOT_AUTHORIZED', request_id: 'r1', message: 'You are not entitled to this data. Please upgrade your plan.' } } } }, async (fake) => {
      const { report } = await fetchInto(polygonFetcher(fake));
      expect(report.failures).toEqual([{ query: 'polygon splits IWM', code: 'FETCH_BAD_RESPONSE', message: 'polygon splits IWM: status "NOT_AUTHORIZED": You are not entitled to this data. Please upgrade your plan.' }]);
      expect(report.queries).toBe(10);
    });
  });

  test('a page over the size limit is FETCH_TOO_LARGE, not a crash', async () => {
    const huge = Array.from({ length: 3000 }, (_, i) => ({ ...SPY_SPLIT_P1[0], id: `E${i}`, execution_date: '2024-06-10' }));
    await withPolygon({ splits: { IWM: [huge] } }, async (fake) => {
      const env = parseEnv({ POLYGON_API_KEY: POLYGON_KEY, POLYGON_REST_URL: fake.url });
      const fetcher = createCorporateActionsFetcher('polygon', { env, universe, logger: capturedLogger().logger, now: () => NOW, http: { ...FAST_HTTP, maxBytes: 64 * 1024 } });
      const { report } = await fetchInto(fetcher);
      expect(report.failures[0]).toMatchObject({ query: 'polygon splits IWM', code: 'FETCH_TOO_LARGE' });
      expect(report.failures).toHaveLength(1);
    });
  });
});
