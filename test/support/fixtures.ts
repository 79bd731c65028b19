/**
 * Per-test fixtures over the shared broker and Redis. Each test gets its own namespace
 * (topics, groups, keys), and everything a fixture opens is closed and removed after the test.
 */
import { randomBytes } from 'node:crypto';
import { inject, test as base } from 'vitest';
import { parseEnv, type Env } from '@rotation/config';
import { createKafka, ensureTopics, type Kafka } from '@rotation/kafka';
import { silentLogger, type Logger } from '@rotation/log';
import { createRedis, connectRedis, type Redis } from '@rotation/redis';
import { topicNames, type TopicNames } from '@rotation/schemas';

export interface InfraFixtures {
  /** A fresh namespace, e.g. `t-3f9a1c2b`. */
  ns: string;
  topics: TopicNames;
  /** The validated environment a service under test would see (brokers, Redis URL, namespace). */
  env: Env;
  logger: Logger;
  kafka: Kafka;
  /** Creates the namespace's topics; deleted again after the test. */
  withTopics: () => Promise<TopicNames>;
  redis: Redis;
}

export function uniqueNamespace(): string {
  return `t-${randomBytes(4).toString('hex')}`;
}

export const test = base.extend<InfraFixtures>({
  // eslint-disable-next-line no-empty-pattern
  ns: async ({}, use) => {
    await use(uniqueNamespace());
  },
  topics: async ({ ns }, use) => {
    await use(topicNames(ns));
  },
  env: async ({ ns }, use) => {
    await use(parseEnv({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: '3' }));
  },
  // eslint-disable-next-line no-empty-pattern
  logger: async ({}, use) => {
    await use(silentLogger());
  },
  kafka: async ({ logger }, use) => {
    await use(createKafka({ brokers: inject('kafkaBrokers').split(','), clientId: 'test', logger }));
  },
  withTopics: async ({ kafka, ns, env, logger, topics }, use) => {
    let created = false;
    await use(async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, ns, { ticksPartitions: env.KAFKA_TICKS_PARTITIONS, alertsPartitions: 1, snapshotsPartitions: 1, dlqPartitions: 1, replicationFactor: 1 }, logger);
        await untilLeadersKnown(admin, Object.values(topics));
      } finally {
        await admin.disconnect();
      }
      created = true;
      return topics;
    });
    if (created) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
    }
  },
  redis: async ({ logger, ns }, use) => {
    const url = inject('redisUrl');
    const client = createRedis({ url, logger, connectionName: `test-${ns}` });
    await connectRedis(client, url);
    await use(client);
    // Drop the namespace's keys so a shared server (REDIS_URL) stays clean.
    await deleteRedisKeys(client, ns);
    await client.quit();
  },
});

export { expect, describe } from 'vitest';

/** Deletes every Redis key of a namespace. */
export async function deleteRedisKeys(redis: Redis, ns: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Deletes a namespace's topics (those that exist) and its Redis keys: for tests that use namespaces beyond their fixture's. */
export async function dropNamespace(kafka: Kafka, redis: Redis, ns: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topicNames(ns)) }).catch(() => undefined);
  await admin.disconnect();
  await deleteRedisKeys(redis, ns);
}

/**
 * Right after creation a partition may have no leader yet, and an offsets request then fails
 * with "This server is not the leader for that topic-partition" (seen once in a full CI run on a
 * loaded machine): a test starts only once every partition answers.
 */
async function untilLeadersKnown(admin: ReturnType<Kafka['admin']>, topics: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
