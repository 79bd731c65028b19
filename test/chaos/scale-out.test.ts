/**
 * Guarantee 5: scale-out. Three detector instances in one consumer group on a 6-partition ticks
 * topic; the instance that owns the partitions is killed with -9 mid-stream; the partitions move
 * and the final state and alert history equal a single instance's on the same input.
 */
import { describe, expect, it } from 'vitest';
import { chaosEnv } from './support/infra.js';
import { alertIds, comparableState, committedRecords, expectedTicks, ingestAll, MULTI_DAY, paceOver, startDetector, waitForDetectorDone } from './support/pipeline.js';
import { createNamespaceTopics, openRedis } from './support/read.js';
import { waitUntil, type ServiceProcess } from './support/services.js';
import { sharedPipeline } from './support/shared-pipeline.js';

const { kafkaBrokers, redisUrl, kafka, namespace } = sharedPipeline();
const PARTITIONS = 6;

describe('detector scale-out', () => {
  it('three instances, the active one killed mid-stream: same state and alerts as one instance', async () => {
    const single = namespace();
    const group = namespace();
    // Paced (ten sessions over ~75 s): at full speed the owner can absorb the rest of the replay
    // between the half-way poll and the kill, and a standby that takes over ~15 s later would
    // find nothing to load.
    const set = { ...MULTI_DAY, seed: 17, speed: paceOver(MULTI_DAY, 75) };
    const total = expectedTicks(set);
    await createNamespaceTopics(kafka, single, PARTITIONS);
    await createNamespaceTopics(kafka, group, PARTITIONS);
    const singleEnv = await chaosEnv({ ns: single, kafkaBrokers, redisUrl, ticksPartitions: PARTITIONS });
    const groupEnv = await chaosEnv({ ns: group, kafkaBrokers, redisUrl, ticksPartitions: PARTITIONS });
    const redis = await openRedis(redisUrl);
    try {
      const ingests = Promise.all([ingestAll(singleEnv, set, 'ingester-single'), ingestAll(groupEnv, set, 'ingester-group')]);
      startDetector(singleEnv, 'detector-single');
      const instances: ServiceProcess[] = [1, 2, 3].map((i) => startDetector(groupEnv, `detector-${i}`, { DETECTOR_INSTANCE_ID: `d${i}`, DETECTOR_HTTP_PORT: '0' }));

      // Whoever owns the partitions says so; kill that one once it is half way.
      const owner = await Promise.race(instances.map((p) => p.waitForLog((l) => l.json?.msg === 'active: owns the ticks partitions', 120_000).then(() => p)));
      await waitUntil('the group to get half way', async () => (await committedRecords(redis, group)) >= total / 2, 240_000, 50);
      expect(await committedRecords(redis, group)).toBeLessThan(total); // mid-stream, or the kill proves nothing
      await owner.kill9();
      const survivors = instances.filter((p) => p !== owner);
      // A standby takes over: it loads the committed state and continues.
      await Promise.race(survivors.map((p) => p.waitForLog((l) => l.json?.msg === 'detector state loaded', 120_000)));

      const [a, b] = await ingests;
      expect([a.code, b.code]).toEqual([0, 0]);
      await Promise.all([waitForDetectorDone(kafka, redis, single, total), waitForDetectorDone(kafka, redis, group, total)]);
      const ids = await alertIds(redis, single);
      expect(ids.length).toBeGreaterThan(0);
      expect(await alertIds(redis, group)).toEqual(ids);
      expect(await comparableState(redis, group)).toEqual(await comparableState(redis, single));
    } finally {
      await redis.quit();
    }
  }, 480_000);
});
