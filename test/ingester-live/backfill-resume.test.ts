/**
 * Restarts of a live start with history: stopped mid-backfill, the next start publishes the rest
 * and nothing twice, asking the provider only for what the topic lacks; after an outage the gap
 * since the topic's end is fetched as minute bars before the stream resumes, and the detector
 * takes all of it (no late dead letter) and stays warm.
 */
import { loadConfig } from '@rotation/config';
import { topicNames, type Tick } from '@rotation/schemas';
import { alpacaTrade } from '../fakes/alpaca.js';
import { syntheticMarket } from '../fakes/history-market.js';
import { readTopic } from '../ingester/support.js';
import { coldPanels } from '../support/panels.js';
import { describe, expect, test } from '../support/fixtures.js';
import { clockFrom, dropNamespace, fakeAlpaca, kafkaFor, liveConfig, snapshotUntil, startLive, withDetector } from './backfill-support.js';
import type { Kafka } from '@rotation/kafka';

const SYMBOLS = loadConfig({}).universe.symbols;

const identity = (t: Tick) => `${t.symbol}|${t.ts}|${t.price}|${t.size ?? ''}`;

async function ticksOn(kafka: Kafka, topic: string): Promise<Tick[]> {
  return (await readTopic(kafka, topic)).filter((r) => r.key !== 'watermark' && (r.value as { type?: string }).type === undefined).map((r) => r.value as Tick);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('live start with history: restarts', () => {
  test('stopped mid-backfill, the next start publishes the rest, nothing twice, and asks only for what the topic lacks', { timeout: 240_000 }, async ({ ns, logger, redis }) => {
    const at = Date.parse('2024-11-23T15:00:00.000Z');
    const kafka = kafkaFor(ns, logger);
    const market = syntheticMarket({ symbols: SYMBOLS, from: '2024-05-01', now: at, seed: 11, minuteFrom: '2024-11-21' });
    const fake = await fakeAlpaca({ market, now: () => at, pageSize: 5_000 });
    const topic = topicNames(ns).ticks;
    try {
      const config = liveConfig(ns, fake);
      const first = startLive(config, kafka, logger, clockFrom(at), { stopAfterQuotes: 4_000 });
      const stopped = await first.done;
      const partial = await ticksOn(kafka, topic);
      const servedFirst = fake.history.served.length;
      const barsFirst = fake.history.served.reduce((n, s) => n + s.bars, 0);

      const second = startLive(config, kafka, logger, clockFrom(at + 30_000));
      await until('the second start streaming', async () => (second.source.summary().backfill as { published?: number } | undefined)?.published !== undefined, 90_000);
      await second.pipeline.stop();
      const resumed = await second.done;
      const all = await ticksOn(kafka, topic);
      const served = fake.history.served.slice(servedFirst);

      expect(stopped.stopped).toBe(true);
      expect(partial.length).toBeGreaterThan(0);
      expect(new Set(all.map(identity)).size).toBe(all.length);
      // Together the two starts published exactly what one uninterrupted start publishes.
      const planned = (first.source.summary().backfill as { bars: number }).bars;
      expect(all.length).toBe(planned);
      expect(resumed.published).toBe(planned - partial.length);
      // The second start asked for less than the first: only the span after the topic's end.
      expect(served.reduce((n, s) => n + s.bars, 0)).toBeLessThan(barsFirst);
      expect(served.every((s) => s.first === undefined || s.first > Math.min(...partial.map((t) => t.ts)) - 86_400_000)).toBe(true);
    } finally {
      await fake.close();
      await dropNamespace(kafka, redis, ns);
    }
  });

  test('after an outage the gap since the topic ends is backfilled as minute bars before the stream resumes; the detector takes it all and stays warm', { timeout: 240_000 }, async ({ ns, logger, redis }) => {
    const t1 = Date.parse('2024-11-26T15:09:59.500Z');
    const t2 = Date.parse('2024-11-26T17:00:59.500Z');
    const kafka = kafkaFor(ns, logger);
    const market = syntheticMarket({ symbols: SYMBOLS, from: '2024-05-01', now: t2 + 10 * 60_000, seed: 12, minuteFrom: '2024-11-22' });
    let clock = clockFrom(t1);
    const trade = alpacaTrade('IWM', 201.4, 100, '2024-11-26T15:10:10.000Z', 7001);
    const fake = await fakeAlpaca({ market, now: () => clock(), scripts: [{ frames: [[trade]] }, {}] });
    const topic = topicNames(ns).ticks;
    try {
      const config = liveConfig(ns, fake);
      await withDetector(config, logger, async () => {
        const first = startLive(config, kafka, logger, clock);
        // Streamed records count once the hand-over passes them on: the trade, behind the history.
        await until('the streamed trade', async () => first.source.progress().done >= 1, 90_000);
        await first.pipeline.stop();
        await first.done;
        const before = fake.history.served.length;
        // Two hours later, by the market's clock.
        clock = clockFrom(t2);
        const second = startLive(config, kafka, logger, clock);
        const snap = await snapshotUntil(redis, ns, (s) => s?.asOf != null && s.asOf >= '2024-11-26T16:59:00.000Z', 120_000);
        await second.pipeline.stop();
        const resumed = await second.done;
        const ticks = await ticksOn(kafka, topic);
        expect(new Set(ticks.map(identity)).size).toBe(ticks.length);
        // Every minute of the gap, for every symbol: 10:11 (the minute of the last streamed trade) to 12:01 New York.
        for (const s of ['IWM', 'SPY', 'XLK']) {
          const gap = ticks.filter((t) => t.symbol === s && t.id === undefined && t.ts > Date.parse('2024-11-26T15:10:10Z') && t.ts <= Date.parse('2024-11-26T17:01:00Z'));
          expect(gap.map((t) => t.ts)).toEqual(Array.from({ length: 111 }, (_, i) => Date.parse('2024-11-26T15:11:00Z') + i * 60_000));
        }
        // Only minute bars were asked for: the daily history was on the topic.
        expect(fake.history.served.slice(before).every((r) => r.query.timeframe === '1Min')).toBe(true);
        expect(resumed.deadLettered).toBe(0);
        expect(coldPanels(snap, 11)).toEqual([]);
        expect(await readTopic(kafka, topicNames(ns).ticksDlq)).toEqual([]);
      });
    } finally {
      await fake.close();
      await dropNamespace(kafka, redis, ns);
    }
  });

  test('a dropped connection: the minutes it missed are backfilled before the new connection\'s trades, in event-time order, nothing late', { timeout: 240_000 }, async ({ ns, logger, redis }) => {
    const t1 = Date.parse('2024-11-26T15:09:59.500Z');
    const kafka = kafkaFor(ns, logger);
    const market = syntheticMarket({ symbols: SYMBOLS, from: '2024-05-01', now: t1 + 30 * 60_000, seed: 13, minuteFrom: '2024-11-22' });
    const clock = clockFrom(t1);
    const before = alpacaTrade('IWM', 201.4, 100, '2024-11-26T15:10:10.000Z', 8001);
    const after = alpacaTrade('IWM', 203.9, 100, '2024-11-26T15:20:05.000Z', 8002);
    // The first connection drops after one trade; the second comes back ten market minutes later.
    const fake = await fakeAlpaca({ market, now: () => clock(), scripts: [{ frames: [[before]] }, { frames: [[after]] }] });
    const topic = topicNames(ns).ticks;
    try {
      const config = liveConfig(ns, fake, { INGESTER_WATERMARK_MS: '200' });
      await withDetector(config, logger, async () => {
        const run = startLive(config, kafka, logger, clock);
        await until('the first trade', async () => run.source.progress().done >= 1, 90_000);
        // The network drops; the reconnect's subscription reads 10:19:59.5 New York: the gap is 10:10:10 to 10:20.
        clock.jump(Date.parse('2024-11-26T15:19:59.500Z'));
        fake.stream.connections[0]!.drop();
        await until('the second connection\'s trade', async () => run.source.progress().done >= 2, 120_000);
        await run.pipeline.stop();
        const summary = await run.done;
        const records = await readTopic(kafka, topic);
        const iwm = records.filter((r) => r.key === 'IWM').map((r) => r.value as Tick);
        const gap = iwm.filter((t) => t.id === undefined && t.ts > Date.parse('2024-11-26T15:10:10Z'));
        expect(gap.map((t) => t.ts)).toEqual(Array.from({ length: 10 }, (_, i) => Date.parse('2024-11-26T15:11:00Z') + i * 60_000));
        expect(fake.stream.connections).toHaveLength(2);
        // On IWM's partition: the first trade, the gap's bars, then the second trade.
        const order = iwm.filter((t) => t.ts > Date.parse('2024-11-26T15:10:00Z')).map((t) => t.id ?? 'bar');
        expect(order[0]).toContain('8001');
        expect(order.at(-1)).toContain('8002');
        expect(order.slice(1, -1).every((x) => x === 'bar')).toBe(true);
        expect(summary.input).toMatchObject({ gapsFilled: 1 });
        expect(summary.deadLettered).toBe(0);
        const ticks = await ticksOn(kafka, topic);
        expect(new Set(ticks.map(identity)).size).toBe(ticks.length);
        expect(await readTopic(kafka, topicNames(ns).ticksDlq)).toEqual([]);
      });
    } finally {
      await fake.close();
      await dropNamespace(kafka, redis, ns);
    }
  });
});
