/**
 * Live provider feeds: `createLiveSource(provider, { env, universe, logger })` returns a
 * LiveSource that delivers every trade (and bar, where subscribed) to a QuoteSink until stopped.
 * See docs/live-providers.md for the variables, URLs, mapping and error handling per provider.
 */
import type { Env, Secret, Universe } from '@rotation/config';
import type { Logger } from '@rotation/log';
import { DEFAULT_BACKOFF, DEFAULT_LIMIT_BACKOFF, validatePolicy, type BackoffPolicy } from './backoff.js';
import { ReconnectingSource, type ConnectionSettings, type LiveSource } from './connection.js';
import { LiveErrorCode, LiveSourceError } from '../../core/errors.js';
import { alpacaSession } from './alpaca/session.js';
import { POLYGON_STREAM_URLS, polygonSession } from './polygon/session.js';
import { finnhubSession } from './finnhub/session.js';
import type { LiveProvider, ProviderSpec } from './session.js';

export type { LiveSource, LiveListener } from './connection.js';
export { LiveErrorCode, LiveSourceError } from '../../core/errors.js';
export { LIVE_PROVIDERS, type LiveProvider } from './session.js';
export type { BackoffPolicy } from './backoff.js';

export interface LiveSourceOptions {
  env: Env;
  universe: Universe;
  logger: Logger;
  /** Stream URL override (tests, sandbox); otherwise from the environment / provider default. */
  url?: string;
  /** What to subscribe to: trades (default) and/or minute bars (Alpaca "bars", Polygon "AM"). Finnhub has trades only. */
  channels?: { trades?: boolean; bars?: boolean };
  backoff?: Partial<BackoffPolicy>;
  /** Backoff after a connection-limit rejection (longer: another client holds the slot). */
  limitBackoff?: Partial<BackoffPolicy>;
  watchdog?: { idleMs?: number; pingIntervalMs?: number };
  stableAfterMs?: number;
  maxPayloadBytes?: number;
  handshakeTimeoutMs?: number;
  closeTimeoutMs?: number;
  /** [0, 1) source for the backoff jitter; tests make it deterministic. */
  random?: () => number;
}

export const ALPACA_STREAM_BASE = 'wss://stream.data.alpaca.markets/v2';

/**
 * Defaults, each with its reason. Alpaca and Polygon can be silent for hours outside market
 * hours, so their watchdog relies on transport pings every 15 s and gives up after 45 s of no
 * answer. Finnhub sends its own {"type":"ping"} and has been seen to stall while still answering
 * transport pings, so only its messages count. Its pings come 60-120 s apart (finnhubio/
 * Finnhub-API#35, finnhub-js#21): the old 60 s limit reconnected about every other minute on a
 * quiet evening, so the limit is FINNHUB_IDLE_MS (150 s: the longest reported gap plus a
 * margin), and a feed silent for that long is still dropped.
 */
const WATCHDOG_DEFAULTS: Record<LiveProvider, { idleMs: number; pingIntervalMs: number }> = {
  alpaca: { idleMs: 45_000, pingIntervalMs: 15_000 },
  polygon: { idleMs: 45_000, pingIntervalMs: 15_000 },
  finnhub: { idleMs: 150_000, pingIntervalMs: 15_000 },
};
const SETTINGS_DEFAULTS = {
  // A batch for the whole universe is a few hundred KiB at worst; anything near 4 MiB is not a market data frame.
  maxPayloadBytes: 4 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
  // Subscribed for 30 s without data (quiet market) still proves credentials and slot are fine.
  stableAfterMs: 30_000,
};

/** Throws LiveSourceError (LIVE_MISSING_CREDENTIALS) naming the variable when a credential is not set. */
export function createLiveSource(provider: LiveProvider, options: LiveSourceOptions): LiveSource {
  const settings: ConnectionSettings = {
    backoff: validatePolicy({ ...DEFAULT_BACKOFF, ...options.backoff }, 'backoff'),
    limitBackoff: validatePolicy({ ...DEFAULT_LIMIT_BACKOFF, ...options.limitBackoff }, 'limitBackoff'),
    watchdog: { ...WATCHDOG_DEFAULTS[provider], ...(provider === 'finnhub' ? { idleMs: options.env.FINNHUB_IDLE_MS } : {}), ...options.watchdog },
    stableAfterMs: options.stableAfterMs ?? SETTINGS_DEFAULTS.stableAfterMs,
    maxPayloadBytes: options.maxPayloadBytes ?? SETTINGS_DEFAULTS.maxPayloadBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? SETTINGS_DEFAULTS.handshakeTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? SETTINGS_DEFAULTS.closeTimeoutMs,
    random: options.random ?? Math.random,
  };
  return new ReconnectingSource(providerSpec(provider, options), settings, options.logger);
}

export function providerSpec(provider: LiveProvider, options: Pick<LiveSourceOptions, 'env' | 'universe' | 'url' | 'channels'>): ProviderSpec {
  const { env, universe } = options;
  const channels = { trades: options.channels?.trades ?? true, bars: options.channels?.bars ?? false };
  if (!channels.trades && !channels.bars) throw new RangeError('channels: subscribe to trades, bars or both');
  switch (provider) {
    case 'alpaca': {
      const keyId = required(env.ALPACA_KEY_ID, 'ALPACA_KEY_ID', 'Alpaca');
      const secretKey = required(env.ALPACA_SECRET_KEY, 'ALPACA_SECRET_KEY', 'Alpaca');
      const feed = env.ALPACA_FEED;
      // The test stream serves one made-up symbol only; it proves credentials and plumbing.
      const symbols = feed === 'test' ? ['FAKEPACA'] : universe.symbols;
      return {
        provider,
        url: options.url ?? env.ALPACA_STREAM_URL ?? `${ALPACA_STREAM_BASE}/${feed}`,
        transportHeartbeat: true,
        newSession: () => alpacaSession({ keyId, secretKey, feed, symbols, channels, ...(env.ALPACA_STREAM_URL ? { streamUrl: env.ALPACA_STREAM_URL } : {}) }),
      };
    }
    case 'polygon': {
      const apiKey = required(env.POLYGON_API_KEY, 'POLYGON_API_KEY', 'Polygon / Massive');
      const feed = env.POLYGON_FEED;
      const streamUrl = env.POLYGON_STREAM_URL;
      return {
        provider,
        url: options.url ?? streamUrl ?? POLYGON_STREAM_URLS[feed],
        transportHeartbeat: true,
        newSession: () => polygonSession({ apiKey, symbols: universe.symbols, channels, feed, ...(streamUrl ? { streamUrl } : {}) }),
      };
    }
    case 'finnhub': {
      const token = required(env.FINNHUB_TOKEN, 'FINNHUB_TOKEN', 'Finnhub');
      const url = new URL(options.url ?? env.FINNHUB_STREAM_URL);
      // Finnhub authenticates by query parameter: this URL goes on the wire and is logged only through redactUrl.
      url.searchParams.set('token', token.reveal());
      return {
        provider,
        url: url.toString(),
        transportHeartbeat: false,
        newSession: () => finnhubSession({ symbols: universe.symbols }),
      };
    }
    default:
      throw new RangeError(`unknown live provider "${String(provider)}" (expected alpaca, polygon or finnhub)`);
  }
}

function required(value: Secret | undefined, variable: string, provider: string): Secret {
  if (value === undefined) {
    throw new LiveSourceError(LiveErrorCode.missingCredentials, `${variable} is not set: the ${provider} live feed needs it (set it in the environment)`, { variable });
  }
  return value;
}
