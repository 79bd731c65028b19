import { barQuote } from '../parsers/bar-quote.js';
import type { Timeframe } from '../parsers/bar-time.js';
import type { Decoded } from '../parsers/decoded.js';

/**
 * REST history pages of Polygon / Massive and Finnhub, read into quotes at bar closes (the same
 * stamping as files, bar-quote.ts) and rejections that name the page and position. Alpaca's
 * pages are read by its file parser (decodeAlpacaBarsPage): they are the same documents.
 */
export interface HistoryPage {
  decoded: Decoded[];
  /** Polygon: the next_url to follow; Finnhub never pages. */
  next: string | undefined;
}

export type PageResult = { ok: true; page: HistoryPage } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * GET /v2/aggs/ticker/{T}/range/1/{day|minute}/{from}/{to}: `results` of {t (bar start, ms),
 * c, v, ...}, `next_url` while more remain. Status "DELAYED" is a plan that sees history up to
 * 15 minutes old: still a page.
 */
export function decodePolygonAggs(body: unknown, symbol: string, timeframe: Timeframe, label: string): PageResult {
  if (!isObject(body)) return { ok: false, message: 'expected a JSON object' };
  if (body.status === 'ERROR' || body.status === 'NOT_AUTHORIZED') return { ok: false, message: `status ${String(body.status)}: ${String(body.error ?? body.message ?? '')}`.trim() };
  const results = body.results ?? [];
  if (!Array.isArray(results)) return { ok: false, message: '"results" is not an array' };
  const decoded = results.map((r: unknown, i): Decoded => {
    const text = JSON.stringify(r) ?? '';
    if (!isObject(r)) return { kind: 'reject', reason: 'parse_error', message: `${label}results[${i}]: expected a bar object`, seq: i + 1, text };
    return barQuote({ symbol, t: r.t, close: r.c, volume: r.v, path: `${label}results[${i}]`, text }, timeframe, i + 1);
  });
  return { ok: true, page: { decoded, next: typeof body.next_url === 'string' && body.next_url !== '' ? body.next_url : undefined } };
}

/**
 * GET /stock/candle: parallel arrays c, h, l, o, t (bar start, unix seconds), v and s = "ok",
 * or s = "no_data" for a range without trades. Arrays of different lengths are a broken page.
 */
export function decodeFinnhubCandles(body: unknown, symbol: string, timeframe: Timeframe, label: string): PageResult {
  if (!isObject(body)) return { ok: false, message: 'expected a JSON object' };
  if (body.s === 'no_data') return { ok: true, page: { decoded: [], next: undefined } };
  if (body.s !== 'ok') return { ok: false, message: typeof body.error === 'string' ? body.error : `status ${JSON.stringify(body.s ?? null)}` };
  const { t, c, v } = body;
  if (!Array.isArray(t) || !Array.isArray(c) || t.length !== c.length || (v !== undefined && (!Array.isArray(v) || v.length !== t.length))) {
    return { ok: false, message: 't, c and v must be arrays of one length' };
  }
  const volumes = v as unknown[] | undefined;
  const decoded = t.map((sec: unknown, i): Decoded => {
    const bar = { t: sec, c: c[i], v: volumes?.[i] };
    const text = JSON.stringify(bar);
    const ms = typeof sec === 'number' && Number.isFinite(sec) ? sec * 1000 : sec;
    return barQuote({ symbol, t: ms, close: c[i], volume: volumes?.[i], path: `${label}[${i}]`, text }, timeframe, i + 1);
  });
  return { ok: true, page: { decoded, next: undefined } };
}
