/**
 * A live feed whose trades all hash to one ticks partition must not stall the detector: the
 * ingester's pipeline publishes watermark records to every partition, and the detector, which
 * evaluates a step only once every partition has passed it, moves on. Real Kafka and Redis; the
 * provider is the fake Alpaca stream.
 */
import { parseEnv, type Config } from '@rotation/config';
import { createConsumer, type Kafka } from '@rotation/kafka';
import { lanesForSymbols, startDetector, testUniverse } from '@rotation/detector';
import { silentLogger } from '@rotation/log';
import { LaneWatermark, SnapshotRecord, Tick, WATERMARK_KEY } from '@rotation/schemas';
import { createLiveSource, Pipeline } from '@rotation/ingester';
import type { IngestSource } from '@rotation/ingester';
import { alpacaTrade, FakeAlpaca } from '../fakes/alpaca.js';
import { describe, expect, test } from '../support/fixtures.js';
import { FAST } from './support.js';

const KEY = 'AKFAKEKEYID0003';
const SECRET = 'fake-secret-value-0003';
const T0 = Date.parse('2024-07-24T14:30:00Z');
const MIN = 60_000;

interface Seen {
  partition: number;
  key: string | null;
  value: unknown;
}

/** Everything on `topic` from the beginning, until `done` says enough. */
async function readUntil(kafka: Kafka, topic: string, ns: string, done: (seen: Seen[]) => boolean): Promise<Seen[]> {
  const seen: Seen[] = [];
  const consumer = createConsumer(kafka, { groupId: `${ns}.watermark-reader`, logger: silentLogger(), onFatal: () => undefined });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} records arrived`)), 30_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({ partition, key: message.key?.toString() ?? null, value: JSON.parse(message.value!.toString()) as unknown });
          if (done(seen)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('live watermarks', () => {
  test('a feed that trades on one partition only still moves the detector: watermarks reach every partition', async ({ kafka, withTopics, ns, env, logger, redis }) => {
    const topics = await withTopics();
    const universe = testUniverse();
    const partitions = env.KAFKA_TICKS_PARTITIONS;
    const lanes = lanesForSymbols(universe.symbols, partitions, topics.ticks);
    const [iwmLane] = lanesForSymbols(['IWM'], partitions, topics.ticks);
    // The point of the test: lanes other than IWM's exist and receive no tick at all.
    expect(lanes.filter((l) => l !== iwmLane).length).toBeGreaterThan(0);

    // Ten minutes of IWM trades (event time), delivered at once; then the feed stays quiet.
    const trades = Array.from({ length: 11 }, (_, i) => alpacaTrade('IWM', 200 + i / 10, 10, new Date(T0 + i * MIN).toISOString(), i + 1));
    const fake = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: [{ frames: [trades] }] });
    const liveEnv = parseEnv({
      ROTATION_NAMESPACE: ns,
      KAFKA_BROKERS: env.KAFKA_BROKERS.join(','),
      REDIS_URL: env.REDIS_URL,
      KAFKA_TICKS_PARTITIONS: String(partitions),
      ALPACA_KEY_ID: KEY,
      ALPACA_SECRET_KEY: SECRET,
      ALPACA_STREAM_URL: fake.url,
      INGESTER_WATERMARK_MS: '100',
    });
    const live = createLiveSource('alpaca', { env: liveEnv, universe, logger, ...FAST });
    const source: IngestSource = { name: 'alpaca', live: true, run: (sink) => live.start(sink), stop: () => live.stop(), progress: () => ({ done: 0, total: undefined }) };
    const pipeline = new Pipeline({ env: liveEnv, universe, logger, source, kafka });
    const running = pipeline.run();
    const config: Config = { env, namespace: ns, universe, universeFile: '(test)' };
    const detector = await startDetector({ config, logger, httpPort: null });
    try {
      const seen = await readUntil(kafka, topics.ticks, ns, (s) => {
        const wmPartitions = new Set(s.filter((r) => r.key === WATERMARK_KEY).map((r) => r.partition));
        return s.filter((r) => r.key === 'IWM').length === trades.length && wmPartitions.size === partitions && s.filter((r) => r.key === WATERMARK_KEY).length >= 3 * partitions;
      });
      const ticks = seen.filter((r) => r.key === 'IWM').map((r) => Tick.parse(r.value));
      expect(ticks.map((t) => t.ts)).toEqual(trades.map((_, i) => T0 + i * MIN));
      const newest = T0 + 10 * MIN;
      for (let p = 0; p < partitions; p++) {
        const marks = seen.filter((r) => r.partition === p && r.key === WATERMARK_KEY).map((r) => LaneWatermark.parse(r.value));
        expect(marks.length).toBeGreaterThan(0);
        // A live feed never ends by itself, so none of its watermarks claims the end of stream.
        expect(marks.every((m) => m.source === 'alpaca' && m.final === undefined)).toBe(true);
        const values = marks.map((m) => m.watermark);
        // Strictly increasing, starting no later than the newest tick minus the lag (plus a little idle time).
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(new Set(values).size).toBe(values.length);
        expect(values[0]!).toBeGreaterThanOrEqual(newest - parseEnv({}).INGESTER_WATERMARK_LAG_MS - 1_000);
      }

      // The detector evaluated up to the last minutes although only IWM's partition had ticks.
      let asOf: number | null = null;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const raw = await redis.get(`${ns}:snapshot`);
        const at = raw ? SnapshotRecord.parse(JSON.parse(raw)).snapshot.asOf : null;
        asOf = at ? Date.parse(at) : null;
        if (asOf !== null && asOf >= newest - 2 * MIN) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(asOf).not.toBeNull();
      expect(asOf!).toBeGreaterThanOrEqual(newest - 2 * MIN);
    } finally {
      await detector.stop();
      await pipeline.stop();
      await running.catch(() => undefined);
      await fake.close();
    }
    const summary = await running;
    expect(summary).toMatchObject({ source: 'alpaca', published: trades.length, deadLettered: 0, stopped: true });
  });
});
