import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Session } from '@rotation/calendar';
import { BatchingProducer, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { startRedisServer, stopRedisServer } from '@rotation/infra';
import { connectRedis, createRedis, type Redis } from '@rotation/redis';
import { startDetector, detectorKeys, type DetectorHandle } from '@rotation/detector';
import { WATERMARK_KEY, type Alert, type DeadLetter, type SnapshotRecord } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import {
  MIN,
  SESSIONS,
  STEP,
  XNYS,
  endOfStreamJson,
  generateTicks,
  priceAt,
  referenceRun,
  replayConfig,
  replaySessions,
  replayUniverse,
  tickJson,
  type GenTick,
  type Produced,
} from './support.js';

const DAY = 86_400_000;

async function produce(kafka: Kafka, logger: Logger, topic: string, records: readonly Produced[]): Promise<void> {
  const p = new BatchingProducer(kafka, { logger });
  await p.connect();
  try {
    for (const r of records) if (!p.push({ topic, key: r.key, value: r.value, ...(r.partition !== undefined ? { partition: r.partition } : {}) })) await p.waitForRoom();
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

/** The last price at or before each session's close, per symbol: the session bars, by hand. */
function closesBy(ticks: readonly GenTick[], sessions: readonly Session[], symbol: string): number[] {
  return sessions.map((s) => priceAt(ticks, symbol, s.close));
}

/** The open RRG formulas of docs/analytics.md over session-close prices, one point per bar. */
function rrgByHand(prices: readonly number[], bench: readonly number[], p: { trend: number; smoothing: number; momentum: number }) {
  const ema = (prev: number | null, x: number, span: number) => (prev === null ? x : prev + (2 / (span + 1)) * (x - prev));
  let trend: number | null = null;
  let smooth: number | null = null;
  let ratioTrend: number | null = null;
  return prices.map((price, i) => {
    const rs = (100 * price) / bench[i]!;
    trend = ema(trend, rs, p.trend);
    smooth = ema(smooth, rs / trend, p.smoothing);
    const rsRatio = 100 * smooth;
    ratioTrend = ema(ratioTrend, rsRatio, p.momentum);
    return { rsRatio, rsMomentum: (100 * rsRatio) / ratioTrend };
  });
}

/** New York date `days` after a session's date (dates only, no time zone involved). */
function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The ticks with `extra` inserted where their event time falls in the tape. */
function inserted(ticks: readonly GenTick[], extra: readonly GenTick[]): GenTick[] {
  const out = [...ticks];
  for (const x of [...extra].sort((a, b) => b.ts - a.ts)) out.splice(out.findIndex((t) => t.ts > x.ts), 0, x);
  return out;
}

function dataset() {
  const ticks = generateTicks();
  const sessions = replaySessions();
  const thursday = sessions[3]!;
  const friday = sessions[4]!;
  // Valid prints outside the regular session, in the middle of the tape and at prices far from
  // it: a post-market print on Thursday and a Saturday print between the two weeks. Counted, never a close.
  const postMarket = { symbol: 'IWM', price: 2 * priceAt(ticks, 'IWM', thursday.close), ts: thursday.close + 30 * MIN };
  const saturday = { symbol: 'IWM', price: priceAt(ticks, 'IWM', friday.close) / 2, ts: Date.parse(`${plusDays(friday.date, 1)}T15:00:00Z`) };
  const lastIwm = [...ticks].reverse().find((t) => t.symbol === 'IWM')!;
  const extras: Produced[] = [
    { key: 'IWM', value: tickJson(lastIwm) }, // exact duplicate: accepted, changes nothing
    { key: 'IWM', value: tickJson({ ...lastIwm, price: 1, ts: lastIwm.ts - 3_600_000 }) }, // an hour late
    { key: 'IWM', value: '{"v":1,"symbol":"IWM",' }, // malformed JSON
    { key: 'IWM', value: JSON.stringify({ v: 1, symbol: 'IWM', price: -5, ts: lastIwm.ts, source: 'replay' }) },
    { key: 'IWM', value: JSON.stringify({ v: 1, symbol: 'ZZZZ', price: 5, ts: lastIwm.ts, source: 'replay' }) },
  ];
  const newest = Math.max(...ticks.map((t) => t.ts));
  const stream = (tape: readonly GenTick[], partitions: number): Produced[] => [
    ...tape.map((t) => ({ key: t.symbol, value: tickJson(t) })),
    ...extras,
    // As the ingester ends a finite replay: an end-of-stream watermark (its newest ts) on every partition.
    ...Array.from({ length: partitions }, (_, partition) => ({ key: WATERMARK_KEY, value: endOfStreamJson(newest), partition })),
  ];
  return {
    ticks,
    sessions,
    postMarket,
    saturday,
    records: (partitions: number) => stream(inserted(ticks, [postMarket, saturday]), partitions),
    /** The same stream without the two prints outside the session. */
    withoutOutside: (partitions: number) => stream(ticks, partitions),
  };
}

describe('detector replay through Kafka and Redis', () => {
  test('two weeks of sessions: spreads, rankings, RRG, alerts with ids, dead letters, prints outside the session', { timeout: 180_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const data = dataset();
    const { ticks, sessions } = data;
    const partitions = env.KAFKA_TICKS_PARTITIONS;
    const records = data.records(partitions);
    expect(XNYS.phaseAt(data.postMarket.ts)).toBe('post');
    expect(XNYS.phaseAt(data.saturday.ts)).toBe('closed');
    const ref = await referenceRun(records, partitions, topics.ticks);
    await produce(kafka, logger, topics.ticks, records);
    const det = await startDetector({ config: replayConfig(env), logger, httpPort: 0 });
    try {
      await waitForOffsets(redis, ns, ref.endOffsets);
      const stored = JSON.parse((await redis.get(`${ns}:snapshot`))!) as SnapshotRecord;
      const snap = stored.snapshot;

      // The service computes exactly what the pure core computes on the same partitions ...
      expect(snap).toEqual(ref.snapshot.snapshot);
      // ... and the post-market and Saturday prints moved nothing: the same stream without them
      // ends in the same snapshot and alerts.
      const without = await referenceRun(data.withoutOutside(partitions), partitions, topics.ticks);
      expect(without.snapshot.snapshot).toEqual(snap);
      expect(without.history).toEqual(ref.history);

      // The end-of-stream watermark lets the last step be evaluated: the data ends at the close
      // of the last session (SPY prints at exactly 16:00:00.000), so that is asOf.
      const last = sessions.at(-1)!;
      const prev = sessions.at(-2)!;
      expect(Math.max(...ticks.map((t) => t.ts))).toBe(last.close);
      expect(snap.asOf).toBe(new Date(last.close).toISOString());
      expect(snap.market).toMatchObject({ calendar: 'XNYS', session: last.date, atClose: true });
      expect(snap.market!.windows.map((w) => [w.window, w.kind])).toEqual([
        ['1h', 'intraday'],
        ['1d', 'sessions'],
        ['7d', 'calendar'],
      ]);

      // Those numbers follow from the raw prices (computed here from the tick list), in market time.
      const asOf = last.close;
      const settings = replayUniverse().detector;
      // 7d: the last close at or before the same New York time 7 calendar days earlier. The week
      // crossed the change to EDT, so that close (16:00 EST) is 7 x 24 h minus one hour back.
      const weekAgo = XNYS.sessionOn(plusDays(last.date, -7))!;
      expect(asOf - weekAgo.close).toBe(7 * DAY - 3_600_000);
      // 1h: twelve in-session steps back, still inside the last session; 1d: the previous close.
      const reference: Record<string, number> = { '1h': asOf - 3_600_000, '1d': prev.close, '7d': weekAgo.close };
      const r = (sym: string, w: string) => (priceAt(ticks, sym, asOf) / priceAt(ticks, sym, reference[w]!) - 1) * 100;
      const basket = (w: string) => (r('NVDA', w) + r('MSFT', w)) / 2;
      for (const w of Object.keys(reference)) {
        for (const sym of ['SPY', 'RSP', 'IWM', 'XLE', 'XLK', 'XLU', 'NVDA', 'MSFT']) expect(snap.returns[sym]![w]).toBeCloseTo(r(sym, w), 5);
        expect(snap.returns['AI']![w]).toBeCloseTo(basket(w), 5);
      }
      // 7 x 24 h back is 15:00 EST, an hour before that close: NVDA drifted up in that hour, so
      // subtracting 24 h multiples would have reached another price.
      expect((priceAt(ticks, 'NVDA', asOf) / priceAt(ticks, 'NVDA', asOf - 7 * DAY) - 1) * 100).not.toBeCloseTo(r('NVDA', '7d'), 3);

      const spread = snap.spreads.find((s) => s.pair === 'IWM/SPY' && s.window === '1d')!;
      expect(spread.smallReturnPct).toBeCloseTo(r('IWM', '1d'), 5);
      expect(spread.largeReturnPct).toBeCloseTo(r('SPY', '1d'), 5);
      expect(spread.spreadPp).toBeCloseTo(r('IWM', '1d') - r('SPY', '1d'), 5);
      // Rebased at the first step at which every member has a price: 5 minutes after the first open.
      const base = sessions[0]!.open + STEP;
      const growth = (sym: string) => priceAt(ticks, sym, asOf) / priceAt(ticks, sym, base);
      expect(spread.ratio).toBeCloseTo((100 * growth('IWM')) / growth('SPY'), 5);
      // z on session-close spreads: the last lookbackBars closes, this one included; sample sd.
      const closes = (sym: string) => closesBy(ticks, sessions, sym);
      const daily = (sym: string) => closes(sym).map((c, i, all) => (i === 0 ? NaN : (c / all[i - 1]! - 1) * 100));
      const iwm = daily('IWM');
      const spreads1d = daily('SPY').map((spy, i) => iwm[i]! - spy);
      const lookback = spreads1d.slice(-settings.spreadZScore.lookbackBars);
      const mean = lookback.reduce((a, b) => a + b, 0) / lookback.length;
      const sd = Math.sqrt(lookback.reduce((a, b) => a + (b - mean) ** 2, 0) / (lookback.length - 1));
      expect(spread.zScore).toBeCloseTo((spreads1d.at(-1)! - mean) / sd, 5);
      expect(snap.spreads.find((s) => s.pair === 'IWM/SPY' && s.window === '1h')!.zScore).toBeNull(); // intraday: no z

      for (const w of ['1h', '1d', '7d']) {
        const row = snap.sectors.find((s) => s.window === w)!;
        const expectedOrder = ['XLE', 'XLK', 'XLU'].sort((a, b) => r(b, w) - r(a, w));
        expect(row.ranking.map((x) => x.symbol)).toEqual(expectedOrder);
        row.ranking.forEach((x) => expect(x.relativePct).toBeCloseTo(r(x.symbol, w) - r('SPY', w), 5));
      }
      const day = snap.sectors.find((s) => s.window === '1d')!;
      expect(day.leader).toBe('XLK'); // technology leads the second week
      // Breadth: the sectors' change over the session, unchanged ones left out.
      const changes = ['XLE', 'XLK', 'XLU'].map((s) => r(s, '1d'));
      const up = changes.filter((c) => c > 0).length;
      const down = changes.filter((c) => c < 0).length;
      expect(snap.breadth.advancingPct).toBeCloseTo((100 * up) / (up + down), 5);
      expect(snap.breadth.sectorsBeatingBenchmarkPct).toBeCloseTo((100 * changes.filter((c) => c > r('SPY', '1d')).length) / changes.length, 5);

      // RRG on session bars: warm after trend + smoothing bars, the tail holds the last warm points.
      const rrg = settings.rrg;
      const tailLength = Math.min(rrg.tailLength, SESSIONS - (rrg.trend + rrg.smoothing) + 1);
      for (const p of snap.rrg) {
        const hand = rrgByHand(closes(p.symbol), closes('SPY'), rrg);
        expect(p.warm).toBe(true);
        expect(p.quadrant).not.toBeNull();
        expect(p.rsRatio).toBeCloseTo(hand.at(-1)!.rsRatio, 5);
        expect(p.rsMomentum).toBeCloseTo(hand.at(-1)!.rsMomentum, 5);
        expect(p.tail.map((x) => x.t)).toEqual(sessions.slice(-tailLength).map((s) => new Date(s.close).toISOString()));
        p.tail.forEach((x, i) => expect(x.rsRatio).toBeCloseTo(hand[SESSIONS - tailLength + i]!.rsRatio, 5));
      }

      // Alerts: the same ids, seqs and messages as the reference, in the history stream and on Kafka.
      const history = await readHistory(redis, ns);
      expect(history).toEqual(ref.history);
      expect(history.map((a) => a.seq)).toEqual(history.map((_, i) => i + 1));
      // Every alert is decided inside a regular session; bar-based ones and windows of a session
      // or more at a session's close.
      const sessionIndex = (t: number) => sessions.findIndex((s) => s.close === t);
      for (const a of history) {
        const t = Date.parse(a.eventTime);
        expect(XNYS.phaseAt(t)).toBe('regular');
        if (a.window !== '1h') expect(sessionIndex(t)).toBeGreaterThanOrEqual(0);
      }
      // The size regime needs dwellBars closes in a row at or above enterPp: it changes at the
      // last of them, with that close's 1d spread.
      const { enterPp, dwellBars } = settings.sizeRegime;
      const smallLead = history.find((a) => a.kind === 'size_regime_change' && a.metrics.to === 'small')!;
      expect(smallLead.message).toMatch(/^Small caps lead: IWM \+\d+\.\d\d% vs SPY [+-]\d+\.\d\d% over 1d \(spread \+\d+\.\d\d pp\)$/);
      const firstOver = spreads1d.findIndex((s) => s >= enterPp);
      const decided = firstOver + dwellBars - 1;
      expect(dwellBars).toBeGreaterThan(1); // or the dwell is not exercised
      expect(spreads1d.slice(firstOver, decided + 1).every((s) => s >= enterPp)).toBe(true);
      expect(sessionIndex(Date.parse(smallLead.eventTime))).toBe(decided);
      expect(smallLead.metrics.spreadPp).toBeCloseTo(spreads1d[decided]!, 3);
      // Technology takes the 1d lead at a close where its change beats energy's by the margin.
      const xlkLead = history.find((a) => a.kind === 'leadership_change' && a.subject === 'XLK' && a.window === '1d' && a.metrics.role === 'leader')!;
      const at = sessionIndex(Date.parse(xlkLead.eventTime));
      expect(xlkLead.metrics.from).toBe('XLE');
      expect(xlkLead.metrics.returnPct).toBeCloseTo(daily('XLK')[at]!, 3);
      expect(xlkLead.metrics.previousReturnPct).toBeCloseTo(daily('XLE')[at]!, 3);
      expect(daily('XLK')[at]! - daily('XLE')[at]!).toBeGreaterThanOrEqual(settings.leadership.marginPp);
      expect(history.some((a) => a.kind === 'rrg_quadrant_change')).toBe(true);
      expect(await redis.get(`${ns}:alerts:seq`)).toBe(String(history.length));
      const onKafka = (await consumeAll(kafka, topics.alerts, history.length)).map((v) => JSON.parse(v) as Alert);
      expect(onKafka.map((a) => [a.seq, a.id])).toEqual(history.map((a) => [a.seq, a.id]));
      await waitFor(async () => (await redis.get(`${ns}:alerts:published`)) === String(history.length));

      // Late, malformed, invalid and unknown ticks are dead letters with their origin.
      const dlq = (await consumeAll(kafka, topics.ticksDlq, 4)).map((v) => JSON.parse(v) as DeadLetter);
      expect(dlq.map((d) => d.reason).sort()).toEqual(['invalid_tick', 'late', 'parse_error', 'unknown_symbol']);
      for (const d of dlq) expect(d).toMatchObject({ source: 'detector', origin: { topic: topics.ticks, partition: ref.laneOf('IWM') } });
      // Every tick and the duplicate applied; the two prints outside the session counted apart.
      const state = JSON.parse((await redis.get(detectorKeys(ns).state))!) as { counters: Record<string, number>; pending: object };
      expect(state.counters).toEqual(ref.counters);
      expect(state.pending).toEqual({}); // the end of stream evaluated every step that had a price
      expect(state.counters).toMatchObject({ accepted: ticks.length + 1, late: 1, rejected: 3, extendedHours: 1, marketClosed: 1 });

      // /healthz, /readyz and /metrics answer.
      const health = await fetch(`http://127.0.0.1:${det.httpPort}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${det.httpPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ live: true, ready: true, active: true, redis: 'ready' });
      const metrics = await (await fetch(`http://127.0.0.1:${det.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/^detector_event_to_commit_seconds_count [1-9]\d*$/m);
      expect(metrics).toMatch(/detector_records_total\{outcome="dead_letter"\} 4\n/);
      expect(metrics).toMatch(/detector_records_total\{outcome="extended_hours"\} 1\n/);
      expect(metrics).toMatch(/detector_records_total\{outcome="market_closed"\} 1\n/);
    } finally {
      await det.stop();
    }
  });

  test('a restart mid-stream ends in the same state and alerts as an uninterrupted run', { timeout: 180_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const records = dataset().records(env.KAFKA_TICKS_PARTITIONS);
    const ref = await referenceRun(records, env.KAFKA_TICKS_PARTITIONS, topics.ticks);
    const half = Math.floor(records.length / 2);
    await produce(kafka, logger, topics.ticks, records.slice(0, half));
    let det: DetectorHandle = await startDetector({ config: replayConfig(env), logger, httpPort: null });
    try {
      const firstHalf = await referenceRun(records.slice(0, half), env.KAFKA_TICKS_PARTITIONS, topics.ticks);
      await waitForOffsets(redis, ns, firstHalf.endOffsets);
      // Mid-stream there is no end of stream yet: the steps of the last allowedLateness (5 min)
      // are not final, so the snapshot stays behind the newest tick, at an in-session step.
      const mid = (JSON.parse((await redis.get(`${ns}:snapshot`))!) as SnapshotRecord).snapshot;
      expect(mid).toEqual(firstHalf.snapshot.snapshot);
      const newest = Math.max(...records.slice(0, half).map((r) => (JSON.parse(r.value) as { ts: number }).ts).filter((ts) => XNYS.phaseAt(ts) === 'regular'));
      expect(Date.parse(mid.asOf!)).toBeLessThanOrEqual(newest - 5 * MIN);
      expect(XNYS.phaseAt(Date.parse(mid.asOf!))).toBe('regular');
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

  test('commits that fail (the commit connection is killed again and again, and Redis freezes past its timeout) are retried without loss or double counting', { timeout: 240_000 }, async ({ env, ns, kafka, withTopics, logger, topics }) => {
    await withTopics();
    const records = dataset().records(env.KAFKA_TICKS_PARTITIONS);
    const ref = await referenceRun(records, env.KAFKA_TICKS_PARTITIONS, topics.ticks);
    // A Redis of this test's own: it is frozen (SIGSTOP) below, which the shared one must never be.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'replay-commit-redis-'));
    const own = await startRedisServer({ dataDir, persist: false });
    const redis = createRedis({ url: own.url, logger, connectionName: `${ns}-test` });
    await connectRedis(redis, own.url);
    // Small batches, so there are many commits for the kills to land on.
    const det = await startDetector({ config: replayConfig({ ...env, REDIS_URL: own.url, DETECTOR_FETCH_MAX_BYTES: 4096 }), logger, httpPort: 0 });
    let killing = true;
    let kills = 0;
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
      // set between two kills. The kills land where they land; the freeze makes one failure
      // certain: a slice arrives while Redis answers nothing, so its commit waits out the commit
      // connection's 5 s command timeout and fails (and its EXEC, already sent, runs once Redis
      // thaws: the retry must see that it landed).
      const slices = 12;
      for (let i = 0; i < slices; i++) {
        if (i === slices / 2) process.kill(own.pid, 'SIGSTOP');
        await produce(kafka, logger, topics.ticks, records.slice(Math.floor((i * records.length) / slices), Math.floor(((i + 1) * records.length) / slices)));
        if (i === slices / 2) {
          await new Promise((r) => setTimeout(r, 7_000));
          process.kill(own.pid, 'SIGCONT');
        }
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
      try {
        process.kill(own.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await killer;
      await det.stop();
      redis.disconnect();
      await stopRedisServer(own.pid);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('two instances in one group: one is active, the other takes over, the result equals one instance', { timeout: 240_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const records = dataset().records(env.KAFKA_TICKS_PARTITIONS);
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
