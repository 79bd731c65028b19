/**
 * Guarantee 4: Redis is stopped for 10 s in the middle of a replay. The detector pauses (it
 * commits no offsets while Redis is away), resumes when Redis is back and loses nothing; the
 * gateway keeps forwarding live events from Kafka, reports not-ready, and recovers. Redis is this
 * test's own (AOF on, so the outage is an outage and not also a data loss).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicNames, type Alert } from '@rotation/schemas';
import { uniqueNamespace } from '../support/fixtures.js';
import { chaosEnv, sharedInfra, startOwnRedis, stopOwnInfra } from './support/infra.js';
import { committedRecords, expectedTicks, MULTI_DAY, paceOver, startDetector, startIngest, waitForDetectorDone } from './support/pipeline.js';
import { createNamespaceTopics, deleteNamespaceTopics, openRedis, readAlertHistory, testKafka } from './support/read.js';
import { killAllServices, spawnService, waitUntil } from './support/services.js';
import { ResumingAlertClient } from './support/ws-client.js';

const { kafkaBrokers } = sharedInfra();
const kafka = testKafka(kafkaBrokers);
const namespaces: string[] = [];

afterEach(async () => {
  await killAllServices();
});

afterAll(async () => {
  await killAllServices();
  for (const ns of namespaces) await deleteNamespaceTopics(kafka, Object.values(topicNames(ns)));
  await stopOwnInfra();
});

async function groupOffsets(groupId: string, topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return JSON.stringify(t?.partitions.map((p) => [p.partition, p.offset]).sort());
  } finally {
    await admin.disconnect();
  }
}

describe('Redis outage of 10 s', () => {
  it('detector pauses and resumes losing nothing; gateway serves live events, is not ready, recovers', async () => {
    const own = await startOwnRedis();
    const ns = uniqueNamespace();
    const live = uniqueNamespace(); // a second pipeline whose alerts arrive during the outage
    namespaces.push(ns, live);
    // Paced (ten sessions over ~40 s) so the replay is still running when Redis goes away.
    const set = { ...MULTI_DAY, seed: 31, speed: paceOver(MULTI_DAY, 40) };
    const total = expectedTicks(set);
    await createNamespaceTopics(kafka, ns, 3);
    await createNamespaceTopics(kafka, live, 3);
    const env = await chaosEnv({ ns, kafkaBrokers, redisUrl: own.url });
    const liveEnv = await chaosEnv({ ns: live, kafkaBrokers, redisUrl: own.url });
    const client = new ResumingAlertClient();
    const liveClient = new ResumingAlertClient();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      // The detector first: it creates the alert history epoch the client will resume in.
      const detector = startDetector(env);
      await detector.waitForLog('detector started', 120_000);
      const gateway = spawnService('gateway', [], { env: { ...env, GATEWAY_INSTANCE_ID: 'gw-main' }, label: 'gateway' });
      const liveGateway = spawnService('gateway', [], { env: { ...liveEnv, GATEWAY_INSTANCE_ID: 'gw-live' }, label: 'gateway-live' });
      const ready = await gateway.waitForLog('ready for clients', 90_000);
      const liveReady = await liveGateway.waitForLog('ready for clients', 90_000);
      const http = String(ready.json?.http);
      await client.connect(String(ready.json?.websocket));
      await liveClient.connect(String(liveReady.json?.websocket));

      const ingester = startIngest(env, set);
      const redis = await openRedis(own.url);
      await waitUntil('a third of the ticks committed', async () => (await committedRecords(redis, ns)) >= total / 3, 180_000, 100);
      redis.disconnect();

      await own.stop();
      const outageStarted = Date.now();
      const groupId = `${ns}.detector`;
      const atStop = await groupOffsets(groupId, topicNames(ns).ticks);
      // The gateway says it is not ready...
      await waitUntil('gateway /readyz 503', async () => (await fetch(`${http}/readyz`)).status === 503, 8_000, 200);
      // ...and so does the detector, which stays live: an orchestrator must not restart it for this.
      const detectorHttp = `http://127.0.0.1:${env.DETECTOR_HTTP_PORT}`;
      await waitUntil('detector /readyz 503', async () => (await fetch(`${detectorHttp}/readyz`)).status === 503, 8_000, 200);
      expect((await fetch(`${detectorHttp}/healthz`)).status).toBe(200);
      // ...and still forwards what Kafka brings.
      const alert: Alert = {
        id: 'a_outage_1', kind: 'breadth_thrust', severity: 'info', subject: 'sectors', eventTime: '2024-01-05T21:00:00.000Z',
        message: 'live during the Redis outage', metrics: {}, seq: 1,
      };
      await producer.send({ topic: topicNames(live).alerts, acks: -1, messages: [{ key: alert.id, value: JSON.stringify(alert) }] });
      await waitUntil('the live client to get the alert during the outage', () => liveClient.received.length === 1, 8_000, 50);
      expect(liveClient.received[0]!.alert).toEqual(alert);
      await sleep(Math.max(0, 10_000 - (Date.now() - outageStarted)));
      // Paused: no Kafka offset commit went through while Redis was away.
      expect(await groupOffsets(groupId, topicNames(ns).ticks)).toBe(atStop);
      await own.start();

      expect(await ingester.exited).toEqual({ code: 0, signal: null });
      const back = await openRedis(own.url);
      try {
        await waitForDetectorDone(kafka, back, ns, total);
        expect(detector.exitStatus()).toBeUndefined();
        const state = JSON.parse((await back.get(`${ns}:detector:state`))!) as { counters: { accepted: number; late: number; rejected: number; extendedHours: number; marketClosed: number } };
        // Every tick counted once; the synthetic source prints inside regular sessions only.
        const c = state.counters;
        expect(c.accepted + c.late + c.rejected + c.extendedHours + c.marketClosed).toBe(total);
        expect(c.extendedHours + c.marketClosed).toBe(0);
        await waitUntil('gateway /readyz 200 again', async () => (await fetch(`${http}/readyz`)).status === 200, 30_000, 250);
        await waitUntil('detector /readyz 200 again', async () => (await fetch(`${detectorHttp}/readyz`)).status === 200, 30_000, 250);
        const history = await readAlertHistory(back, ns);
        const last = history.at(-1)?.seq ?? 0;
        await waitUntil(`the client to reach seq ${last}`, () => client.lastSeq >= last, 60_000, 50);
        expect(client.received.map((r) => r.seq)).toEqual(history.map((a) => a.seq));
      } finally {
        back.disconnect();
      }
    } finally {
      await client.close();
      await liveClient.close();
      await producer.disconnect();
    }
  }, 480_000);
});
