/**
 * Guarantee 1: detector state is exactly-once in effect. The same multi-day tick set goes
 * into two namespaces; one detector runs uninterrupted, the other is `kill -9`ed at seeded
 * random points of its progress (while the replay is still being produced) and restarted each
 * time. The final Redis state and the alert history (ids, order, seqs) must be equal.
 *
 * Guarantee 2 (first half) rides along: every alert of the history is on `<ns>.alerts`.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicNames, type Snapshot } from '@rotation/schemas';
import { chaosEnv } from './support/infra.js';
import { alertIds, comparableState, committedRecords, expectedTicks, ingestAll, MULTI_DAY, paceOver, startDetector, tickSpan, waitForDetectorDone } from './support/pipeline.js';
import { createNamespaceTopics, openRedis, readAlertHistory, readAlertsTopic, seededRandom } from './support/read.js';
import { chaosSeeds } from './support/settings.js';
import { waitUntil, type ServiceProcess } from './support/services.js';
import { sharedPipeline } from './support/shared-pipeline.js';

const { kafkaBrokers, redisUrl, kafka, namespace } = sharedPipeline();
const KILLS = 3;

describe('detector: kill -9 mid-replay, restart, same result', () => {
  it.each(chaosSeeds([11], [11, 29, 47, 83]))('seed %i: state and alerts equal an uninterrupted run', async (seed) => {
    const base = namespace();
    const chaos = namespace();
    // Paced: ten sessions of event time over ~75 s of wall time. The detector absorbs a backlog of
    // this size in well under a second, so with a replay at full speed an instance could finish
    // everything between two kills and its successor would find nothing left; each restart also
    // waits ~15 s for the killed member's session to expire. Pacing keeps ticks arriving across
    // all three kill/restart cycles, so every kill lands mid-replay.
    const set = { ...MULTI_DAY, seed, speed: paceOver(MULTI_DAY, 75) };
    const total = expectedTicks(set);
    await createNamespaceTopics(kafka, base, 3);
    await createNamespaceTopics(kafka, chaos, 3);
    // Small batches (a few hundred ticks) so the kills land between many commits rather than
    // after one batch that swallowed the whole replay.
    const small = { DETECTOR_FETCH_MAX_BYTES: '32768' };
    const baseEnv = await chaosEnv({ ns: base, kafkaBrokers, redisUrl, set: small });
    const chaosEnvVars = await chaosEnv({ ns: chaos, kafkaBrokers, redisUrl, set: small });
    const redis = await openRedis(redisUrl);
    try {
      // Both replays run while the detectors consume: kills land "during the replay".
      const ingests = Promise.all([ingestAll(baseEnv, set, 'ingester-base'), ingestAll(chaosEnvVars, set, 'ingester-chaos')]);
      startDetector(baseEnv, 'detector-base');
      let det: ServiceProcess = startDetector(chaosEnvVars, 'detector-chaos-0');

      const rnd = seededRandom(seed);
      const targets = Array.from({ length: KILLS }, () => Math.floor(total * (0.1 + 0.8 * rnd()))).sort((a, b) => a - b);
      for (const [i, target] of targets.entries()) {
        await det.waitForLog('detector state loaded', 120_000);
        await waitUntil(`chaos detector to commit ${target} ticks`, async () => (await committedRecords(redis, chaos)) >= target, 180_000, 50);
        if (i % 2 === 0) {
          // Right after a Redis commit: inside the window before the outbox publish and the
          // Kafka offset commit, where a detector that trusted Kafka offsets would double count.
          const commits = await redis.get(`${chaos}:detector:commit`);
          await waitUntil('the next commit', async () => (await redis.get(`${chaos}:detector:commit`)) !== commits, 120_000, 2);
        } else {
          // Somewhere inside the next batch.
          await sleep(Math.floor(rnd() * 1_500));
        }
        // Mid-replay, or the kill proves nothing.
        expect(await committedRecords(redis, chaos)).toBeLessThan(total);
        const exit = await det.kill9();
        expect(exit.signal).toBe('SIGKILL');
        det = startDetector(chaosEnvVars, `detector-chaos-${i + 1}`);
      }

      const [baseRun, chaosRun] = await ingests;
      expect([baseRun, chaosRun]).toEqual([
        { published: total, code: 0 },
        { published: total, code: 0 },
      ]);
      await Promise.all([waitForDetectorDone(kafka, redis, base, total), waitForDetectorDone(kafka, redis, chaos, total)]);

      const [expected, actual] = await Promise.all([comparableState(redis, base), comparableState(redis, chaos)]);
      const ids = await alertIds(redis, base);
      // The scenario must exercise alerts, or the comparison below proves little.
      expect(ids.length).toBeGreaterThan(0);
      expect(await alertIds(redis, chaos)).toEqual(ids);
      // The counters first: a record applied twice shows here by name (accepted +1, late +n),
      // where the whole-namespace comparison below only says the two differ.
      const counters = (s: Record<string, unknown>) => (s['detector:state'] as { counters?: unknown } | undefined)?.counters;
      expect(counters(actual)).toEqual(counters(expected));
      expect(actual).toEqual(expected);
      // The ingester's end-of-stream watermark let the detector evaluate through the last tick's
      // step (1 min steps), which is the close of the last session.
      const snapshot = expected['snapshot'] as Snapshot;
      expect(snapshot.asOf).toBe(new Date(Math.ceil(tickSpan(set).last / 60_000) * 60_000).toISOString());
      expect(snapshot.market?.atClose).toBe(true);

      // No alert lost on the way out: every history entry reached <ns>.alerts (duplicates from
      // a crash between produce and the outbox position are allowed: consumers dedupe by seq).
      const history = await readAlertHistory(redis, chaos);
      const onTopic = await readAlertsTopic(kafka, topicNames(chaos).alerts);
      const bySeq = new Map(onTopic.map((a) => [a.seq, a]));
      expect([...bySeq.keys()].sort((a, b) => a! - b!)).toEqual(history.map((a) => a.seq));
      for (const a of history) expect(bySeq.get(a.seq)).toEqual(a);
    } finally {
      await redis.quit();
    }
  }, 480_000);
});
