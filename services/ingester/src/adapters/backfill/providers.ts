/**
 * Where each provider serves history, and how its pages read:
 *   Alpaca   GET {ALPACA_DATA_URL}/v2/stocks/bars?symbols=..&timeframe=1Day|1Min&start&end&limit=10000
 *            &adjustment=raw&feed=iex|sip&sort=asc, then &page_token=<next_page_token>; every symbol in one
 *            query (the limit counts bars across them), key headers.
 *   Polygon  GET {POLYGON_REST_URL}/v2/aggs/ticker/{T}/range/1/day|minute/{from}/{to}?adjusted=false&sort=asc
 *            &limit=50000, then next_url's path and cursor on the configured host; one ticker per query,
 *            bearer key.
 *   Finnhub  GET {FINNHUB_REST_URL}/stock/candle?symbol=T&resolution=D|1&from&to (unix seconds); one ticker
 *            per query, no paging; X-Finnhub-Token header. The free plan has no candles (HTTP 403).
 * Prices are asked for unadjusted: the corporate actions fetched for the same span restate them
 * in the detector, exactly as they restate the stream's prices, so history and stream share one
 * basis.
 */
import type { Env, Secret } from '@rotation/config';
import type { TickSource } from '@rotation/schemas';
import { decodeFinnhubCandles, decodePolygonAggs, type PageResult } from '../../core/backfill/pages.js';
import type { BackfillPlan } from '../../core/backfill/plan.js';
import { LiveErrorCode, LiveSourceError, FetchError, FetchErrorCode } from '../../core/errors.js';
import { decodeAlpacaBarsPage } from '../../core/parsers/alpaca-bars.js';
import { MINUTE_BARS, type Timeframe } from '../../core/parsers/bar-time.js';
import { onConfiguredHost } from '../rest-http.js';

export type HistoryProviderName = Extract<TickSource, 'alpaca' | 'polygon' | 'finnhub'>;

/** One paginated history request. `resolution` says which bars it brings (and how they rank at one stamp). */
export interface BarsQuery {
  label: string;
  url: string;
  resolution: 'day' | 'minute';
  next(cursor: string): string;
  decode(body: unknown): PageResult;
}

export interface HistoryProvider {
  source: HistoryProviderName;
  headers: Record<string, string>;
  /** Values that must never reach a log line. */
  secrets: string[];
  credentialHint: string;
  /** What a 403 means for this provider's history (a plan, not always a key). */
  refusalHint: string;
  /** Requests per minute that stay inside the provider's free plan. */
  requestsPerMin: number;
  queries(plan: BackfillPlan, symbols: readonly string[]): BarsQuery[];
}

const DAY: Timeframe = { kind: 'day' };
// Multi-symbol queries carry the symbols in the URL: a few dozen keep it far below any URL limit.
const ALPACA_SYMBOLS_PER_QUERY = 50;

const iso = (ms: number) => new Date(ms).toISOString();
const unixSeconds = (ms: number) => Math.floor(ms / 1000);
const dateStart = (date: string) => Date.parse(`${date}T00:00:00Z`);

/**
 * The bar starts a plan asks for: minute bars start a minute before their stamp, and a plan
 * that begins inside a minute (after the last streamed print) needs that minute's bar.
 */
function minuteStarts(plan: BackfillPlan): { from: number; to: number } | undefined {
  return plan.minute ? { from: Math.floor(plan.minute.from / 60_000) * 60_000, to: plan.minute.to - 60_000 } : undefined;
}

export function alpacaHistory(c: { baseUrl: string; keyId: Secret; secretKey: Secret; feed: Env['ALPACA_FEED'] }): HistoryProvider {
  // The delayed feed is SIP 15 minutes late; history of the same trades is the SIP's.
  const feed = c.feed === 'iex' ? 'iex' : 'sip';
  const query = (symbols: readonly string[], timeframe: '1Day' | '1Min', start: string, end: string): BarsQuery => {
    const url = new URL('/v2/stocks/bars', c.baseUrl);
    for (const [k, v] of Object.entries({ symbols: symbols.join(','), timeframe, start, end, limit: '10000', adjustment: 'raw', feed, sort: 'asc' })) url.searchParams.set(k, v);
    const label = `alpaca bars ${timeframe} ${start.slice(0, 16)}..${end.slice(0, 16)} (${symbols.length} symbols)`;
    return {
      label,
      url: url.toString(),
      resolution: timeframe === '1Day' ? 'day' : 'minute',
      next: (token) => {
        const u = new URL(url);
        u.searchParams.set('page_token', token);
        return u.toString();
      },
      decode: (body) => {
        const page = decodeAlpacaBarsPage(body, timeframe === '1Day' ? DAY : MINUTE_BARS, `${label}: `);
        return { ok: true, page: { decoded: page.decoded, next: page.next } };
      },
    };
  };
  return {
    source: 'alpaca',
    headers: { 'APCA-API-KEY-ID': c.keyId.reveal(), 'APCA-API-SECRET-KEY': c.secretKey.reveal() },
    secrets: [c.keyId.reveal(), c.secretKey.reveal()],
    credentialHint: 'check ALPACA_KEY_ID and ALPACA_SECRET_KEY',
    refusalHint: `check ALPACA_KEY_ID and ALPACA_SECRET_KEY; on the free plan SIP history of the last 15 minutes is refused: use ALPACA_FEED=iex or delayed_sip (this backfill asked for feed=${feed})`,
    requestsPerMin: 180,
    queries: (plan, symbols) => {
      const out: BarsQuery[] = [];
      const minutes = minuteStarts(plan);
      for (let i = 0; i < symbols.length; i += ALPACA_SYMBOLS_PER_QUERY) {
        const chunk = symbols.slice(i, i + ALPACA_SYMBOLS_PER_QUERY);
        if (plan.daily) out.push(query(chunk, '1Day', plan.daily.from, plan.daily.to));
        if (minutes) out.push(query(chunk, '1Min', iso(minutes.from), iso(minutes.to)));
      }
      return out;
    },
  };
}

export function polygonHistory(c: { baseUrl: string; apiKey: Secret }): HistoryProvider {
  const query = (ticker: string, span: 'day' | 'minute', from: string, to: string): BarsQuery => {
    const url = new URL(`/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/1/${span}/${from}/${to}`, c.baseUrl);
    for (const [k, v] of Object.entries({ adjusted: 'false', sort: 'asc', limit: '50000' })) url.searchParams.set(k, v);
    const label = `polygon aggs ${ticker} 1/${span} ${from}..${to}`;
    return { label, url: url.toString(), resolution: span, next: onConfiguredHost(c.baseUrl, label), decode: (body) => decodePolygonAggs(body, ticker, span === 'day' ? DAY : MINUTE_BARS, `${label}: `) };
  };
  return {
    source: 'polygon',
    headers: { authorization: `Bearer ${c.apiKey.reveal()}` },
    secrets: [c.apiKey.reveal()],
    credentialHint: 'check POLYGON_API_KEY',
    refusalHint: 'check POLYGON_API_KEY, and that the plan includes aggregates for this span (the free plan covers two years of history)',
    requestsPerMin: 5,
    queries: (plan, symbols) => {
      const minutes = minuteStarts(plan);
      return symbols.flatMap((s) => [
        ...(plan.daily ? [query(s, 'day', plan.daily.from, plan.daily.to)] : []),
        // Millisecond bounds: Polygon reads a number as epoch ms, both ends inclusive.
        ...(minutes ? [query(s, 'minute', String(minutes.from), String(minutes.to))] : []),
      ]);
    },
  };
}

export function finnhubHistory(c: { baseUrl: string; token: Secret }): HistoryProvider {
  const query = (symbol: string, resolution: 'D' | '1', from: number, to: number): BarsQuery => {
    const url = new URL(`${c.baseUrl.replace(/\/$/, '')}/stock/candle`);
    for (const [k, v] of Object.entries({ symbol, resolution, from: String(from), to: String(to) })) url.searchParams.set(k, v);
    const label = `finnhub candles ${symbol} ${resolution} ${iso(from * 1000).slice(0, 16)}..${iso(to * 1000).slice(0, 16)}`;
    return {
      label,
      url: url.toString(),
      resolution: resolution === 'D' ? 'day' : 'minute',
      next: () => {
        throw new FetchError(FetchErrorCode.badResponse, `${label}: candles do not page`, false);
      },
      decode: (body) => decodeFinnhubCandles(body, symbol, resolution === 'D' ? DAY : MINUTE_BARS, `${label}: `),
    };
  };
  return {
    source: 'finnhub',
    headers: { 'X-Finnhub-Token': c.token.reveal() },
    secrets: [c.token.reveal()],
    credentialHint: 'check FINNHUB_TOKEN',
    refusalHint: "Finnhub's free plan has no stock candles (HTTP 403 \"You don't have access to this resource\"): the stream runs without history; backfill with --provider alpaca or polygon, or replay files (pnpm ingest replay)",
    requestsPerMin: 50,
    queries: (plan, symbols) => {
      const minutes = minuteStarts(plan);
      return symbols.flatMap((s) => [
        ...(plan.daily ? [query(s, 'D', unixSeconds(dateStart(plan.daily.from)), unixSeconds(dateStart(plan.daily.to)) + 86_399)] : []),
        ...(minutes ? [query(s, '1', unixSeconds(minutes.from), unixSeconds(minutes.to))] : []),
      ]);
    },
  };
}

export function historyProvider(name: HistoryProviderName, env: Env): HistoryProvider {
  switch (name) {
    case 'alpaca':
      return alpacaHistory({ baseUrl: env.ALPACA_DATA_URL, keyId: required(env.ALPACA_KEY_ID, 'ALPACA_KEY_ID'), secretKey: required(env.ALPACA_SECRET_KEY, 'ALPACA_SECRET_KEY'), feed: env.ALPACA_FEED });
    case 'polygon':
      return polygonHistory({ baseUrl: env.POLYGON_REST_URL, apiKey: required(env.POLYGON_API_KEY, 'POLYGON_API_KEY') });
    case 'finnhub':
      return finnhubHistory({ baseUrl: env.FINNHUB_REST_URL, token: required(env.FINNHUB_TOKEN, 'FINNHUB_TOKEN') });
  }
}

function required(value: Secret | undefined, variable: string): Secret {
  if (value === undefined) throw new LiveSourceError(LiveErrorCode.missingCredentials, `${variable} is not set: the history backfill needs it (set it in the environment)`, { variable });
  return value;
}
