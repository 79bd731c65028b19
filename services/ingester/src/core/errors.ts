import { defineErrors, type CodeOf } from '@rotation/errors';

/**
 * The ingester's errors, its one closed list of codes in three groups: the process (usage, files,
 * publishing), the live sources and the REST fetchers. Bad input is never an error: it is a dead letter.
 */
export const IngesterErrorCode = {
  usage: 'INGESTER_USAGE',
  fileUnreadable: 'INGESTER_FILE_UNREADABLE',
  unknownFormat: 'INGESTER_UNKNOWN_FORMAT',
  unknownScenario: 'INGESTER_UNKNOWN_SCENARIO',
  publishFailed: 'INGESTER_PUBLISH_FAILED',
  // A replay file decompressed, or spilled, past its cap (a gzip bomb or an input beyond the disk budget).
  inputTooLarge: 'INGESTER_INPUT_TOO_LARGE',
  // Stopped (signal or broker failure) with accepted records the broker never acknowledged; the counts are in the context.
  undelivered: 'INGESTER_UNDELIVERED',
  // Files of a replay on different price bases (or not on the one asked for): refused before publishing.
  priceBasis: 'INGESTER_PRICE_BASIS',
  // A replay whose event time is far from the namespace's clock (before it, or long after): refused before publishing.
  replayClock: 'INGESTER_REPLAY_CLOCK',
  // History could not be fetched for a backfill (keys, plan, the provider failing past its retries); the context names the request.
  backfillFailed: 'INGESTER_BACKFILL_FAILED',
} as const;
export type IngesterErrorCode = CodeOf<typeof IngesterErrorCode>;

/**
 * The live adapters' closed list of error codes. Every code here ends a live source: the
 * conditions that merely need a reconnect never become errors, they are logged and retried.
 */
export const LiveErrorCode = {
  missingCredentials: 'LIVE_MISSING_CREDENTIALS',
  authFailed: 'LIVE_AUTH_FAILED',
  symbolLimit: 'LIVE_SYMBOL_LIMIT',
  insufficientSubscription: 'LIVE_INSUFFICIENT_SUBSCRIPTION',
  subscriptionRejected: 'LIVE_SUBSCRIPTION_REJECTED',
  sinkFailed: 'LIVE_SINK_FAILED',
  alreadyStarted: 'LIVE_ALREADY_STARTED',
} as const;
export type LiveErrorCode = CodeOf<typeof LiveErrorCode>;

/**
 * The REST fetchers' closed list of codes (corporate actions, history). No corporate-action
 * failure is fatal to a live feed: the fetch is logged and tried again at the next refresh; a
 * history request that fails past its retries fails the backfill (INGESTER_BACKFILL_FAILED). `retryable` says whether the
 * fetcher's own retries may help (a timeout, a 429 or 5xx) or not (rejected keys, a bad body).
 */
export const FetchErrorCode = {
  authFailed: 'FETCH_AUTH_FAILED',
  httpStatus: 'FETCH_HTTP_STATUS',
  timeout: 'FETCH_TIMEOUT',
  network: 'FETCH_NETWORK',
  tooLarge: 'FETCH_TOO_LARGE',
  badResponse: 'FETCH_BAD_RESPONSE',
  pageLimit: 'FETCH_PAGE_LIMIT',
  aborted: 'FETCH_ABORTED',
} as const;
export type FetchErrorCode = CodeOf<typeof FetchErrorCode>;

/** Every ingester error; the code says which group it belongs to. */
export class IngesterError extends defineErrors('IngesterError', ['INGESTER_', 'LIVE_', 'FETCH_'], [IngesterErrorCode, LiveErrorCode, FetchErrorCode]) {}

/** An IngesterError whose code is one of the live group: `instanceof` either works. */
export class LiveSourceError extends IngesterError {
  override readonly name = 'LiveSourceError';
  declare readonly code: LiveErrorCode;
  constructor(code: LiveErrorCode, message: string, context?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}

export class FetchError extends IngesterError {
  override readonly name = 'FetchError';
  declare readonly code: FetchErrorCode;
  constructor(
    code: FetchErrorCode,
    message: string,
    readonly retryable: boolean,
    context?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
  }
}
