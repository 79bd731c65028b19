/**
 * Guarantee 2, end to end: every alert the detector decides reaches `<ns>.alerts`, and a
 * websocket client that keeps losing its connection (and resumes with its last seq) sees each
 * alert exactly once, in order, even though the detector is killed with -9 mid-replay and
 * its outbox may publish an alert twice.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicNames } from '@rotation/schemas';
import { chaosEnv } from './support/infra.js';
import { committedRecords, expectedTicks, ingestAll, MULTI_DAY, paceOver, startDetector, waitForDetectorDone } from './support/pipeline.js';
import { createNamespaceTopics, openRedis, readAlertHistory, readAlertsTopic } from './support/read.js';
import { spawnService, waitUntil } from './support/services.js';
import { ResumingAlertClient } from './support/ws-client.js';
import { sharedPipeline } from './support/shared-pipeline.js';

const { kafkaBrokers, redisUrl, kafka, namespace } = sharedPipeline();

describe('no alert lost', () => {
  it('a resuming client sees every alert of the history exactly once while the detector is killed and its client cut', async () => {
    const ns = namespace();
    // Paced (ten sessions over ~40 s) so the kill half way lands mid-replay: at full speed the
    // detector can finish the rest between the half-way poll and the kill.
    const set = { ...MULTI_DAY, seed: 5, speed: paceOver(MULTI_DAY, 40) };
    const total = expectedTicks(set);
    await createNamespaceTopics(kafka, ns, 3);
    const env = await chaosEnv({ ns, kafkaBrokers, redisUrl });
    const redis = await openRedis(redisUrl);
    const client = new ResumingAlertClient();
    try {
      // The detector first: it creates the alert history epoch the client will resume in.
      let detector = startDetector(env, 'detector-0');
      await detector.waitForLog('detector started', 120_000);
      const gateway = spawnService('gateway', [], { env: { ...env, GATEWAY_INSTANCE_ID: 'gw-1' }, label: 'gateway' });
      const wsUrl = String((await gateway.waitForLog('ready for clients', 90_000)).json?.websocket);
      await client.connect(wsUrl);
      const ingest = ingestAll(env, set);
      // The client loses its connection every few seconds for the whole run.
      let cutting = true;
      const cuts = (async () => {
        let n = 0;
        while (cutting) {
          await sleep(2_500);
          if (!cutting) break;
          client.cut();
          await sleep(200);
          await client.connect(wsUrl);
          n += 1;
        }
        return n;
      })();

      await waitUntil('the detector to get half way', async () => (await committedRecords(redis, ns)) >= total / 2, 240_000, 50);
      expect(await committedRecords(redis, ns)).toBeLessThan(total); // mid-replay, or the kill proves nothing
      await detector.kill9();
      detector = startDetector(env, 'detector-1');

      expect((await ingest).code).toBe(0);
      await waitForDetectorDone(kafka, redis, ns, total);
      const history = await readAlertHistory(redis, ns);
      expect(history.length).toBeGreaterThan(0);
      const last = history.at(-1)!.seq!;
      await waitUntil(`the client to reach seq ${last}`, () => client.lastSeq >= last, 60_000, 50);
      cutting = false;
      expect(await cuts).toBeGreaterThan(0);
      await sleep(500);

      // Kafka has every alert of the history (at least once; the gateway dedupes by seq).
      const onTopic = new Map((await readAlertsTopic(kafka, topicNames(ns).alerts)).map((a) => [a.seq, a]));
      for (const a of history) expect(onTopic.get(a.seq)).toEqual(a);
      // The client: each alert exactly once, in order, none missing.
      expect(client.resyncs).toEqual([]);
      expect(client.received.map((r) => r.seq)).toEqual(history.map((a) => a.seq));
      expect(client.received.map((r) => r.alert)).toEqual(history);
      await detector.sigterm();
    } finally {
      await client.close();
      await redis.quit();
    }
  }, 480_000);
});
