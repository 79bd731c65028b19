/**
 * What `pnpm start` reads and resets of a namespace in Kafka and Redis: its topics, its keys,
 * and the detector's committed snapshot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '@rotation/config';
import { createKafka, ensureTopics, topicLayoutFromEnv } from '@rotation/kafka';
import { silentLogger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { connectRedis, createRedis, sharedKeys } from '@rotation/redis';

/** Creates the namespace's topics; with `fresh`, deletes the ones that exist first. */
export async function ensureAllTopics(config: Config, fresh: boolean): Promise<void> {
  const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: `${config.env.KAFKA_CLIENT_ID}-start`, logger: silentLogger() });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (fresh) {
      const existing = new Set(await admin.listTopics());
      const ours: string[] = Object.values(topicNames(config.namespace)).filter((t) => existing.has(t));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 30_000 });
      // Topic deletion is asynchronous in Kafka: wait until the names are gone before re-creating.
      for (let i = 0; i < 100 && (await admin.listTopics()).some((t) => ours.includes(t)); i++) await sleep(200);
    }
    // Right after a deletion the broker may still be dropping the old partitions: retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureTopics(admin, config.namespace, topicLayoutFromEnv(config.env), silentLogger());
        break;
      } catch (e) {
        if (!fresh || attempt >= 15) throw e;
        await sleep(1_000);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** A short-lived connection of the launcher's own. */
function redisClient(config: Config) {
  return createRedis({ url: config.env.REDIS_URL, logger: silentLogger(), connectionName: 'rotation-start' });
}

/** Deletes every Redis key of the namespace (`<ns>:*`), in batches. */
export async function dropRedisKeys(config: Config): Promise<number> {
  const redis = redisClient(config);
  let dropped = 0;
  try {
    await connectRedis(redis, config.env.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.namespace}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) dropped += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return dropped;
}

/** The detector's event time from its last committed snapshot, or null on a fresh pipeline. */
export async function detectorClock(config: Config): Promise<number | null> {
  const redis = redisClient(config);
  try {
    await connectRedis(redis, config.env.REDIS_URL);
    const raw = await redis.get(sharedKeys(config.namespace).snapshot);
    if (!raw) return null;
    // Only asOf matters here (a SnapshotRecord's snapshot.asOf); anything unreadable means "fresh".
    const asOf = (JSON.parse(raw) as { snapshot?: { asOf?: unknown } }).snapshot?.asOf;
    const ms = typeof asOf === 'string' ? Date.parse(asOf) : Number.NaN;
    return Number.isNaN(ms) ? null : ms;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Whether the namespace has a committed snapshot in Redis (auth on: the API will not say). */
export async function storedSnapshot(config: Config): Promise<boolean> {
  const redis = redisClient(config);
  try {
    await connectRedis(redis, config.env.REDIS_URL);
    return (await redis.exists(sharedKeys(config.namespace).snapshot)) === 1;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
