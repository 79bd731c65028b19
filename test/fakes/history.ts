/**
 * Fake history (bars) REST APIs over a synthetic market (history-market.ts): Alpaca's
 * GET /v2/stocks/bars, Polygon / Massive's GET /v2/aggs/ticker/.../range/..., Finnhub's
 * GET /api/v1/stock/candle. Each handler checks the key as the provider does, pages as it does,
 * answers scripted faults by request number and records every request it answered in `served`.
 * Range rules (the providers' docs say "inclusive"; where they are silent, this fake's choice):
 * - a bar is in range when its START t is within [from, to];
 * - a date-only bound is a New York date: from its 00:00 to its 23:59:59.999 New York;
 * - Finnhub's daily candles are stamped 00:00 UTC of the date (Finnhub-API issue #449), the
 *   others' daily bars 00:00 New York.
 */
import { alpacaActionsHandler, polygonActionsHandler, type FakeAlpacaActionsOptions, type FakePolygonActionsOptions } from './corporate-actions.js';
import { adjusted, asOf, BarAccumulator, MINUTE_MS, nyDate, nyMidnight, type Bar, type HistoryMarket } from './history-market.js';
import { FakeRestServer, type FakeReply, type FakeRequest } from './rest-fake.js';

export interface HistoryOptions {
  market: HistoryMarket;
  /** Most bars the server puts on a page when that is below the client's limit (to exercise paging). */
  pageSize?: number;
  /** Replies instead of an answer, by this handler's request number (0 = its first request). */
  faults?: Record<number, FakeReply>;
  /** That request is answered after delayMs. */
  slowPage?: { index: number; delayMs: number };
  /** The server's clock: bars that have not ended by then are not served yet. */
  now?: () => number;
}

export interface ServedRequest {
  n: number;
  path: string;
  query: Record<string, string>;
  status: number | 'hang';
  /** Symbols on the page and bars served, with the first and last bar start (epoch ms). */
  symbols: string[];
  bars: number;
  first?: number;
  last?: number;
}

export type HistoryHandler = ((req: FakeRequest) => FakeReply) & { served: ServedRequest[] };

type Answer = FakeReply & { page?: Array<{ symbol: string; bar: Bar }> };

/** A bug or an unreadable input in the fake answers 500 with its message, not a crashed test run. */
function guarded(f: () => Answer): Answer {
  try {
    return f();
  } catch (err) {
    return { status: 500, body: { error: `fake history server: ${(err as Error).message}` } };
  }
}

/** Faults, the slow page, the server clock and the record, around one provider's answer. */
function scripted(o: HistoryOptions, answer: (req: FakeRequest, view: (adjust: boolean) => HistoryMarket, n: number) => Answer): HistoryHandler {
  let n = 0;
  const served: ServedRequest[] = [];
  const handle = (req: FakeRequest): FakeReply => {
    const index = n++;
    const view = (adjust: boolean) => {
      const m = o.now ? asOf(o.market, o.now()) : o.market;
      return adjust ? adjusted(m) : m;
    };
    const fault: Answer | undefined = o.faults?.[index];
    const { page, ...reply } = fault ?? guarded(() => answer(req, view, index));
    const bars = page ?? [];
    served.push({ n: index, path: req.path, query: req.query, status: reply.hang ? 'hang' : (reply.status ?? 200), symbols: [...new Set(bars.map((b) => b.symbol))], bars: bars.length, first: bars[0]?.bar.t, last: bars.at(-1)?.bar.t });
    return o.slowPage?.index === index ? { ...reply, delayMs: o.slowPage.delayMs } : reply;
  };
  return Object.assign(handle, { served });
}

/** N-minute bars from 1-minute ones, aligned to the clock (New York is a whole hours off UTC). */
export function aggregate(bars: readonly Bar[], minutes: number): Bar[] {
  if (minutes === 1) return [...bars];
  const out: Bar[] = [];
  const span = minutes * MINUTE_MS;
  let bucket = Number.NaN;
  let acc = new BarAccumulator();
  const flush = () => {
    const bar = acc.bar(bucket);
    if (bar) out.push(bar);
  };
  for (const b of bars) {
    const t = Math.floor(b.t / span) * span;
    if (t !== bucket) {
      flush();
      [bucket, acc] = [t, new BarAccumulator()];
    }
    acc.add(b);
  }
  flush();
  return out;
}

type Frame = { unit: 'day' } | { unit: 'minute'; minutes: number };

function series(m: HistoryMarket, symbol: string, frame: Frame, from: number, to: number): Bar[] {
  const all = frame.unit === 'day' ? (m.daily[symbol] ?? []) : aggregate(m.minute[symbol] ?? [], frame.minutes);
  return all.filter((b) => b.t >= from && b.t <= to);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** A date-only bound covers the whole New York date; NaN when unreadable. */
function parseBound(s: string, end: boolean, epochMs = false): number {
  if (epochMs && /^\d+$/.test(s)) return Number(s);
  if (DATE.test(s) && !Number.isNaN(Date.parse(s))) return end ? nyMidnight(nyDate(nyMidnight(s) + DAY_MS + 12 * 3_600_000)) - 1 : nyMidnight(s);
  if (!epochMs && RFC3339.test(s)) return Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.NaN;
}

const toRfc3339 = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

export interface AlpacaBarsOptions extends HistoryOptions {
  credentials: { keyId: string; secretKey: string };
}

/** Alpaca timeframes: [1-59]Min|T, [1-23]Hour|H, 1Day|D. */
function alpacaFrame(tf: string | undefined): Frame | null {
  const m = /^(\d+)(Min|T|Hour|H|Day|D)$/.exec(tf ?? '');
  if (!m) return null;
  const k = Number(m[1]);
  if (m[2] === 'Day' || m[2] === 'D') return k === 1 ? { unit: 'day' } : null;
  const minutes = m[2] === 'Hour' || m[2] === 'H' ? k * 60 : k;
  return k >= 1 && minutes <= 23 * 60 && (minutes < 60 || minutes % 60 === 0) ? { unit: 'minute', minutes } : null;
}

const alpacaError = (status: number, message: string): Answer => ({ status, body: { message } });

/**
 * GET /v2/stocks/bars. Sorted by symbol then time; `limit` (default 1000, max 10000) counts bars
 * across all symbols, so a page may hold one symbol only; next_page_token is base64 of
 * "SYMBOL|frame|time of the last bar served", as the real tokens decode. Defaults as documented:
 * start = 00:00 New York today, end = now. adjustment split or all (no dividends here) serves
 * split-adjusted prices; feed is only recorded.
 */
export function alpacaBarsHandler(o: AlpacaBarsOptions): HistoryHandler {
  return scripted(o, (req, view) => {
    if (req.headers['apca-api-key-id'] !== o.credentials.keyId || req.headers['apca-api-secret-key'] !== o.credentials.secretKey) return alpacaError(403, 'forbidden.');
    if (req.path !== '/v2/stocks/bars') return alpacaError(404, 'Not Found');
    const q = req.query;
    const frame = alpacaFrame(q.timeframe);
    if (!frame) return alpacaError(422, `invalid timeframe: ${q.timeframe ?? '(missing)'}`);
    const limit = q.limit === undefined ? 1000 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return alpacaError(422, 'invalid limit: must be between 1 and 10000');
    const adjustment = q.adjustment ?? 'raw';
    if (!['raw', 'split', 'dividend', 'all'].includes(adjustment)) return alpacaError(422, `invalid adjustment: ${adjustment}`);
    const sort = q.sort ?? 'asc';
    if (sort !== 'asc' && sort !== 'desc') return alpacaError(422, `invalid sort: ${sort}`);
    const symbols = [...new Set((q.symbols ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))].sort();
    if (symbols.length === 0) return alpacaError(422, 'missing symbols');
    const now = o.now?.() ?? o.market.now;
    const start = q.start === undefined ? nyMidnight(nyDate(now)) : parseBound(q.start, false);
    const end = q.end === undefined ? now : parseBound(q.end, true);
    if (Number.isNaN(start) || Number.isNaN(end)) return alpacaError(422, 'invalid start or end: RFC 3339 or YYYY-MM-DD');
    const m = view(adjustment === 'split' || adjustment === 'all');
    const flat = symbols.flatMap((symbol) => {
      const bars = series(m, symbol, frame, start, end).map((bar) => ({ symbol, bar }));
      return sort === 'desc' ? bars.reverse() : bars;
    });
    const code = frame.unit === 'day' ? 'D' : `${frame.minutes}T`;
    const tokenOf = (p: { symbol: string; bar: Bar }) => Buffer.from(`${p.symbol}|${code}|${new Date(p.bar.t).toISOString().replace('Z', '000000Z')}`).toString('base64');
    let offset = 0;
    if (q.page_token !== undefined) {
      offset = flat.findIndex((p) => tokenOf(p) === q.page_token) + 1;
      if (offset === 0) return alpacaError(400, 'invalid page token');
    }
    const page = flat.slice(offset, offset + Math.min(limit, o.pageSize ?? limit));
    const bars: Record<string, unknown[]> = {};
    for (const { symbol, bar: b } of page) (bars[symbol] ??= []).push({ t: toRfc3339(b.t), o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, n: b.n, vw: b.vw });
    const more = offset + page.length < flat.length;
    return { body: { bars, next_page_token: more ? tokenOf(page.at(-1)!) : null }, page };
  });
}

export interface PolygonAggsOptions extends HistoryOptions {
  credentials: { apiKey: string };
  /** Host written into next_url (the real API writes its own; only path and query may be used). */
  nextHost?: string;
}

const AGGS_PATH = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(minute|hour|day)\/([^/]+)\/([^/]+)$/;

/**
 * GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}: from/to YYYY-MM-DD or
 * epoch ms, limit default 5000 and capped at 50000, adjusted default true. When more bars remain,
 * next_url repeats the path with the next bar's time as from (to, sorting desc) and a cursor
 * carrying limit, sort and adjusted; it carries no key, as the real one does not.
 */
export function polygonAggsHandler(o: PolygonAggsOptions): HistoryHandler {
  return scripted(o, (req, view, n) => {
    const requestId = `r${n.toString(16).padStart(8, '0')}`;
    const error = (status: number, text: string): Answer => ({ status, body: { status: 'ERROR', request_id: requestId, error: text } });
    const key = o.credentials.apiKey;
    if (req.query.apiKey !== key && req.headers.authorization !== `Bearer ${key}`) return error(401, 'Unknown API Key');
    const p = AGGS_PATH.exec(req.path);
    if (!p) return { status: 404, body: { status: 'NOT_FOUND', request_id: requestId, message: 'Not found' } };
    const [, ticker, mult, timespan, fromS, toS] = p as unknown as [string, string, string, string, string, string];
    const k = Number(mult);
    const frame: Frame | null = timespan === 'day' ? (k === 1 ? { unit: 'day' } : null) : { unit: 'minute', minutes: timespan === 'hour' ? 60 * k : k };
    if (!frame || k < 1 || (frame.unit === 'minute' && frame.minutes > 1440)) return error(400, `multiplier ${mult} with timespan ${timespan} is not served`);
    let q = req.query;
    try {
      if (q.cursor) q = { ...q, ...(JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as Record<string, string>) };
    } catch {
      return error(400, 'Invalid cursor');
    }
    const [from, to] = [parseBound(fromS, false, true), parseBound(toS, true, true)];
    if (Number.isNaN(from) || Number.isNaN(to)) return error(400, 'Could not parse the time parameter: use YYYY-MM-DD or a millisecond timestamp');
    const limit = Math.min(Number(q.limit ?? 5000) || 5000, 50_000, o.pageSize ?? Infinity);
    const isAdjusted = q.adjusted !== 'false';
    const desc = q.sort === 'desc';
    const all = series(view(isAdjusted), ticker.toUpperCase(), frame, from, to);
    if (desc) all.reverse();
    const bars = all.slice(0, limit);
    const body: Record<string, unknown> = { ticker, queryCount: bars.length, resultsCount: bars.length, adjusted: isAdjusted };
    if (bars.length > 0) body.results = bars.map((b) => ({ v: b.v, vw: b.vw, o: b.o, c: b.c, h: b.h, l: b.l, t: b.t, n: b.n }));
    Object.assign(body, { status: 'OK', request_id: requestId });
    const next = all[limit];
    if (next) {
      const cursor = Buffer.from(JSON.stringify({ limit: String(limit), sort: desc ? 'desc' : 'asc', adjusted: String(isAdjusted) })).toString('base64url');
      const [f, t] = desc ? [from, next.t] : [next.t, to];
      body.next_url = `${o.nextHost ?? 'https://api.polygon.io'}/v2/aggs/ticker/${ticker}/range/${mult}/${timespan}/${f}/${t}?cursor=${cursor}`;
    }
    return { body, page: bars.map((bar) => ({ symbol: ticker.toUpperCase(), bar })) };
  });
}

export interface FinnhubCandlesOptions extends HistoryOptions {
  credentials: { token: string };
  /** 'free' answers every candle request 403, as Finnhub has since 2024 (Finnhub-API #532, #546). */
  plan?: 'free' | 'paid';
}

/**
 * GET /api/v1/stock/candle?symbol&resolution&from&to (unix seconds, inclusive): column arrays,
 * or {"s":"no_data"}; token as a query parameter or X-Finnhub-Token. Resolutions 1, 5, 15, 30,
 * 60 and D (W and M are answered 422 here); adjusted=true serves split-adjusted prices.
 * No paging (Finnhub has none); pageSize does not apply.
 */
export function finnhubCandlesHandler(o: FinnhubCandlesOptions): HistoryHandler {
  return scripted(o, (req, view) => {
    const q = req.query;
    if ((q.token ?? req.headers['x-finnhub-token']) !== o.credentials.token) return { status: 401, body: { error: 'Invalid API key' } };
    if (o.plan === 'free') return { status: 403, body: { error: "You don't have access to this resource." } };
    if (req.path !== '/api/v1/stock/candle') return { status: 404, body: { error: 'Not found' } };
    const res = q.resolution ?? '';
    const frame: Frame | null = res === 'D' ? { unit: 'day' } : ['1', '5', '15', '30', '60'].includes(res) ? { unit: 'minute', minutes: Number(res) } : null;
    if (!frame) return { status: 422, body: { error: 'Wrong resolution' } };
    const [from, to] = [Number(q.from), Number(q.to)];
    if (!q.symbol || !Number.isInteger(from) || !Number.isInteger(to)) return { status: 422, body: { error: 'Wrong symbol, from or to' } };
    const stamp = (b: Bar) => (frame.unit === 'day' ? Date.parse(`${nyDate(b.t)}T00:00:00Z`) : b.t) / 1000;
    // Select on Finnhub's own stamps: a daily candle is in range when its 00:00 UTC is.
    const all = series(view(q.adjusted === 'true'), q.symbol.toUpperCase(), frame, -Infinity, Infinity);
    const bars = all.filter((b) => stamp(b) >= from && stamp(b) <= to);
    if (bars.length === 0) return { body: { s: 'no_data' } };
    const col = (f: (b: Bar) => number) => bars.map(f);
    return { body: { c: col((b) => b.c), h: col((b) => b.h), l: col((b) => b.l), o: col((b) => b.o), s: 'ok', t: col(stamp), v: col((b) => b.v) }, page: bars.map((bar) => ({ symbol: q.symbol!.toUpperCase(), bar })) };
  });
}

/** Provider-shaped failure replies for `faults`. */
export const historyFaults = {
  rateLimited: {
    alpaca: { status: 429, headers: { 'retry-after': '1' }, body: { message: 'too many requests.' } },
    polygon: { status: 429, headers: { 'retry-after': '1' }, body: { status: 'ERROR', request_id: 'r-429', error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing" } },
    finnhub: { status: 429, headers: { 'retry-after': '1' }, body: { error: 'API limit reached. Please try again later. Remaining Limit: 0' } },
  },
  serverError: { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } },
  hang: { hang: true },
} satisfies Record<string, FakeReply | Record<string, FakeReply>>;

export interface HistoryFakeOptions {
  /** Also serves /v1/corporate-actions (default: one empty page under the same keys). */
  alpaca: AlpacaBarsOptions & { actions?: FakeAlpacaActionsOptions };
  /** Also serves /v3/reference/splits and /dividends (default: none, under the same key). */
  polygon: PolygonAggsOptions & { actions?: FakePolygonActionsOptions };
  finnhub: FinnhubCandlesOptions;
}

/** One server for a provider's history and, for Alpaca and Polygon, its corporate actions. */
export async function startHistoryFake<P extends keyof HistoryFakeOptions>(provider: P, options: HistoryFakeOptions[P]): Promise<{ server: FakeRestServer; url: string; history: HistoryHandler }> {
  let history: HistoryHandler;
  let actions: ((req: FakeRequest) => FakeReply) | undefined;
  if (provider === 'alpaca') {
    const o = options as HistoryFakeOptions['alpaca'];
    history = alpacaBarsHandler(o);
    actions = alpacaActionsHandler(o.actions ?? { keyId: o.credentials.keyId, secretKey: o.credentials.secretKey, pages: [{}] });
  } else if (provider === 'polygon') {
    const o = options as HistoryFakeOptions['polygon'];
    history = polygonAggsHandler(o);
    actions = polygonActionsHandler(o.actions ?? { apiKey: o.credentials.apiKey, nextHost: o.nextHost });
  } else history = finnhubCandlesHandler(options as HistoryFakeOptions['finnhub']);
  const isAction = (path: string) => path === '/v1/corporate-actions' || path.startsWith('/v3/reference/');
  const server = await FakeRestServer.start((req) => (actions && isAction(req.path) ? actions(req) : history(req)));
  return { server, url: server.url, history };
}
