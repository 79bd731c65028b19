/**
 * Corporate actions for a live feed: `createCorporateActionsRefresher(provider, { env, universe,
 * logger })` builds the fetcher for Alpaca or Polygon / Massive from the environment (same keys as
 * the stream) and the refresher that runs it beside the stream. See docs/live-providers.md,
 * "Corporate actions". Finnhub's split endpoint depends on the plan and is not wired.
 */
import type { Env, Secret, Universe } from '@rotation/config';
import type { Logger } from '@rotation/log';
import { LiveErrorCode, LiveSourceError } from '../../core/errors.js';
import { alpacaActionsProvider } from './alpaca.js';
import { CorporateActionsFetcher } from './fetcher.js';
import { HTTP_DEFAULTS, type FetchLike, type HttpSettings } from '../rest-http.js';
import { polygonActionsProvider } from './polygon.js';
import type { ActionsProvider } from './query.js';
import { CorporateActionsRefresher, type RefresherOptions } from './refresher.js';

export { CorporateActionsFetcher, type FetchReport } from './fetcher.js';
export { CorporateActionsRefresher, heldUntil } from './refresher.js';
export type { HttpSettings } from '../rest-http.js';

export type ActionsProviderName = 'alpaca' | 'polygon';

export interface CorporateActionsOptions {
  env: Env;
  universe: Pick<Universe, 'symbols'>;
  logger: Logger;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: FetchLike;
  now?: () => number;
  http?: Partial<Omit<HttpSettings, 'fetch'>>;
  maxPages?: number;
  onRound?: RefresherOptions['onRound'];
}

// A universe's actions over two months fit in one page; 20 is a provider paging in circles.
const DEFAULT_MAX_PAGES = 20;

export function createCorporateActionsFetcher(provider: ActionsProviderName, o: CorporateActionsOptions): CorporateActionsFetcher {
  return new CorporateActionsFetcher({
    provider: actionsProvider(provider, o.env, o.universe.symbols),
    http: { ...HTTP_DEFAULTS, ...o.http, fetch: o.fetch ?? ((url, init) => fetch(url, init)) },
    logger: o.logger,
    now: o.now ?? Date.now,
    maxPages: o.maxPages ?? DEFAULT_MAX_PAGES,
  });
}

export function createCorporateActionsRefresher(provider: ActionsProviderName, o: CorporateActionsOptions): CorporateActionsRefresher {
  const { env } = o;
  return new CorporateActionsRefresher({
    fetcher: createCorporateActionsFetcher(provider, o),
    logger: o.logger,
    now: o.now ?? Date.now,
    lookbackDays: env.INGESTER_ACTIONS_LOOKBACK_DAYS,
    lookaheadDays: env.INGESTER_ACTIONS_LOOKAHEAD_DAYS,
    refreshMs: env.INGESTER_ACTIONS_REFRESH_MS,
    waitMs: env.INGESTER_ACTIONS_WAIT_MS,
    ...(o.onRound ? { onRound: o.onRound } : {}),
  });
}

function actionsProvider(provider: ActionsProviderName, env: Env, symbols: readonly string[]): ActionsProvider {
  switch (provider) {
    case 'alpaca':
      return alpacaActionsProvider({
        baseUrl: env.ALPACA_DATA_URL,
        keyId: required(env.ALPACA_KEY_ID, 'ALPACA_KEY_ID'),
        secretKey: required(env.ALPACA_SECRET_KEY, 'ALPACA_SECRET_KEY'),
        symbols,
      });
    case 'polygon':
      return polygonActionsProvider({ baseUrl: env.POLYGON_REST_URL, apiKey: required(env.POLYGON_API_KEY, 'POLYGON_API_KEY'), symbols });
    default:
      throw new RangeError(`corporate actions: unknown provider "${String(provider)}" (expected alpaca or polygon)`);
  }
}

function required(value: Secret | undefined, variable: string): Secret {
  if (value === undefined) throw new LiveSourceError(LiveErrorCode.missingCredentials, `${variable} is not set: corporate actions need it (set it in the environment)`, { variable });
  return value;
}
