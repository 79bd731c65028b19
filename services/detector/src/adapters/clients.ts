import { createHash, randomUUID } from 'node:crypto';
import { connectRedis, createCommitRedis, createRedis, type Redis } from '@rotation/redis';
import type { Config } from '@rotation/config';
import { assertKafkaReachable, createKafka, setUpTopics, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { historyTracks } from '../core/history.js';
import type { CompiledSettings } from '../core/settings.js';
import type { Closers } from './closers.js';
import { lanesForSymbols } from './lanes.js';
import { Outbox } from './outbox.js';
import { detectorKeys } from './redis-keys.js';
import { RedisStateStore } from './redis-store.js';

export interface DetectorClients {
  kafka: Kafka;
  /** Partitions of the ticks topic. */
  partitions: number;
  /** The ticks partitions that carry a universe symbol. */
  lanes: number[];
  /** Reads, the outbox and the offsets a join seeks to. */
  redis: Redis;
  /** Commits only. */
  commitConn: Redis;
  store: RedisStateStore;
  outbox: Outbox;
}

/**
 * Connects Kafka (topics set up) and both Redis connections, checks the stored settings against
 * this universe and opens the outbox. Each close goes on `closers` as soon as its client is open.
 */
export async function connectClients(config: Config, settings: CompiledSettings, log: Logger, closers: Closers): Promise<DetectorClients> {
  const env = config.env;
  const ns = config.namespace;
  const topics = topicNames(ns);
  const keys = detectorKeys(ns);

  const kafka: Kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-detector`, logger: log });
  await assertKafkaReachable(kafka, env.KAFKA_BROKERS);
  const { ticksPartitions: partitions } = await setUpTopics(kafka, env, log);
  const lanes = lanesForSymbols(settings.symbols, partitions, topics.ticks);

  const redis = createRedis({ url: env.REDIS_URL, logger: log, connectionName: `${ns}-detector` });
  await connectRedis(redis, env.REDIS_URL);
  closers.push(async () => void (await redis.quit()));
  // Commits use a connection that never queues while offline: a stale EXEC must not replay.
  const commitConn = createCommitRedis({ url: env.REDIS_URL, logger: log, connectionName: `${ns}-detector-commit` });
  await connectRedis(commitConn, env.REDIS_URL);
  closers.push(async () => void (await commitConn.quit().catch(() => commitConn.disconnect())));

  const store = new RedisStateStore(commitConn, keys, settings.symbols, settings.ringLength, log, historyTracks(settings));
  await store.checkSettings(createHash('sha256').update(JSON.stringify(config.universe)).digest('hex'));
  // The history epoch is set once per namespace; the gateway compares it to detect a reset.
  await redis.set(keys.shared.alertEpoch, randomUUID(), 'NX');

  const outbox = new Outbox(kafka, redis, keys, { alerts: topics.alerts, snapshots: topics.snapshots, dlq: topics.ticksDlq }, log);
  closers.push(() => outbox.close());
  return { kafka, partitions, lanes, redis, commitConn, store, outbox };
}
