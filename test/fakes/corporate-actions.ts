/**
 * Fake corporate-action REST APIs on one FakeRestServer: Alpaca's GET /v1/corporate-actions
 * (key headers, pages by page_token) and Polygon / Massive's GET /v3/reference/splits and
 * /dividends (bearer key, one ticker per request, pages by next_url with a cursor). Bodies are
 * shaped like the providers' documented examples; a test scripts the pages and the failures.
 */
import { FakeRestServer, type FakeReply, type FakeRequest } from './rest-fake.js';

/** What to answer instead of a page: a status, a delay, a hang. Keyed by request number of that route. */
export type Faults = Record<number, FakeReply>;

export interface FakeAlpacaActionsOptions {
  keyId: string;
  secretKey: string;
  /** Page bodies' `corporate_actions` objects, in order; page i+1 is asked for with page_token "p<i+1>". */
  pages: ReadonlyArray<Record<string, unknown[]>>;
  faults?: Faults;
}

export function alpacaActionsHandler(o: FakeAlpacaActionsOptions) {
  let n = 0;
  return (req: FakeRequest): FakeReply => {
    const fault = o.faults?.[n++];
    if (fault) return fault;
    // Alpaca answers bad or missing keys with 401/403 and a one-line JSON message.
    if (req.headers['apca-api-key-id'] !== o.keyId || req.headers['apca-api-secret-key'] !== o.secretKey) return { status: 403, body: { message: 'forbidden.' } };
    const token = req.query.page_token;
    const index = token === undefined ? 0 : Number(token.slice(1));
    const page = o.pages[index];
    if (page === undefined) return { status: 400, body: { message: 'invalid page_token' } };
    return { body: { corporate_actions: page, next_page_token: index + 1 < o.pages.length ? `p${index + 1}` : null } };
  };
}

export interface FakePolygonActionsOptions {
  apiKey: string;
  /** Per ticker, the `results` of each page. */
  splits?: Record<string, ReadonlyArray<unknown[]>>;
  dividends?: Record<string, ReadonlyArray<unknown[]>>;
  /** Keyed by request number over both endpoints. */
  faults?: Faults;
  /** Host written into next_url (the real API writes its own; only path and cursor may be used). */
  nextHost?: string;
}

export function polygonActionsHandler(o: FakePolygonActionsOptions) {
  let n = 0;
  return (req: FakeRequest): FakeReply => {
    const fault = o.faults?.[n++];
    if (fault) return fault;
    if (req.headers.authorization !== `Bearer ${o.apiKey}`) return { status: 401, body: { status: 'ERROR', request_id: 'r-auth', error: 'Unknown API Key' } };
    const endpoint = req.path === '/v3/reference/splits' ? 'splits' : req.path === '/v3/reference/dividends' ? 'dividends' : undefined;
    if (!endpoint) return { status: 404, body: { status: 'NOT_FOUND', request_id: 'r-404', message: 'not found' } };
    // The cursor carries ticker and page, as the real opaque cursor carries the query.
    const [ticker, page] = req.query.cursor ? (Buffer.from(req.query.cursor, 'base64url').toString().split('|') as [string, string]) : [req.query.ticker ?? '', '0'];
    const pages = o[endpoint]?.[ticker] ?? [[]];
    const index = Number(page);
    const body: Record<string, unknown> = { status: 'OK', request_id: `r-${n}`, results: pages[index] ?? [] };
    if (index + 1 < pages.length) body.next_url = `${o.nextHost ?? 'https://api.polygon.io'}/v3/reference/${endpoint}?cursor=${Buffer.from(`${ticker}|${index + 1}`).toString('base64url')}`;
    return { body };
  };
}

export const startFakeActions = (handler: (req: FakeRequest) => FakeReply) => FakeRestServer.start(handler);
