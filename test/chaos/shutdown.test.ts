/**
 * Guarantee 8: SIGTERM to any service finishes in-flight work, commits, and exits 0 within a
 * bound (20 s, a process-exit condition, not a performance claim).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { topicNames } from '@rotation/schemas';
import { uniqueNamespace } from '../support/fixtures.js';
import { chaosEnv, sharedInfra } from './support/infra.js';
import { countRecords, createNamespaceTopics, deleteNamespaceTopics, readTopic, testKafka } from './support/read.js';
import { killAllServices, spawnService, waitUntil } from './support/services.js';
import { committedRecords, ingestAll, MULTI_DAY, startDetector } from './support/pipeline.js';
import { deleteNamespaceKeys, openRedis } from './support/read.js';
import { ResumingAlertClient } from './support/ws-client.js';
import { sharedKeys } from '@rotation/redis';

const SHUTDOWN_BOUND_MS = 20_000;

afterEach(async () => {
  await killAllServices();
});

describe('shutdown on SIGTERM', () => {
  it('ingester: flushes every accepted tick, prints its summary and exits 0', async () => {
    const ns = uniqueNamespace();
    const { kafkaBrokers, redisUrl } = sharedInfra();
    const kafka = testKafka(kafkaBrokers);
    const topics = topicNames(ns);
    await createNamespaceTopics(kafka, ns, 3);
    try {
      const env = await chaosEnv({ ns, kafkaBrokers, redisUrl });
      // --loop makes it a service that runs until stopped; a fast pace keeps the producer busy at SIGTERM.
      const ingester = spawnService('ingester', ['synthetic', '--scenario', 'choppy', '--seed', '7', '--rate', '50', '--speed', '200', '--loop', '--json'], { env });
      await ingester.waitForLog('ingest started');
      await waitUntil('ticks on the topic', async () => (await countRecords(kafka, topics.ticks)) > 2_000, 60_000);

      const exit = await ingester.sigterm(SHUTDOWN_BOUND_MS + 10_000);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);

      const summary = JSON.parse(ingester.stdout().trim().split('\n').pop()!) as { published: number; stopped: boolean };
      expect(summary.stopped).toBe(true);
      // Everything it says it published is on the topic, and nothing more: no tick accepted
      // before the signal was dropped on the way out, none was sent twice.
      const records = await readTopic(kafka, topics.ticks);
      expect(records.length).toBe(summary.published);
      const distinct = new Set(records.map((r) => r.value));
      expect(distinct.size).toBe(records.length);
    } finally {
      await deleteNamespaceTopics(kafka, Object.values(topics));
    }
  });

  it('detector: finishes the in-flight batch, commits state and offsets, publishes its outbox, exits 0', async () => {
    const ns = uniqueNamespace();
    const { kafkaBrokers, redisUrl } = sharedInfra();
    const kafka = testKafka(kafkaBrokers);
    const topics = topicNames(ns);
    await createNamespaceTopics(kafka, ns, 3);
    const redis = await openRedis(redisUrl);
    try {
      const env = await chaosEnv({ ns, kafkaBrokers, redisUrl });
      const ingest = ingestAll(env, { ...MULTI_DAY, seed: 3 });
      const detector = startDetector(env);
      await detector.waitForLog('detector state loaded', 120_000);
      await waitUntil('a first commit', async () => (await committedRecords(redis, ns)) > 0, 120_000, 50);

      const exit = await detector.sigterm(SHUTDOWN_BOUND_MS + 10_000);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
      expect(detector.logs.some((l) => l.json?.msg === 'detector stopped')).toBe(true);
      // Committed: every alert of the history went out through the outbox before the exit,
      // and the stored offsets are a consistent position to resume from.
      const keys = sharedKeys(ns);
      const [seq, published] = await redis.mget(keys.alertSeq, keys.alertPublished);
      expect(Number(published ?? 0)).toBe(Number(seq ?? 0));
      const committed = await committedRecords(redis, ns);
      expect(committed).toBeGreaterThan(0);
      expect((await ingest).code).toBe(0);
      // A restart resumes from there and completes: nothing was left half-written.
      const again = startDetector(env, 'detector-again');
      await waitUntil('the restarted detector to move past the stored offsets', async () => (await committedRecords(redis, ns)) > committed, 180_000, 100);
      const second = await again.sigterm(SHUTDOWN_BOUND_MS + 10_000);
      expect(second).toMatchObject({ code: 0, signal: null });
    } finally {
      await deleteNamespaceKeys(redis, ns);
      await redis.quit();
      await deleteNamespaceTopics(kafka, Object.values(topics));
    }
  });

  it('gateway: tells connected clients to reconnect elsewhere, closes them, exits 0', async () => {
    const ns = uniqueNamespace();
    const { kafkaBrokers, redisUrl } = sharedInfra();
    const kafka = testKafka(kafkaBrokers);
    const topics = topicNames(ns);
    await createNamespaceTopics(kafka, ns, 3);
    const client = new ResumingAlertClient();
    try {
      const env = await chaosEnv({ ns, kafkaBrokers, redisUrl });
      const gateway = spawnService('gateway', [], { env });
      const ready = await gateway.waitForLog('ready for clients', 90_000);
      await client.connect(String(ready.json?.websocket));

      const exit = await gateway.sigterm(SHUTDOWN_BOUND_MS + 10_000);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
      expect(client.shutdowns).toBe(1);
      await waitUntil('the client connection to close', () => !client.connected, 10_000, 50);
    } finally {
      await client.close();
      const redis = await openRedis(redisUrl);
      await deleteNamespaceKeys(redis, ns);
      await redis.quit();
      await deleteNamespaceTopics(kafka, Object.values(topics));
    }
  });
});
