import { z } from 'zod';
import { Secret } from './secret.js';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const secret = z
  .string()
  .min(1)
  .transform((s) => new Secret(s));
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** 0 turns a cap off. */
const capOrOff = z.coerce.number().int().min(0);
// RFC 7518 3.2: an HS256 key shorter than the hash output (32 bytes) can be brute-forced offline
// from any one token; a short static token can be guessed online.
export const MIN_JWT_SECRET_BYTES = 32;
export const MIN_API_TOKEN_CHARS = 16;
const jwtSecret = z
  .string()
  .refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_JWT_SECRET_BYTES, `an HS256 secret needs at least ${MIN_JWT_SECRET_BYTES} bytes (e.g. openssl rand -base64 32)`)
  .transform((s) => new Secret(s));
/**
 * An entry is `TOKEN`, `NAME:TOKEN` (the caller's owner id is NAME) or `NAME:TOKEN:admin`;
 * only the token part counts towards the length.
 */
export function tokenPart(entry: string): string {
  const parts = entry.split(':');
  return parts.length === 1 ? entry : (parts[1] ?? '');
}
const apiTokens = csv.refine(
  (list) => list.every((t) => tokenPart(t).length >= MIN_API_TOKEN_CHARS),
  // Never echo the token itself: the message ends up in logs.
  `every API token needs at least ${MIN_API_TOKEN_CHARS} characters (e.g. openssl rand -hex 16)`,
);

/** The metrics/health ports used when INGESTER_HTTP_PORT / DETECTOR_HTTP_PORT are unset. */
export const DEFAULT_INGESTER_HTTP_PORT = 9464;
export const DEFAULT_DETECTOR_HTTP_PORT = 9465;

/**
 * Every environment variable the project reads, with its default. The reference table in
 * docs/configuration.md is generated from the `describe()` texts here.
 */
export const EnvSchema = z.object({
  ROTATION_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower case letters, digits, "_" or "-", at most 63 characters')
    .default('rotation')
    .describe('Prefix of every topic, consumer group and Redis key'),
  ROTATION_UNIVERSE_FILE: z.string().optional().describe('Path of the universe file (default config/universe.json)'),
  ROTATION_INFRA_ENV_FILE: z
    .string()
    .optional()
    .describe('Where a service started by hand looks for the KAFKA_BROKERS / REDIS_URL of a running `pnpm start` or `pnpm infra:up` when they are unset (default .data/infra.env; `pnpm start --data-dir D` writes D/infra.env)'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level'),
  KAFKA_BROKERS: csv.default(['127.0.0.1:9092']).describe('Comma-separated bootstrap brokers'),
  KAFKA_CLIENT_ID: z.string().min(1).default('rotation').describe('kafkajs client id prefix'),
  KAFKA_TICKS_PARTITIONS: positiveInt.default(6).describe('Partitions of <ns>.ticks (created if missing)'),
  KAFKA_ALERTS_PARTITIONS: positiveInt.default(1).describe('Partitions of <ns>.alerts (1 keeps one global order)'),
  KAFKA_SNAPSHOTS_PARTITIONS: positiveInt.default(1).describe('Partitions of <ns>.snapshots'),
  KAFKA_DLQ_PARTITIONS: positiveInt.default(1).describe('Partitions of <ns>.ticks.dlq'),
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1).describe('Replication factor of created topics'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379').describe('Redis connection URL'),
  GATEWAY_HOST: z.string().default('0.0.0.0').describe('Gateway bind address'),
  GATEWAY_PORT: port.default(8080).describe('Gateway HTTP + websocket port'),
  GATEWAY_AUTH_TOKENS: apiTokens
    .optional()
    .describe(`Comma-separated API tokens, each at least ${MIN_API_TOKEN_CHARS} characters: TOKEN, NAME:TOKEN (callers with it own their rules as NAME) or NAME:TOKEN:admin (sees every owner's rules); when set (or a JWT secret or tokens file is), auth is required`),
  GATEWAY_AUTH_TOKENS_FILE: z
    .string()
    .optional()
    .describe('Path of a JSON file of named API tokens, {"tokens":[{"name":"alice","token":"...","admin":false}]}, read at start-up in addition to GATEWAY_AUTH_TOKENS (keep it chmod 600)'),
  GATEWAY_RULES_MAX_PER_OWNER: positiveInt.max(10_000).default(100).describe('Alert rules one owner may hold (paused ones count; deleted ones do not); POST /api/v1/rules beyond it answers 409'),
  GATEWAY_JWT_SECRET: jwtSecret.optional().describe(`HS256 secret for JWT bearer tokens, at least ${MIN_JWT_SECRET_BYTES} bytes`),
  GATEWAY_JWT_REQUIRE_EXP: bool.default(true).describe('Refuse JWTs without an `exp` claim (false accepts them, valid until the secret changes)'),
  GATEWAY_MAX_CONNECTIONS: positiveInt.default(10_000).describe('Open websockets one gateway instance holds; more are refused with HTTP 503 (each costs ~14-20 kB of RSS and an open file: the process\'s open-file limit must be above this)'),
  GATEWAY_MAX_CONNECTIONS_PER_TOKEN: capOrOff.default(1_000).describe('Open websockets one credential (static token, or JWT `sub`) may hold on one instance; more are refused with HTTP 429 (0 = no cap)'),
  GATEWAY_MAX_CONNECTIONS_PER_IP: capOrOff.default(1_000).describe('Open websockets one remote address may hold on one instance; more are refused with HTTP 429 (0 = no cap; raise it behind a proxy that hides client addresses)'),
  GATEWAY_ALLOWED_ORIGINS: csv.optional().describe('Comma-separated Origin values allowed to open a websocket'),
  GATEWAY_CORS_ORIGINS: csv
    .pipe(
      z
        .array(
          z
            .string()
            .max(256)
            .regex(/^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?)$/, 'a CORS origin is scheme://host[:port] with no path or trailing slash, or * for any'),
        )
        .max(64),
    )
    .default([])
    .describe('Comma-separated browser origins (https://app.example.com) that may call /api/* cross-origin (CORS, preflight included); * allows any origin; empty (default) sends no CORS headers'),
  GATEWAY_METRICS: z
    .enum(['auto', 'on', 'off', 'token'])
    .default('auto')
    .describe('Who may read /metrics (process details, auth-failure counts): auto = open while auth is off, else a bearer credential the API accepts or GATEWAY_METRICS_TOKEN; token = only GATEWAY_METRICS_TOKEN; on = anyone; off = 404'),
  GATEWAY_METRICS_TOKEN: z
    .string()
    .min(MIN_API_TOKEN_CHARS, `a metrics token needs at least ${MIN_API_TOKEN_CHARS} characters`)
    .transform((s) => new Secret(s))
    .optional()
    .describe('Bearer token for scraping /metrics (Authorization header only), separate from the stream\'s credentials'),
  GATEWAY_SOURCE_MAPS: bool.default(false).describe('Serve the dashboard\'s source maps (.map, about 2.5 MB of readable source); off = 404'),
  GATEWAY_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000).describe('After SIGTERM/SIGINT, how long the gateway may take to tell clients to reconnect, close them and stop its consumers; then it exits 3 (webhook deliveries not committed are sent again by the next start)'),
  GATEWAY_INSTANCE_ID: z.string().optional().describe('Instance name shown in welcome frames and logs'),
  GATEWAY_STATIC_DIR: z.string().optional().describe('Directory of dashboard files served at / (default: packages/dashboard/dist, else services/gateway/public; none served when missing)'),
  GATEWAY_HEARTBEAT_MS: positiveInt.default(15_000).describe('Interval of websocket pings and heartbeat messages; a connection silent for two intervals is terminated'),
  GATEWAY_MAX_BUFFER_BYTES: positiveInt.default(1_048_576).describe('Outbound bytes buffered per connection before an alert subscriber is closed as a slow consumer (4008)'),
  GATEWAY_MAX_SUBSCRIPTIONS: positiveInt.default(16).describe('Channels one connection may subscribe to'),
  GATEWAY_COMMAND_RATE: positiveInt.default(10).describe('Commands per second per connection (token bucket, burst twice this); sustained excess closes with 4009'),
  GATEWAY_REPLAY_MAX: positiveInt.default(5_000).describe('Most alerts one resume replays; further behind, the client gets a resync'),
  GATEWAY_HISTORY_CACHE_ALERTS: positiveInt
    .default(5_000)
    .describe('Recent alerts kept in memory with their encoded frames, shared by every connection; a resume within them never reads Redis (about 2 KB each)'),
  GATEWAY_HISTORY_PAGE: positiveInt.default(500).describe('Alerts per replay page: one Redis read, and how much of a replay a connection may have queued at once'),
  GATEWAY_HISTORY_READS: positiveInt.default(4).describe('Redis history reads in flight at once per gateway instance (each connection has at most one)'),
  GATEWAY_MAX_FRAME_BYTES: positiveInt.min(1024).default(8 * 1024).describe('Hard cap of one inbound websocket frame (larger: closed with 1009)'),
  GATEWAY_MAX_COMMAND_BYTES: positiveInt.min(256).default(4 * 1024).describe('Soft cap of one client command (larger: answered with frame_too_large, the connection kept)'),
  GATEWAY_HIGH_WATER_BYTES: positiveInt.default(64 * 1024).describe('Bytes written to a socket and not yet flushed before further frames wait in its outbound buffer'),
  GATEWAY_SNAPSHOT_ALERTS: positiveInt.max(1_000).default(20).describe('Recent alerts sent in an alert channel\'s snapshot (and a resync)'),
  GATEWAY_API_MAX_LIMIT: positiveInt.default(1_000).describe('Largest page the HTTP API returns (a larger ?limit= is cut to it)'),
  GATEWAY_ABUSE_STRIKES: positiveInt.default(20).describe('Commands refused by the rate limit before the connection is closed as abusive'),
  GATEWAY_REDIS_PROBE_MS: positiveInt.default(1_000).describe('Interval of the Redis probe (readiness, epoch, missed alerts)'),
  GATEWAY_REDIS_TIMEOUT_MS: positiveInt.default(2_000).describe('Deadline of one Redis read (history, position); past it the read fails and is retried or answered 503'),
  GATEWAY_SLOW_CLIENT_MS: positiveInt
    .default(10_000)
    .describe('A replay waiting on a socket that has flushed nothing for this long closes the connection as a slow consumer (4008)'),
  INGESTER_WATERMARK_MS: z.coerce.number().int().min(0).default(1_000).describe('Live feeds and paced replays: how often a watermark record goes to every ticks partition so quiet partitions (a file of a few symbols) do not hold the detector back (0 = never)'),
  INGESTER_WATERMARK_LAG_MS: z.coerce.number().int().min(0).max(60_000).default(2_000).describe('Live feeds: how far behind the newest tick a tick may still arrive (trades come a little out of order across symbols and connections); watermarks trail the newest tick by this much, and the detector\'s allowed lateness comes on top'),
  INGESTER_ACTIONS_FETCH: bool.default(true).describe('Live feeds (alpaca, polygon): fetch the universe\'s splits and dividends at start and on every refresh'),
  INGESTER_ACTIONS_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(365).default(30).describe('Corporate actions: days before today the fetched window starts (ex-dates; Alpaca: process dates)'),
  INGESTER_ACTIONS_LOOKAHEAD_DAYS: z.coerce.number().int().min(0).max(365).default(30).describe('Corporate actions: days after today the fetched window ends, so an announced action is published before its ex-date'),
  INGESTER_ACTIONS_REFRESH_MS: z.coerce.number().int().min(0).default(21_600_000).describe('Corporate actions: how often the window is fetched again while a live feed runs (0 = only at start)'),
  INGESTER_ACTIONS_WAIT_MS: z.coerce.number().int().min(0).default(5_000).describe('Corporate actions: how long the first streamed trade waits for the start-up fetch before the stream goes on without it'),
  INGESTER_BACKFILL: bool
    .default(true)
    .describe('Live feeds: before streaming, fetch the history every configured measure needs (REST bars and corporate actions), or only the gap since the newest record on the ticks topic, then hand over to the stream'),
  INGESTER_BACKFILL_MINUTE_SESSIONS: z.coerce.number().int().min(1).max(20).default(2).describe('Backfill: the most recent sessions fetched as minute bars (intraday windows, and a gap at minute resolution); older sessions come as daily bars'),
  INGESTER_BACKFILL_REQUESTS_PER_MIN: positiveInt.optional().describe('Backfill: REST requests per minute, retries included (default per provider, under its free plan: alpaca 180 of 200, polygon 5, finnhub 50 of 60)'),
  INGESTER_BACKFILL_MAX_BARS: positiveInt.default(2_000_000).describe('Backfill: bars one run may hold in memory (about 200 bytes each) before it stops with an error; the default universe needs about 60,000'),
  INGESTER_BACKFILL_BUFFER_MAX: positiveInt.default(1_000_000).describe('Backfill: streamed records held while the history is fetched, before the start fails with an error (about 300 bytes each)'),
  INGESTER_BACKFILL_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(3_000).describe('Backfill: how long after a minute ends its bar is asked for, so the provider has aggregated its last trades'),
  INGESTER_HTTP_PORT: port.optional().describe('Ingester /healthz, /readyz and /metrics port in service mode (synthetic --loop, live); unset: 9464, or when taken the next free even port up to 9482 (logged); 0 = off'),
  INGESTER_PRODUCE_MAX_BYTES: z.coerce.number().int().min(16 * 1024).max(100 * 1024 * 1024).default(1_000_000).describe('Bytes of one produce request, records counted with their framing; keep it below the broker\'s message.max.bytes (1,048,588 by default). A single record larger than this is dead-lettered as too_large'),
  INGESTER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000).describe('After SIGTERM/SIGINT, how long the ingester waits for the broker to acknowledge what it accepted; then it exits 3 and reports what was not acknowledged'),
  INGESTER_MAX_DECOMPRESSED_BYTES: capOrOff.default(1024 ** 3).describe('Replay: bytes one gzip file may decompress to before the replay stops with an error (0 = no cap)'),
  INGESTER_MAX_GZIP_RATIO: capOrOff.default(100).describe('Replay: decompressed / compressed bytes one gzip file may reach once past 16 MiB decompressed, before the replay stops as a likely gzip bomb (0 = no cap)'),
  INGESTER_MAX_SPILL_BYTES: capOrOff.default(1024 ** 3).describe('Replay: bytes of sorted runs one replay may write to the temp directory (about 4 times the input it sorts) before it stops with an error (0 = no cap)'),
  DETECTOR_HTTP_PORT: port.optional().describe('Detector /healthz, /readyz and /metrics port; unset: 9465, or when taken the next free odd port up to 9483 (logged), so detectors on one host do not collide; 0 = off'),
  DETECTOR_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000).describe('After SIGTERM/SIGINT, how long the detector may take to finish its batch, commit and publish its outbox; then it drops its connections and exits 3 (nothing committed is lost: the next start consumes again from the stored offsets)'),
  DETECTOR_INSTANCE_ID: z.string().optional().describe('Consumer instance name (defaults to host:pid)'),
  DETECTOR_FETCH_MAX_BYTES: positiveInt.min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024).describe('Most bytes fetched per ticks partition in one batch; one batch is one Redis commit, so this bounds commit size and time between commits'),
  ALPACA_KEY_ID: secret.optional().describe('Alpaca API key id'),
  ALPACA_SECRET_KEY: secret.optional().describe('Alpaca API secret'),
  ALPACA_FEED: z.enum(['iex', 'sip', 'delayed_sip', 'test']).default('iex').describe('Alpaca stream feed'),
  ALPACA_DATA_URL: z.string().url().default('https://data.alpaca.markets').describe('Alpaca market data REST base (bars for the backfill, corporate actions)'),
  ALPACA_STREAM_URL: z.string().url().optional().describe('Override of the Alpaca stream URL (fake servers, sandbox)'),
  POLYGON_API_KEY: secret.optional().describe('Polygon / Massive API key'),
  POLYGON_FEED: z.enum(['realtime', 'delayed']).default('realtime').describe('Polygon / Massive stocks stream: realtime (wss://socket.massive.com/stocks) or delayed, 15 minutes (wss://delayed.massive.com/stocks), for plans without real-time websocket access'),
  POLYGON_STREAM_URL: z.string().url().optional().describe('Override of the Polygon / Massive stream URL (fake servers); when set, POLYGON_FEED is ignored'),
  POLYGON_REST_URL: z.string().url().default('https://api.massive.com').describe('Polygon / Massive REST base (aggregates for the backfill, splits, dividends)'),
  FINNHUB_TOKEN: secret.optional().describe('Finnhub API token'),
  FINNHUB_STREAM_URL: z.string().url().default('wss://ws.finnhub.io').describe('Finnhub websocket'),
  FINNHUB_REST_URL: z.string().url().default('https://finnhub.io/api/v1').describe('Finnhub REST base (candles for the backfill, where the plan allows them)'),
  FINNHUB_IDLE_MS: z.coerce.number().int().min(1_000).default(150_000).describe('Finnhub: a connection silent this long (no trade, no {"type":"ping"}; pings come 60-120 s apart) is a stall and is replaced'),
  WEBHOOKS_FILE: z.string().optional().describe('Path of a webhook sinks file (JSON)'),
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: bool
    .default(false)
    .describe('Let webhook sinks post to loopback, private and link-local addresses (judged on the resolved addresses at send time); off, such a sink\'s alerts are dead-lettered as refused_target'),
  ROTATION_STRICT_ENV: bool.default(true).describe('Reject unknown ROTATION_/GATEWAY_/INGESTER_/DETECTOR_ variables, and KAFKA_/REDIS_ ones one or two edits from a setting of ours'),
});
export type Env = z.infer<typeof EnvSchema>;

/** Variables under these prefixes are ours: an unknown one is a typo, not someone else's setting. */
export const OWNED_PREFIXES = ['ROTATION_', 'GATEWAY_', 'INGESTER_', 'DETECTOR_'] as const;
/**
 * Prefixes we share with other programs (Kafka's own scripts read KAFKA_HEAP_OPTS and KAFKA_OPTS,
 * other apps set REDIS_HOST): an unknown name there is a typo only when it is one or two edits
 * from one of our settings (KAFKA_BROKER, REDIS_ULR).
 */
export const SHARED_PREFIXES = ['KAFKA_', 'REDIS_'] as const;

/**
 * What the project's own test suites read from the environment; no service sees it, and it is
 * not part of the product's configuration (docs/configuration.md).
 */
export const TestEnvSchema = z.object({
  CHAOS_FULL: bool.default(false).describe('pnpm test:chaos: run every seed and scenario instead of the CI subset'),
});
export type TestEnv = z.infer<typeof TestEnvSchema>;
