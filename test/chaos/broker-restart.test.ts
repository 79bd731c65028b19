/**
 * Guarantee 3: the Kafka broker is stopped and restarted in the middle of a replay. The
 * ingester retries (it neither exits nor loses or doubles a tick: the idempotent producer), the
 * detector and the gateway recover on their own, and the result is exactly-once in effect.
 * The broker is this test's own (the shared one is never stopped).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicNames, WATERMARK_KEY } from '@rotation/schemas';
import { uniqueNamespace } from '../support/fixtures.js';
import { chaosEnv, sharedInfra, startOwnKafka, stopOwnInfra, type OwnKafka } from './support/infra.js';
import { expectedTicks, MULTI_DAY, paceOver, startDetector, startIngest, waitForDetectorDone } from './support/pipeline.js';
import { countRecords, createNamespaceTopics, deleteNamespaceKeys, openRedis, readAlertHistory, readTopic, testKafka } from './support/read.js';
import { killAllServices, spawnService, waitUntil } from './support/services.js';
import { ResumingAlertClient } from './support/ws-client.js';

let broker: OwnKafka | undefined;
const namespaces: string[] = [];
const { redisUrl } = sharedInfra();

afterEach(async () => {
  await killAllServices();
});

afterAll(async () => {
  await killAllServices();
  const redis = await openRedis(redisUrl);
  for (const ns of namespaces) await deleteNamespaceKeys(redis, ns);
  await redis.quit();
  await stopOwnInfra();
});

describe('Kafka broker restart mid-replay', () => {
  it('ingester retries without crashing, every tick is on the topic once, detector and gateway recover', async () => {
    broker = await startOwnKafka();
    const kafka = testKafka(broker.bootstrap);
    const ns = uniqueNamespace();
    namespaces.push(ns);
    // Ten sessions of event time in about 40 s of wall time.
    const set = { ...MULTI_DAY, seed: 23, speed: paceOver(MULTI_DAY, 40) };
    const total = expectedTicks(set);
    await createNamespaceTopics(kafka, ns, 3);
    const env = await chaosEnv({ ns, kafkaBrokers: broker.bootstrap, redisUrl });
    const redis = await openRedis(redisUrl);
    const client = new ResumingAlertClient();
    try {
      // The detector first: it creates the alert history epoch the client will resume in.
      const detector = startDetector(env);
      await detector.waitForLog('detector started', 120_000);
      const gateway = spawnService('gateway', [], { env: { ...env, GATEWAY_INSTANCE_ID: 'gw-1' }, label: 'gateway' });
      const ready = await gateway.waitForLog('ready for clients', 90_000);
      const wsUrl = String(ready.json?.websocket);
      const httpUrl = String(ready.json?.http);
      await client.connect(wsUrl);
      // Paced so the replay is still running when the broker goes away (about 40 s of replay).
      const ingester = startIngest(env, set);
      await waitUntil('a third of the ticks on the topic', async () => (await countRecords(kafka, topicNames(ns).ticks)) >= total / 3, 120_000, 100);

      await broker.stop();
      await sleep(5_000);
      await broker.start();

      const exit = await ingester.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const summary = JSON.parse(ingester.stdout().trim().split('\n').pop()!) as { published: number };
      expect(summary.published).toBe(total);
      // Once each: the idempotent producer's retries left no duplicate and no hole.
      // The run ended, so each partition also holds its end-of-stream watermark: not a tick.
      const records = (await readTopic(kafka, topicNames(ns).ticks)).filter((r) => r.key !== WATERMARK_KEY);
      expect(records.length).toBe(total);
      expect(new Set(records.map((r) => r.value)).size).toBe(total);

      // The detector recovers by itself and counts every tick once.
      await waitForDetectorDone(kafka, redis, ns, total);
      expect(detector.exitStatus()).toBeUndefined();
      const state = JSON.parse((await redis.get(`${ns}:detector:state`))!) as { counters: { accepted: number; late: number; rejected: number; extendedHours: number; marketClosed: number } };
      // Every tick counted once; the synthetic source prints inside regular sessions only.
      const c = state.counters;
      expect(c.accepted + c.late + c.rejected + c.extendedHours + c.marketClosed).toBe(total);
      expect(c.extendedHours + c.marketClosed).toBe(0);

      // The gateway recovers by itself: ready again, and its client has every alert once.
      await waitUntil('gateway /readyz 200', async () => (await fetch(`${httpUrl}/readyz`)).status === 200, 60_000, 500);
      const history = await readAlertHistory(redis, ns);
      const last = history.at(-1)?.seq ?? 0;
      if (!client.connected) await client.connect(wsUrl);
      await waitUntil(`the client to reach seq ${last}`, () => client.lastSeq >= last, 60_000, 50);
      expect(client.received.map((r) => r.seq)).toEqual(history.map((a) => a.seq));
      expect(gateway.exitStatus()).toBeUndefined();
    } finally {
      await client.close();
      await redis.quit();
    }
  }, 480_000);
});
