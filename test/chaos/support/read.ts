/**
 * Reading what the pipeline left behind: every record of a topic, the detector's Redis state,
 * the alert history. Used to compare an interrupted run with an uninterrupted one.
 */
import { randomBytes } from 'node:crypto';
import { createKafka, ensureTopics, type Kafka } from '@rotation/kafka';
import { silentLogger } from '@rotation/log';
import { createRedis, connectRedis, sharedKeys, type Redis } from '@rotation/redis';
import { Alert, type Alert as AlertT } from '@rotation/schemas';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

export function testKafka(brokers: string): Kafka {
  return createKafka({ brokers: brokers.split(','), clientId: 'chaos-test', logger: silentLogger() });
}

export async function createNamespaceTopics(kafka: Kafka, ns: string, ticksPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, ns, { ticksPartitions, alertsPartitions: 1, snapshotsPartitions: 1, dlqPartitions: 1, replicationFactor: 1 }, silentLogger());
  } finally {
    await admin.disconnect();
  }
}

export async function deleteNamespaceTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/** End offsets per partition (what a reader must reach to have seen everything). */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export async function countRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every record of the topic from the beginning up to its current end, in partition order. */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
  const ends = await endOffsets(kafka, topic);
  const want = new Map([...ends].filter(([, end]) => end > 0n));
  const out: TopicRecord[] = [];
  if (want.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic}: got ${out.length} records, not at the end after ${timeoutMs} ms`)), timeoutMs);
      const remaining = new Set(want.keys());
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= want.get(batch.partition)!) continue;
              out.push({ partition: batch.partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? '' });
              if (BigInt(m.offset) === want.get(batch.partition)! - 1n) remaining.delete(batch.partition);
            }
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export async function readAlertsTopic(kafka: Kafka, topic: string): Promise<AlertT[]> {
  return (await readTopic(kafka, topic)).map((r) => Alert.parse(JSON.parse(r.value)));
}

export async function openRedis(url: string): Promise<Redis> {
  const r = createRedis({ url, logger: silentLogger(), connectionName: 'chaos-test' });
  await connectRedis(r, url);
  return r;
}

/** The alert history stream, oldest first. */
export async function readAlertHistory(redis: Redis, ns: string): Promise<AlertT[]> {
  const entries = await redis.xrange(sharedKeys(ns).alertHistory, '-', '+');
  return entries.map(([, fields]) => {
    const i = fields.indexOf('a');
    return Alert.parse(JSON.parse(fields[i + 1]!));
  });
}

/** Every key of the namespace with its value in a comparable form (strings, hashes, streams, ...). */
export async function dumpNamespace(redis: Redis, ns: string, skip: (key: string) => boolean = () => false): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  for (const key of keys.sort()) {
    if (skip(key)) continue;
    const type = await redis.type(key);
    switch (type) {
      case 'string':
        out[key] = await redis.get(key);
        break;
      case 'hash':
        out[key] = sortObject(await redis.hgetall(key));
        break;
      case 'list':
        out[key] = await redis.lrange(key, 0, -1);
        break;
      case 'set':
        out[key] = (await redis.smembers(key)).sort();
        break;
      case 'zset':
        out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
        break;
      case 'stream':
        out[key] = (await redis.xrange(key, '-', '+')).map(([id, fields]) => [id, fields]);
        break;
      default:
        out[key] = `<${type}>`;
    }
  }
  return out;
}

function sortObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

export async function deleteNamespaceKeys(redis: Redis, ns: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A seeded PRNG (mulberry32) so random kill points are reproducible from the seed in the test name. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
