/**
 * Polygon.io / Massive `GET /v3/reference/splits` and `/v3/reference/dividends`, one page at a
 * time. Both answer {"status":"OK","request_id":..,"results":[..],"next_url":"https://..?cursor=.."}
 * (next_url absent on the last page; it never carries the API key). Entries:
 *   split:    {"id":"E3641..","ticker":"AAPL","execution_date":"2020-08-31","split_from":1,"split_to":4}
 *   dividend: {"id":"E8e3c..","ticker":"AAPL","cash_amount":0.22,"currency":"USD","dividend_type":"CD",
 *              "ex_dividend_date":"2021-11-05","declaration_date","record_date","pay_date","frequency":4}
 */
import { actionId, entryText, isRecord, positive, truncated, type DecodePageResult, type DecodedActionsPage, type RawCorporateAction } from './decoded.js';

export type PolygonActionsEndpoint = 'splits' | 'dividends';

/** Dividends are published in the price's currency; US listings are priced in dollars. */
const PRICE_CURRENCY = 'USD';

export function decodePolygonActionsPage(endpoint: PolygonActionsEndpoint, body: unknown, fetchedAt: number): DecodePageResult {
  if (!isRecord(body)) return { ok: false, message: 'expected a JSON object' };
  // An error answer can come with status 200 on some plans: {"status":"NOT_AUTHORIZED","message":..}.
  if (typeof body.status === 'string' && body.status !== 'OK' && body.status !== 'DELAYED') {
    const detail = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : '';
    return { ok: false, message: `status ${truncated(body.status)}${detail ? `: ${detail.slice(0, 200)}` : ''}` };
  }
  const results = body.results ?? [];
  if (!Array.isArray(results)) return { ok: false, message: 'results: expected a list' };
  const next = body.next_url;
  if (next !== undefined && next !== null && typeof next !== 'string') return { ok: false, message: 'next_url: expected a string' };
  const page: DecodedActionsPage = { actions: [], problems: [], next: typeof next === 'string' && next.length > 0 ? next : undefined };
  results.forEach((entry: unknown, i) => {
    const decoded = endpoint === 'splits' ? decodeSplit(entry, fetchedAt) : decodeDividend(entry, fetchedAt);
    if (typeof decoded === 'string') page.problems.push({ message: `polygon ${endpoint}[${i}]: ${decoded}`, text: entryText(entry) });
    else page.actions.push({ raw: decoded, text: entryText(entry) });
  });
  return { ok: true, page };
}

function decodeSplit(entry: unknown, ts: number): RawCorporateAction | string {
  if (!isRecord(entry)) return 'expected an object';
  const from = positive(entry, 'split_from');
  const to = positive(entry, 'split_to');
  if (typeof from === 'string') return from;
  if (typeof to === 'string') return to;
  // split_to new shares for every split_from old ones: 4-for-1 is 4, 1-for-10 is 0.1.
  const ratio = to / from;
  if (ratio === 1) return `split_from ${from} = split_to ${to}: not a split`;
  const raw: RawCorporateAction = { type: 'corporate_action', symbol: entry.ticker, action: ratio > 1 ? 'split' : 'reverse_split', exDate: entry.execution_date, ratio, ts };
  return withId(raw, entry);
}

function decodeDividend(entry: unknown, ts: number): RawCorporateAction | string {
  if (!isRecord(entry)) return 'expected an object';
  const currency = entry.currency;
  if (currency !== undefined && currency !== null && currency !== PRICE_CURRENCY) {
    return `currency ${truncated(currency)}: the amount must be in the price currency (${PRICE_CURRENCY})`;
  }
  const raw: RawCorporateAction = { type: 'corporate_action', symbol: entry.ticker, action: 'dividend', exDate: entry.ex_dividend_date, amount: entry.cash_amount, ts };
  return withId(raw, entry);
}

function withId(raw: RawCorporateAction, entry: Record<string, unknown>): RawCorporateAction {
  const id = actionId(entry.id);
  if (id !== undefined) raw.id = id;
  return raw;
}
