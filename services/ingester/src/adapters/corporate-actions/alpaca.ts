/**
 * Alpaca corporate actions: GET {ALPACA_DATA_URL}/v1/corporate-actions?symbols=..&types=
 * forward_split,reverse_split,cash_dividend&start=..&end=..&limit=1000[&page_token=..], keys in
 * the APCA-API-KEY-ID / APCA-API-SECRET-KEY headers. `start`/`end` select by process date (the
 * ex-date for splits, the payable date for cash dividends), inclusive.
 */
import type { Secret } from '@rotation/config';
import { ALPACA_ACTION_TYPES, decodeAlpacaActionsPage } from '../../core/corporate-actions/alpaca.js';
import type { ActionWindow } from '../../core/corporate-actions/window.js';
import type { ActionsProvider, ActionsQuery } from './query.js';

export interface AlpacaActionsConfig {
  baseUrl: string;
  keyId: Secret;
  secretKey: Secret;
  symbols: readonly string[];
}

// 1000 is the API's largest page; 100 symbols keep the URL short whatever the universe.
const PAGE_LIMIT = 1000;
const SYMBOLS_PER_QUERY = 100;

export function alpacaActionsProvider(c: AlpacaActionsConfig): ActionsProvider {
  return {
    source: 'alpaca',
    headers: { 'APCA-API-KEY-ID': c.keyId.reveal(), 'APCA-API-SECRET-KEY': c.secretKey.reveal() },
    secrets: [c.keyId.reveal(), c.secretKey.reveal()],
    credentialHint: 'check ALPACA_KEY_ID and ALPACA_SECRET_KEY',
    queries: (window) => chunks(c.symbols, SYMBOLS_PER_QUERY).map((symbols) => alpacaQuery(c.baseUrl, symbols, window)),
  };
}

function alpacaQuery(baseUrl: string, symbols: readonly string[], window: ActionWindow): ActionsQuery {
  const url = new URL('/v1/corporate-actions', baseUrl);
  url.searchParams.set('symbols', symbols.join(','));
  url.searchParams.set('types', ALPACA_ACTION_TYPES.join(','));
  url.searchParams.set('start', window.start);
  url.searchParams.set('end', window.end);
  url.searchParams.set('limit', String(PAGE_LIMIT));
  const first = url.toString();
  return {
    label: `alpaca corporate-actions ${symbols.length === 1 ? symbols[0] : `${symbols[0]}..${symbols.at(-1)} (${symbols.length} symbols)`}`,
    url: first,
    next: (token) => {
      const u = new URL(first);
      u.searchParams.set('page_token', token);
      return u.toString();
    },
    decode: decodeAlpacaActionsPage,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
