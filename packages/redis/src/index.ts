import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@rotation/log';
import { redactUrl } from '@rotation/log';
import { defineErrors, type CodeOf } from '@rotation/errors';

export { Redis } from 'ioredis';

export const RedisErrorCode = { unreachable: 'REDIS_UNREACHABLE' } as const;
export type RedisErrorCode = CodeOf<typeof RedisErrorCode>;

export class RedisError extends defineErrors('RedisError', 'REDIS_', RedisErrorCode) {}

export const REDIS_UNREACHABLE_HINT =
  'start one with `pnpm start` or `pnpm infra:up` (both write REDIS_URL to .data/infra.env, where a service started with REDIS_URL unset finds it) or set REDIS_URL to a reachable server';

export interface RedisClientOptions {
  url: string;
  logger: Logger;
  /** Name shown in CLIENT LIST, handy when several services share one server. */
  connectionName?: string;
}

/**
 * ioredis with defaults chosen for a stream processor:
 * - lazyConnect, so `connectRedis` can fail fast with an address and a hint;
 * - maxRetriesPerRequest null + offline queue: during an outage commands wait for the
 *   reconnect instead of failing one by one; callers that must notice an outage use timeouts
 *   or the `ready` state;
 * - reconnect backoff capped at 2 s so recovery after an outage is quick.
 */
export function createRedis(options: RedisClientOptions): Redis {
  const redisOptions: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    connectTimeout: 3_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  const client = new Redis(options.url, redisOptions);
  let lastState = '';
  client.on('error', (err: Error) => {
    // ioredis emits the same error on every reconnect attempt; log each distinct one once.
    if (err.message !== lastState) options.logger.warn({ err: err.message, url: redactUrl(options.url) }, 'redis error');
    lastState = err.message;
  });
  client.on('ready', () => {
    if (lastState) options.logger.info({ url: redactUrl(options.url) }, 'redis connection restored');
    lastState = '';
  });
  return client;
}

/**
 * A connection for transactions that must never be replayed: no offline queue and no retries,
 * so an EXEC issued before an outage fails instead of running after the reconnect without its
 * WATCH (the detector's commits). Its errors are the caller's to report (commit failures,
 * readiness), so it logs none itself.
 */
export function createCommitRedis(options: RedisClientOptions & { commandTimeoutMs?: number }): Redis {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
  client.on('error', () => undefined);
  return client;
}

/** Connects and pings once; a server that does not answer is reported with its address. */
export async function connectRedis(client: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  try {
    await Promise.race([
      (async () => {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        await client.ping();
      })(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (cause) {
    client.disconnect();
    throw new RedisError(
      RedisErrorCode.unreachable,
      `Redis at ${redactUrl(url)} is not reachable (${(cause as Error).message}); ${REDIS_UNREACHABLE_HINT}`,
      { url: redactUrl(url) },
      { cause },
    );
  }
}

/**
 * Key naming: `<namespace>:<part>:<part>`. Every key the project writes goes through here so a
 * namespace can be listed or dropped with one pattern.
 */
export function keyspace(namespace: string) {
  const prefix = `${namespace}:`;
  return {
    prefix,
    key: (...parts: Array<string | number>): string => prefix + parts.join(':'),
    pattern: (): string => `${prefix}*`,
  };
}
export type Keyspace = ReturnType<typeof keyspace>;

/**
 * Keys shared between services (the detector writes them, the gateway reads them). Documented
 * in docs/redis-keys.md; a service's private keys live under `<ns>:<service>:`.
 */
export function sharedKeys(namespace: string) {
  const ks = keyspace(namespace);
  return {
    /** String: JSON SnapshotRecord, the latest committed snapshot. */
    snapshot: ks.key('snapshot'),
    /** Stream: alert history. Entry ID `<seq>-0`, field `a` = Alert JSON (with seq). Trimmed to a bounded length. */
    alertHistory: ks.key('alerts', 'history'),
    /** String: the last alert seq assigned. */
    alertSeq: ks.key('alerts', 'seq'),
    /** String: the history epoch; a new one means earlier seqs cannot be resumed. */
    alertEpoch: ks.key('alerts', 'epoch'),
    /** String: the highest alert seq produced to `<ns>.alerts` (the outbox position). */
    alertPublished: ks.key('alerts', 'published'),
    /** Hash: rule id -> JSON {eventTime, alertId, message} of the rule's latest alert (written with the alert). */
    rulesLastFired: ks.key('rules', 'last-fired'),
    /** Stream: webhook dead letters, field `e` = DeadLetterEntry JSON (no URL, no secret). Trimmed to ~10,000. */
    webhooksDlq: ks.key('webhooks', 'dlq'),
    /**
     * Stream per window: recorded snapshots' values for that window (charts, GET /api/v1/history).
     * Entry ID `<event time ms>-0`, field `p` = WindowHistoryEntry JSON. Bounded by count.
     */
    historyWindow: (window: string) => ks.key('history', 'window', window),
    /** Stream: recorded snapshots' RRG points, entry ID `<event time ms>-0`, field `p` = RrgHistoryEntry JSON. */
    historyRrg: ks.key('history', 'rrg'),
    /** Hash: sink name -> JSON StoredSink (its config, secret included, and owner), the sinks added through the API. */
    webhookSinks: ks.key('webhooks', 'sinks'),
    /** String: bumped with every change to webhookSinks, so every gateway reloads them. */
    webhookSinksVersion: ks.key('webhooks', 'sinks', 'version'),
  } as const;
}
export type SharedKeys = ReturnType<typeof sharedKeys>;

export { alertHistoryCodec, historyPointCodec, snapshotCodec, type StreamEntry } from './codecs.js';
