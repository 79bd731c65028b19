/**
 * Polygon.io / Massive splits and dividends, one ticker per request (v3 filters by one ticker):
 *   GET {POLYGON_REST_URL}/v3/reference/splits?ticker=..&execution_date.gte=..&execution_date.lte=..&limit=1000
 *   GET {POLYGON_REST_URL}/v3/reference/dividends?ticker=..&ex_dividend_date.gte=..&ex_dividend_date.lte=..&limit=1000
 * then each page's next_url (its path and cursor, on the configured host). The key goes in
 * `Authorization: Bearer`, never in a URL: next_url does not carry it, and URLs end up in logs.
 */
import type { Secret } from '@rotation/config';
import { decodePolygonActionsPage, type PolygonActionsEndpoint } from '../../core/corporate-actions/polygon.js';
import type { ActionWindow } from '../../core/corporate-actions/window.js';
import { onConfiguredHost } from '../rest-http.js';
import type { ActionsProvider, ActionsQuery } from './query.js';

export interface PolygonActionsConfig {
  baseUrl: string;
  apiKey: Secret;
  symbols: readonly string[];
}

const PAGE_LIMIT = 1000;
const DATE_FIELD: Record<PolygonActionsEndpoint, string> = { splits: 'execution_date', dividends: 'ex_dividend_date' };

export function polygonActionsProvider(c: PolygonActionsConfig): ActionsProvider {
  return {
    source: 'polygon',
    headers: { authorization: `Bearer ${c.apiKey.reveal()}` },
    secrets: [c.apiKey.reveal()],
    credentialHint: 'check POLYGON_API_KEY',
    queries: (window) => c.symbols.flatMap((symbol) => [polygonQuery(c.baseUrl, 'splits', symbol, window), polygonQuery(c.baseUrl, 'dividends', symbol, window)]),
  };
}

function polygonQuery(baseUrl: string, endpoint: PolygonActionsEndpoint, ticker: string, window: ActionWindow): ActionsQuery {
  const url = new URL(`/v3/reference/${endpoint}`, baseUrl);
  url.searchParams.set('ticker', ticker);
  url.searchParams.set(`${DATE_FIELD[endpoint]}.gte`, window.start);
  url.searchParams.set(`${DATE_FIELD[endpoint]}.lte`, window.end);
  url.searchParams.set('limit', String(PAGE_LIMIT));
  return {
    label: `polygon ${endpoint} ${ticker}`,
    url: url.toString(),
    next: onConfiguredHost(baseUrl, `polygon ${endpoint} ${ticker}`),
    decode: (body, at) => decodePolygonActionsPage(endpoint, body, at),
  };
}
