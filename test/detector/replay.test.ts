import { randomBytes } from 'node:crypto';
import { BatchingProducer, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import { startDetector, detectorKeys, type DetectorHandle } from '@rotation/detector';
import type { Alert, DeadLetter, SnapshotRecord } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import { DAYS, generateTicks, priceAt, referenceRun, replayConfig, tickJson, type Produced } from './support.js';

const DAY = 86_400_000;

async function produce(kafka: Kafka, logger: Logger, topic: string, records: readonly Produced[]): Promise<void> {
  const p = new BatchingProducer(kafka, { logger });
  await p.connect();
  try {
    for (const r of records) if (!p.push({ topic, key: r.key, value: r.value })) await p.waitForRoom();
    await p.flush();
  } finally {
    await p.close();
  }
}

/** Reads a topic from the beginning until `count` records arrived. */
async function consumeAll(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `test-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      if (count === 0) resolve();
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= count) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/** Waits until the detector's committed offsets reach `want` (partition -> next offset). */
async function waitForOffsets(redis: Redis, ns: string, want: Record<string, string>): Promise<void> {
  const key = detectorKeys(ns).offsets;
  for (;;) {
    const got = await redis.hgetall(key);
    if (Object.entries(want).every(([p, o]) => BigInt(got[p] ?? '0') >= BigInt(o))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function readHistory(redis: Redis, ns: string): Promise<Alert[]> {
  const entries = await redis.xrange(detectorKeys(ns).shared.alertHistory, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1]!) as Alert);
}

function dataset() {
  const ticks = generateTicks();
  const lastIwm = [...ticks].reverse().find((t) => t.symbol === 'IWM')!;
  const extras: Produced[] = [
    { key: 'IWM', value: tickJson(lastIwm) }, // exact duplicate: accepted, changes nothing
    { key: 'IWM', value: tickJson({ ...lastIwm, price: 1, ts: lastIwm.ts - 3_600_000 }) }, // an hour late
    { key: 'IWM', value: '{"v":1,"symbol":"IWM",' }, // malformed JSON
    { key: 'IWM', value: JSON.stringify({ v: 1, symbol: 'IWM', price: -5, ts: lastIwm.ts, source: 'replay' }) },
    { key: 'IWM', value: JSON.stringify({ v: 1, symbol: 'ZZZZ', price: 5, ts: lastIwm.ts, source: 'replay' }) },
  ];
  return { ticks, records: [...ticks.map((t) => ({ key: t.symbol, value: tickJson(t) })), ...extras] };
}

describe('detector replay through Kafka and Redis', () => {
  test('four days of ticks: spreads, rankings, RRG, alerts with ids, dead letters', { timeout: 180_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const { ticks, records } = dataset();
    const ref = await referenceRun(records, env.KAFKA_TICKS_PARTITIONS, topics.ticks);
    await produce(kafka, logger, topics.ticks, records);
    const det = await startDetector({ config: replayConfig(env), logger, httpPort: 0 });
    try {
      await waitForOffsets(redis, ns, ref.endOffsets);
      const stored = JSON.parse((await redis.get(`${ns}:snapshot`))!) as SnapshotRecord;
      const snap = stored.snapshot;

      // The service computes exactly what the pure core computes on the same partitions.
      expect(snap).toEqual(ref.snapshot.snapshot);

      // ... and those numbers follow from the raw prices (computed here from the tick list).
      const asOf = Date.parse(snap.asOf!);
      // The last step below every partition's watermark (newest tick - 5 min lateness).
      expect(asOf).toBeGreaterThan(ticks[ticks.length - 1]!.ts - 15 * 60_000);
      expect(asOf % (5 * 60_000)).toBe(0);
      const r1d = (sym: string) => (priceAt(ticks, sym, asOf) / priceAt(ticks, sym, asOf - DAY) - 1) * 100;
      const spread = snap.spreads.find((s) => s.pair === 'IWM/SPY' && s.window === '1d')!;
      expect(spread.smallReturnPct).toBeCloseTo(r1d('IWM'), 5);
      expect(spread.largeReturnPct).toBeCloseTo(r1d('SPY'), 5);
      expect(spread.spreadPp).toBeCloseTo(r1d('IWM') - r1d('SPY'), 5);
      expect(spread.ratio).toBeCloseTo(
        (100 * (priceAt(ticks, 'IWM', asOf) / priceAt(ticks, 'IWM', ticks[0]!.ts + 5 * 60_000))) /
          (priceAt(ticks, 'SPY', asOf) / priceAt(ticks, 'SPY', ticks[0]!.ts + 5 * 60_000)),
        5,
      );
      const day = snap.sectors.find((s) => s.window === '1d')!;
      const expectedOrder = ['XLE', 'XLK', 'XLU'].sort((a, b) => r1d(b) - r1d(a));
      expect(day.ranking.map((r) => r.symbol)).toEqual(expectedOrder);
      expect(day.ranking[0]!.relativePct).toBeCloseTo(r1d(expectedOrder[0]!) - r1d('SPY'), 5);
      expect(day.leader).toBe('XLK'); // technology leads the second half
      for (const p of snap.rrg) {
        expect(p.warm).toBe(true);
        expect(p.quadrant).not.toBeNull();
        expect(p.tail).toHaveLength(3);
      }

      // Alerts: the same ids, seqs and messages as the reference, in the history stream and on Kafka.
      const history = await readHistory(redis, ns);
      expect(history).toEqual(ref.history);
      expect(history.map((a) => a.seq)).toEqual(history.map((_, i) => i + 1));
      const smallLead = history.find((a) => a.kind === 'size_regime_change' && a.metrics.to === 'small')!;
      expect(smallLead.message).toMatch(/^Small caps lead: IWM \+\d+\.\d\d% vs SPY [+-]\d+\.\d\d% over 1d \(spread \+\d+\.\d\d pp\)$/);
      expect(history.some((a) => a.kind === 'leadership_change' && a.subject === 'XLK' && a.window === '1d')).toBe(true);
      expect(history.some((a) => a.kind === 'rrg_quadrant_change')).toBe(true);
      expect(await redis.get(`${ns}:alerts:seq`)).toBe(String(history.length));
      const onKafka = (await consumeAll(kafka, topics.alerts, history.length)).map((v) => JSON.parse(v) as Alert);
      expect(onKafka.map((a) => [a.seq, a.id])).toEqual(history.map((a) => [a.seq, a.id]));
      await waitFor(async () => (await redis.get(`${ns}:alerts:published`)) === String(history.length));

      // Late, malformed, invalid and unknown ticks are dead letters with their origin.
      const dlq = (await consumeAll(kafka, topics.ticksDlq, 4)).map((v) => JSON.parse(v) as DeadLetter);
      expect(dlq.map((d) => d.reason).sort()).toEqual(['invalid_tick', 'late', 'parse_error', 'unknown_symbol']);
      for (const d of dlq) expect(d).toMatchObject({ source: 'detector', origin: { topic: topics.ticks, partition: ref.laneOf('IWM') } });

      // /healthz and /metrics answer.
      const health = await fetch(`http://127.0.0.1:${det.httpPort}/healthz`);
      expect(health.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${det.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/detector_records_total\{outcome="dead_letter"\} 4/);
    } finally {
      await det.stop();
    }
    expect(DAYS).toBeGreaterThanOrEqual(4);
  });

  test('a restart mid-stream ends in the same state and alerts as an uninterrupted run', { timeout: 180_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const { records } = dataset();
    const ref = await referenceRun(records, env.KAFKA_TICKS_PARTITIONS, topics.ticks);
    const half = Math.floor(records.length / 2);
    await produce(kafka, logger, topics.ticks, records.slice(0, half));
    let det: DetectorHandle = await startDetector({ config: replayConfig(env), logger, httpPort: null });
    try {
      const firstHalf = await referenceRun(records.slice(0, half), env.KAFKA_TICKS_PARTITIONS, topics.ticks);
      await waitForOffsets(redis, ns, firstHalf.endOffsets);
      await det.stop();
      det = await startDetector({ config: replayConfig(env), logger, httpPort: null });
      await produce(kafka, logger, topics.ticks, records.slice(half));
      await waitForOffsets(redis, ns, ref.endOffsets);
      const stored = JSON.parse((await redis.get(`${ns}:snapshot`))!) as SnapshotRecord;
      expect(stored.snapshot).toEqual(ref.snapshot.snapshot);
      expect(await readHistory(redis, ns)).toEqual(ref.history);
    } finally {
      await det.stop();
    }
  });

  test('commits that fail (the commit connection is killed again and again) are retried without loss or double counting', { timeout: 180_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const { records } = dataset();
    const ref = await referenceRun(records, env.KAFKA_TICKS_PARTITIONS, topics.ticks);
    // Small batches, so there are many commits for the kills to land on.
    const det = await startDetector({ config: replayConfig({ ...env, DETECTOR_FETCH_MAX_BYTES: 4096 }), logger, httpPort: 0 });
    let killing = true;
    let kills = 0;
    // Forces the failure path on this test's own connection only (the Redis server is shared).
    const killer = (async () => {
      while (killing && kills < 20) {
        const list = (await redis.client('LIST')) as string;
        for (const line of list.split('\n')) {
          if (!line.includes(`name=${ns}-detector-commit`)) continue;
          const id = /id=(\d+)/.exec(line)?.[1];
          if (id) kills += Number(await redis.client('KILL', 'ID', id));
        }
        // Spaced so the connection comes back in between: a short blip, not a permanent outage.
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    try {
      await det.joined;
      // Fed in slices over a couple of seconds: the detector is fast enough to absorb the whole
      // set between two kills, which would leave the failure path untested.
      const slices = 12;
      for (let i = 0; i < slices; i++) {
        await produce(kafka, logger, topics.ticks, records.slice(Math.floor((i * records.length) / slices), Math.floor(((i + 1) * records.length) / slices)));
        await new Promise((r) => setTimeout(r, 200));
      }
      await waitForOffsets(redis, ns, ref.endOffsets);
      killing = false;
      await killer;
      const stored = JSON.parse((await redis.get(`${ns}:snapshot`))!) as SnapshotRecord;
      expect(stored.snapshot).toEqual(ref.snapshot.snapshot);
      expect(await readHistory(redis, ns)).toEqual(ref.history);
      expect(kills).toBeGreaterThan(0);
      const metrics = await (await fetch(`http://127.0.0.1:${det.httpPort}/metrics`)).text();
      expect(Number(/detector_commit_failures_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    } finally {
      killing = false;
      await killer;
      await det.stop();
    }
  });

  test('two instances in one group: one is active, the other takes over, the result equals one instance', { timeout: 240_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const { records } = dataset();
    const ref = await referenceRun(records, env.KAFKA_TICKS_PARTITIONS, topics.ticks);
    const a = await startDetector({ config: replayConfig(env), logger, httpPort: null, instanceId: 'a' });
    const b = await startDetector({ config: replayConfig(env), logger, httpPort: null, instanceId: 'b' });
    const stopped = new Set<DetectorHandle>();
    try {
      await Promise.all([a.joined, b.joined]);
      const third = Math.floor(records.length / 3);
      await produce(kafka, logger, topics.ticks, records.slice(0, third));
      const part = await referenceRun(records.slice(0, third), env.KAFKA_TICKS_PARTITIONS, topics.ticks);
      await waitForOffsets(redis, ns, part.endOffsets);
      await waitFor(async () => a.active !== b.active);
      const [active, standby] = a.active ? [a, b] : [b, a];
      await active.stop();
      stopped.add(active);
      await produce(kafka, logger, topics.ticks, records.slice(third));
      await waitForOffsets(redis, ns, ref.endOffsets);
      expect(standby.active).toBe(true);
      const stored = JSON.parse((await redis.get(`${ns}:snapshot`))!) as SnapshotRecord;
      expect(stored.snapshot).toEqual(ref.snapshot.snapshot);
      const history = await readHistory(redis, ns);
      expect(history).toEqual(ref.history);
      const onKafka = (await consumeAll(kafka, topics.alerts, history.length)).map((v) => JSON.parse(v) as Alert);
      expect(new Set(onKafka.map((x) => x.seq))).toEqual(new Set(history.map((x) => x.seq)));
    } finally {
      for (const d of [a, b]) if (!stopped.has(d)) await d.stop();
    }
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 200));
}
