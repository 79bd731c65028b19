import { BatchingProducer, createConsumer, assertKafkaReachable, createKafka, KafkaError } from '@rotation/kafka';
import { connectRedis, createRedis, keyspace, RedisError } from '@rotation/redis';
import { silentLogger } from '@rotation/log';
import { Tick } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import { freePort } from '@rotation/infra';

describe('real Kafka and Redis', () => {
  test('ticks produced with the batching producer come back from the topic, keyed by symbol', async ({ kafka, withTopics, ns, logger }) => {
    const topics = await withTopics();
    const producer = new BatchingProducer(kafka, { logger, lingerMs: 2 });
    await producer.connect();
    const sent: Tick[] = Array.from({ length: 500 }, (_, i) => ({
      v: 1,
      symbol: ['IWM', 'SPY', 'QQQ'][i % 3]!,
      price: 100 + i / 100,
      ts: 1_700_000_000_000 + i,
      source: 'synthetic',
    }));
    for (const t of sent) producer.push({ topic: topics.ticks, key: t.symbol, value: JSON.stringify(t), timestamp: t.ts });
    await producer.close();
    expect(producer.acked).toBe(500);
    expect(producer.requests).toBeLessThan(20); // batched, not one request per tick

    const received: Tick[] = [];
    const keys = new Map<string, Set<number>>();
    const consumer = createConsumer(kafka, { groupId: `${ns}.test`, logger, onFatal: (e) => { throw e; } });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.ticks, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const tick = Tick.parse(JSON.parse(message.value!.toString()));
          expect(message.key?.toString()).toBe(tick.symbol);
          if (!keys.has(tick.symbol)) keys.set(tick.symbol, new Set());
          keys.get(tick.symbol)!.add(partition);
          received.push(tick);
          if (received.length === sent.length) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();
    // Same key, same partition: per-symbol order is preserved by the topic.
    for (const partitions of keys.values()) expect(partitions.size).toBe(1);
    for (const sym of ['IWM', 'SPY', 'QQQ']) {
      const got = received.filter((t) => t.symbol === sym).map((t) => t.ts);
      expect(got).toEqual(sent.filter((t) => t.symbol === sym).map((t) => t.ts));
    }
  });

  test('backpressure: push asks the caller to wait once the buffer is full, and nothing is lost', async ({ kafka, withTopics, logger }) => {
    const topics = await withTopics();
    const producer = new BatchingProducer(kafka, { logger, lingerMs: 1, maxBatchRecords: 100, maxBufferedBytes: 8 * 1024 });
    await producer.connect();
    let waits = 0;
    for (let i = 0; i < 2_000; i++) {
      if (!producer.push({ topic: topics.ticks, key: `S${i % 7}`, value: JSON.stringify({ i, pad: 'x'.repeat(40) }) })) {
        waits++;
        await producer.waitForRoom();
        expect(producer.bufferedBytes).toBeLessThan(8 * 1024);
      }
    }
    await producer.close();
    expect(waits).toBeGreaterThan(0);
    expect(producer.acked).toBe(2_000);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.ticks);
    await admin.disconnect();
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(2_000);
  });

  test('writes and reads Redis under the namespace prefix', async ({ redis, ns }) => {
    const ks = keyspace(ns);
    await redis.hset(ks.key('state', 'returns'), { IWM: '3.25', SPY: '-0.72' });
    expect(await redis.hgetall(ks.key('state', 'returns'))).toEqual({ IWM: '3.25', SPY: '-0.72' });
    expect(await redis.keys(ks.pattern())).toEqual([`${ns}:state:returns`]);
  });

  test('an unreachable broker is reported with its address and a hint', async () => {
    const port = await freePort();
    const brokers = [`127.0.0.1:${port}`];
    const kafka = createKafka({ brokers, clientId: 'test', logger: silentLogger(), connectionTimeoutMs: 300 });
    const error = await assertKafkaReachable(kafka, brokers, 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaError);
    expect((error as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is not reachable.*pnpm infra:up`));
  });

  test('an unreachable Redis is reported with its address and a hint', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const client = createRedis({ url, logger: silentLogger() });
    const error = await connectRedis(client, url, 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisError);
    expect((error as Error).message).toMatch(/is not reachable.*pnpm infra:up/);
  });
});
