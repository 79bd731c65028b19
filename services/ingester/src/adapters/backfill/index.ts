/**
 * History before the stream: `createBackfill(provider, { env, universe, logger })` builds what a
 * backfill needs from the environment: the provider's REST history under its rate limit, its
 * corporate actions on the same limit, what the universe needs, the calendar. See
 * docs/live-providers.md, "History backfill".
 */
import { getCalendar } from '@rotation/calendar';
import { historyNeed, type Env, type Universe } from '@rotation/config';
import type { Logger } from '@rotation/log';
import { createCorporateActionsFetcher } from '../corporate-actions/index.js';
import { HTTP_DEFAULTS, type FetchLike, type HttpSettings } from '../rest-http.js';
import { rateLimited, type BackfillSetup } from './backfill.js';

export type { BackfillSetup } from './backfill.js';
import { historyProvider, type HistoryProviderName } from './providers.js';

export { LiveBackfillSource } from './live-backfill.js';
export { HistorySource } from './history-source.js';
export { topicEnds, type EndOf } from './resume-points.js';
export type { HistoryProviderName } from './providers.js';

export interface BackfillSetupOptions {
  env: Env;
  universe: Universe;
  logger: Logger;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: FetchLike;
  http?: Partial<Omit<HttpSettings, 'fetch'>>;
}

// A universe's minute bars over a few sessions are a handful of pages; this many is a provider paging in circles.
const MAX_PAGES_PER_QUERY = 500;
const DELAYED_MS = 15 * 60_000;

export function createBackfill(provider: HistoryProviderName, o: BackfillSetupOptions): BackfillSetup {
  const { env, universe, logger } = o;
  const history = historyProvider(provider, env);
  const base: HttpSettings = { ...HTTP_DEFAULTS, ...o.http, fetch: o.fetch ?? ((url, init) => fetch(url, init)) };
  const limited = rateLimited(base, env.INGESTER_BACKFILL_REQUESTS_PER_MIN ?? history.requestsPerMin, logger);
  const actions =
    env.INGESTER_ACTIONS_FETCH && provider !== 'finnhub'
      ? createCorporateActionsFetcher(provider, { env, universe, logger, http: { ...o.http, beforeAttempt: limited.http.beforeAttempt }, ...(o.fetch ? { fetch: o.fetch } : {}) })
      : undefined;
  const delayed = (provider === 'alpaca' && env.ALPACA_FEED === 'delayed_sip') || (provider === 'polygon' && env.POLYGON_FEED === 'delayed');
  return {
    deps: {
      provider: history,
      http: limited.http,
      calendar: getCalendar(universe.calendar),
      symbols: universe.symbols,
      logger,
      maxBars: env.INGESTER_BACKFILL_MAX_BARS,
      maxPagesPerQuery: MAX_PAGES_PER_QUERY,
      ...(actions ? { actions } : {}),
    },
    requests: limited.requests,
    calendar: getCalendar(universe.calendar),
    need: historyNeed(universe),
    minuteSessions: env.INGESTER_BACKFILL_MINUTE_SESSIONS,
    feedDelayMs: delayed ? DELAYED_MS : 0,
    settleMs: env.INGESTER_BACKFILL_SETTLE_MS,
    bufferMax: env.INGESTER_BACKFILL_BUFFER_MAX,
  };
}
