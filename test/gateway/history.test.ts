/**
 * GET /api/v1/history against a real detector and gateway: two weeks of sessions replayed
 * through Kafka, the detector recording points with its snapshots in Redis, the gateway
 * serving them. The points are checked against a run of the pure core that keeps every
 * snapshot it makes, at the same event times.
 */
import { parseEnv } from '@rotation/config';
import { startGateway, type RunningGateway } from '@rotation/gateway';
import { BatchingProducer, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import {
  Detector,
  HISTORY_POINTS,
  MemoryStateStore,
  compileSettings,
  detectorKeys,
  historyTracks,
  lanesForSymbols,
  processBatch,
  startDetector,
  type InputRecord,
} from '@rotation/detector';
import { HistoryPage, WATERMARK_KEY, type Snapshot } from '@rotation/schemas';
import { inject } from 'vitest';
import { describe, expect, test } from '../support/fixtures.js';
import { endOfStreamJson, generateTicks, replayConfig, replayUniverse, tickJson, type Produced } from '../detector/support.js';

const TOKEN = 'history-token-0123456789abcdef';
const auth = { headers: { authorization: `Bearer ${TOKEN}` } };

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

async function waitForOffsets(redis: Redis, ns: string, want: Record<string, string>): Promise<void> {
  for (;;) {
    const got = await redis.hgetall(detectorKeys(ns).offsets);
    if (Object.entries(want).every(([p, o]) => BigInt(got[p] ?? '0') >= BigInt(o))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The pure core over the same partitions, one record per batch, so (almost) every step ends a
 * batch and leaves its snapshot: event time -> snapshot. A step's values do not depend on how
 * the records were batched, so the service's snapshot at any event time is this one.
 */
function everySnapshot(records: readonly Produced[], partitions: number, topic: string) {
  const settings = compileSettings(replayUniverse());
  const laneOf = (key: string) => lanesForSymbols([key], partitions, topic)[0]!;
  const byLane = new Map<number, InputRecord[]>();
  for (const r of records) {
    const lane = r.partition ?? laneOf(r.key);
    const list = byLane.get(lane) ?? [];
    list.push({ lane, offset: String(list.length), value: r.value });
    byLane.set(lane, list);
  }
  const detector = new Detector({ settings, lanes: lanesForSymbols(settings.symbols, partitions, topic), topic, now: () => 0 });
  const offsets: Record<string, string> = {};
  const store = new MemoryStateStore(settings.ringLength);
  const out = new Map<string, Snapshot>();
  const lanes = [...byLane.values()];
  // In production order per lane, interleaved: the records are in event-time order within each.
  for (let i = 0; lanes.some((l) => i < l.length); i++) {
    for (const list of lanes) {
      if (i >= list.length) continue;
      const { request } = processBatch(detector, [list[i]!], offsets);
      if (request.snapshot?.asOf) out.set(request.snapshot.asOf, structuredClone(request.snapshot));
      void store.commit(request);
    }
  }
  const endOffsets = Object.fromEntries([...byLane].map(([lane, list]) => [String(lane), String(list.length)]));
  /** Event times of a track's points (those that hold `subject`), oldest first. */
  const times = (track: string, holds: (entry: Record<string, unknown>) => boolean = () => true) =>
    (store.points.get(track) ?? []).filter((w) => holds(w.entry as never)).map((w) => new Date(w.t).toISOString());
  return { byTime: out, endOffsets, times };
}

async function get(gw: RunningGateway, query: string, init = auth): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gw.url}/api/v1/history?${query}`, init);
  return { status: res.status, body: await res.json() };
}

async function page(gw: RunningGateway, query: string): Promise<HistoryPage> {
  const r = await get(gw, query);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return HistoryPage.parse(r.body);
}

/** Follows `next` from the first page to the last. */
async function allPages(gw: RunningGateway, query: string): Promise<{ points: HistoryPage['points']; pages: number }> {
  const points: HistoryPage['points'] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p: HistoryPage = await page(gw, `${query}${cursor ? `&cursor=${cursor}` : ''}`);
    points.push(...(p.points as never[]));
    cursor = p.next;
    pages += 1;
  } while (cursor !== null);
  return { points, pages };
}

describe('GET /api/v1/history', () => {
  test('points are the snapshots at their event times, bounded, spaced, paginated; bad queries are 400', { timeout: 240_000 }, async ({ env, ns, kafka, withTopics, redis, logger, topics }) => {
    await withTopics();
    const ticks = generateTicks();
    const partitions = env.KAFKA_TICKS_PARTITIONS;
    const newest = Math.max(...ticks.map((t) => t.ts));
    const records: Produced[] = [
      ...ticks.map((t) => ({ key: t.symbol, value: tickJson(t) })),
      ...Array.from({ length: partitions }, (_, partition) => ({ key: WATERMARK_KEY, value: endOfStreamJson(newest), partition })),
    ];
    const ref = everySnapshot(records, partitions, topics.ticks);
    await produce(kafka, logger, topics.ticks, records);
    const config = replayConfig(parseEnv({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: String(partitions), GATEWAY_AUTH_TOKENS: TOKEN }));
    const det = await startDetector({ config, logger, httpPort: 0 });
    const gw = await startGateway(config, { logger, port: 0, host: '127.0.0.1', tuning: { probeMs: 300 } });
    try {
      await waitForOffsets(redis, ns, ref.endOffsets);
      const tracks = new Map(historyTracks(compileSettings(replayUniverse())).map((t) => [t.id, t]));

      // Same authorisation as every /api route.
      expect((await get(gw, 'series=spread&pair=IWM/SPY&window=1d', {} as typeof auth)).status).toBe(401);

      const spread = (pair: string, window: string) => (s: Snapshot) => {
        const p = s.spreads.find((x) => x.pair === pair && x.window === window)!;
        return { spreadPp: p.spreadPp, smallReturnPct: p.smallReturnPct, largeReturnPct: p.largeReturnPct, ratio: p.ratio, zScore: p.zScore };
      };
      const checks: Array<{ query: string; track: string; values: (s: Snapshot) => Record<string, unknown>; holds?: (e: Record<string, unknown>) => boolean }> = [
        { query: 'series=spread&pair=IWM/SPY&window=1d', track: '1d', values: spread('IWM/SPY', '1d') },
        { query: 'series=spread&pair=AI/RSP&window=1h', track: '1h', values: spread('AI/RSP', '1h') },
        { query: 'series=return&symbol=IWM&window=7d', track: '7d', values: (s) => ({ returnPct: s.returns['IWM']!['7d'] }) },
        {
          query: 'series=rank&symbol=XLK&window=1d',
          track: '1d',
          // No ranking before the first session has a previous close.
          holds: (e) => (e['ranks'] as Record<string, unknown>)['XLK'] !== undefined,
          values: (s) => {
            const w = s.sectors.find((x) => x.window === '1d')!;
            const row = w.ranking.find((r) => r.symbol === 'XLK')!;
            return { rank: row.rank, returnPct: row.returnPct, relativePct: row.relativePct, leader: w.leader === 'XLK', laggard: w.laggard === 'XLK' };
          },
        },
        {
          query: 'series=rrg&symbol=XLE',
          track: 'rrg',
          values: (s) => {
            const p = s.rrg.find((x) => x.symbol === 'XLE')!;
            return { rsRatio: p.rsRatio, rsMomentum: p.rsMomentum, quadrant: p.quadrant };
          },
        },
      ];
      for (const c of checks) {
        const full = await page(gw, `${c.query}&limit=2000`);
        expect(full.next).toBeNull();
        const points = full.points as unknown as Array<{ t: string } & Record<string, unknown>>;
        const track = tracks.get(c.track)!;
        // Every step the track was due on, whatever the service's batches were: the same event
        // times as the reference run's, one record per batch.
        expect(points.map((p) => p.t), c.query).toEqual(ref.times(c.track, c.holds));
        expect(points.length).toBeGreaterThan(10);
        expect(points.length).toBeLessThanOrEqual(HISTORY_POINTS);
        let checked = 0;
        for (const [i, p] of points.entries()) {
          // Ordered by event time, a track's spacing apart.
          if (i > 0) expect(Date.parse(p.t) - Date.parse(points[i - 1]!.t)).toBeGreaterThanOrEqual(track.spacingMs);
          // A step the reference ended a batch on (most: one record rarely finalizes two steps)
          // has its snapshot there: the point holds exactly its values.
          const snap = ref.byTime.get(p.t);
          if (!snap) continue;
          expect(p, `${c.query} at ${p.t}`).toEqual({ t: p.t, ...c.values(snap) });
          checked += 1;
        }
        expect(checked, c.query).toBeGreaterThan(points.length / 2);
        expect(await redis.xlen(c.track === 'rrg' ? `${ns}:history:rrg` : `${ns}:history:window:${c.track}`)).toBe(ref.times(c.track).length);

        // Pages of 7 stored entries following `next` give the same points, in the same order.
        const paged = await allPages(gw, `${c.query}&limit=7`);
        expect(paged.points).toEqual(points);
        expect(paged.pages).toBe(Math.ceil(ref.times(c.track).length / 7));

        // from / to (ISO and ms) select an inclusive event-time range.
        const from = points[3]!.t;
        const to = Date.parse(points[9]!.t);
        const ranged = await page(gw, `${c.query}&from=${encodeURIComponent(from)}&to=${to}`);
        expect(ranged.points).toEqual(points.slice(3, 10));
      }
      // Ten sessions of 5-minute steps are 780 points at the 1h track's spacing (one step): it
      // keeps the newest HISTORY_POINTS, ending at the newest committed snapshot.
      const hourly = (await page(gw, 'series=spread&pair=IWM/SPY&window=1h&limit=2000')).points;
      expect(hourly).toHaveLength(HISTORY_POINTS);
      const last = JSON.parse((await redis.get(`${ns}:snapshot`))!) as { snapshot: Snapshot };
      expect(hourly.at(-1)).toMatchObject({ t: last.snapshot.asOf, spreadPp: last.snapshot.spreads.find((x) => x.pair === 'IWM/SPY' && x.window === '1h')!.spreadPp });

      for (const [query, message] of [
        ['series=spread&window=1d', 'pair: series=spread needs pair='],
        ['series=spread&pair=IWM/QQQ&window=1d', 'IWM/QQQ is not a configured pair'],
        ['series=spread&pair=IWM/SPY&window=5m', '5m is not a configured window (1h, 1d, 7d)'],
        ['series=rank&symbol=SPY&window=1d', 'SPY is not a sector'],
        ['series=rrg&symbol=XLE&window=1d', 'series=rrg has no window'],
        ['series=spread&pair=IWM/SPY&window=1d&limit=5000', 'limit'],
        ['series=spread&pair=IWM/SPY&window=1d&cursor=page2', 'cursor'],
        ['series=spread&pair=IWM/SPY&window=1d&from=soon', 'from'],
      ] as const) {
        const r = await get(gw, query);
        expect(r.status, query).toBe(400);
        expect((r.body as { error: string }).error).toContain(message);
      }
    } finally {
      await gw.stop();
      await det.stop();
    }
  });
});
