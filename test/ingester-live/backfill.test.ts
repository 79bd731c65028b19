/**
 * `ingest live --provider alpaca` with history: the fake provider serves its REST bars (paged,
 * with a 429, a 5xx and a slow page) and its stream; the real broker, Redis and detector take it
 * from there. Right after the backfill every panel has a value; a streamed trade inside the last
 * backfilled minute is not counted again; the state equals a replay of the same bars; a restart
 * after a stop mid-backfill, or after an outage, publishes only what the topic lacks.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getCalendar } from '@rotation/calendar';
import { historyNeed, loadConfig } from '@rotation/config';
import { topicNames, type Tick } from '@rotation/schemas';
import { ActionsFileSource, Pipeline, ReplaySource, planBackfill } from '@rotation/ingester';
import { alpacaTrade } from '../fakes/alpaca.js';
import { historyFaults } from '../fakes/history.js';
import { syntheticMarket, type Bar, type HistoryMarket } from '../fakes/history-market.js';
import { readTopic } from '../ingester/support.js';
import { coldPanels } from '../support/panels.js';
import { describe, expect, test } from '../support/fixtures.js';
import { alertsOf, clockFrom, dropNamespace, fakeAlpaca, kafkaFor, liveConfig, snapshotUntil, startLive, withDetector } from './backfill-support.js';

const XNYS = getCalendar('XNYS');
const SECTORS = 11;
const SYMBOLS = loadConfig({}).universe.symbols;

function marketAt(symbols: string[], now: number, minuteFrom: string, splits: HistoryMarket['splits'] = []): HistoryMarket {
  return syntheticMarket({ symbols, from: '2024-05-01', now: now + 10 * 60_000, seed: 7, minuteFrom, splits });
}

function ticksOf(records: Awaited<ReturnType<typeof readTopic>>): Array<Tick & { partition: number; offset: number }> {
  return records.filter((r) => r.key !== 'watermark' && (r.value as { type?: string }).type === undefined).map((r) => ({ ...(r.value as Tick), partition: r.partition, offset: r.offset }));
}

const identity = (t: Tick) => `${t.symbol}|${t.ts}|${t.price}|${t.size ?? ''}`;

describe('live start with history (alpaca)', () => {
  test('every panel has a value right after the backfill; a trade inside the last backfilled minute is not counted twice; 429, 5xx and a slow page are ridden out', { timeout: 240_000 }, async ({ ns, logger, redis }) => {
    // Tuesday 10:09:59.5 New York: the hand-over minute is 10:10, the minute before it is fetched once it has settled.
    const at = Date.parse('2024-11-26T15:09:59.500Z');
    const now = clockFrom(at);
    const kafka = kafkaFor(ns, logger);
    const inside = alpacaTrade('IWM', 201.11, 300, '2024-11-26T15:09:30.000Z', 9001);
    const after = [alpacaTrade('IWM', 201.5, 100, '2024-11-26T15:10:00.500Z', 9002), alpacaTrade('SPY', 601.25, 50, '2024-11-26T15:10:05.000Z', 9003)];
    const market = marketAt(SYMBOLS, at, '2024-11-22');
    const fake = await fakeAlpaca({ market, now, pageSize: 4_000, faults: { 0: historyFaults.rateLimited.alpaca, 2: historyFaults.serverError }, slowPage: { index: 3, delayMs: 1_500 }, scripts: [{ frames: [[inside, ...after]] }] });
    try {
      const config = liveConfig(ns, fake);
      await withDetector(config, logger, async () => {
        const run = startLive(config, kafka, logger, now);
        const topics = topicNames(ns);
        // Steps are final once a minute (the detector's allowed lateness) has passed: history to 10:09 right away.
        const snap = await snapshotUntil(redis, ns, (s) => s?.asOf != null && s.asOf >= '2024-11-26T15:08:00.000Z', 120_000);
        expect(coldPanels(snap, SECTORS)).toEqual([]);
        expect(snap!.market!.session).toBe('2024-11-26');
        // The hand-over passes the two trades after the cut on to the publisher (the one inside the last minute it drops).
        for (const deadline = Date.now() + 60_000; run.source.progress().done < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
        await run.pipeline.stop();
        const summary = await run.done;
        const ticks = ticksOf(await readTopic(kafka, topics.ticks));
        // No tick twice; the streamed print inside the 10:09 minute is in that minute's bar, not on the topic.
        expect(new Set(ticks.map(identity)).size).toBe(ticks.length);
        expect(ticks.filter((t) => t.id !== undefined).map((t) => t.id)).toEqual(expect.arrayContaining([expect.stringContaining('9002'), expect.stringContaining('9003')]));
        expect(ticks.some((t) => t.id?.endsWith('9001'))).toBe(false);
        expect(summary.skippedByReason).toEqual({ backfilled: 1 });
        // The stream's trades come after every bar of their partition, and nothing is late or rejected.
        for (const id of ['9002', '9003']) {
          const trade = ticks.find((t) => t.id?.endsWith(id))!;
          const bars = ticks.filter((t) => t.partition === trade.partition && t.id === undefined);
          expect(Math.max(...bars.map((b) => b.offset))).toBeLessThan(trade.offset);
          expect(Math.max(...bars.map((b) => b.ts))).toBeLessThanOrEqual(Date.parse('2024-11-26T15:10:00Z'));
        }
        expect(summary.deadLettered).toBe(0);
        const statuses = fake.history.served.map((s) => s.status);
        expect(statuses).toEqual(expect.arrayContaining([429, 500]));
        // Every request counted, retries included: the bars' and the corporate actions'.
        expect(summary.input).toMatchObject({ backfill: { requests: fake.rest.server.requests.length } });
      });
    } finally {
      await fake.close();
      await dropNamespace(kafka, redis, ns);
    }
  });

  test('the backfilled state equals a replay of the same bars and actions; a split inside the history is applied at its ex-date', { timeout: 240_000 }, async ({ ns, logger, redis }) => {
    // Saturday: the last session is Friday's, nothing trades at the hand-over.
    const at = Date.parse('2024-11-23T15:00:00.000Z');
    const now = clockFrom(at);
    const kafka = kafkaFor(ns, logger);
    const split = { symbol: 'NVDA', exDate: '2024-11-07', ratio: 2 };
    const market = marketAt(SYMBOLS, at, '2024-11-20', [split]);
    const actions = { keyId: 'AKBACKFILLTEST0001', secretKey: 'backfill-test-secret-000001', pages: [{ forward_splits: [{ id: 'ca-nvda', symbol: 'NVDA', new_rate: 2, old_rate: 1, ex_date: split.exDate, process_date: split.exDate, cusip: 'C' }] }] };
    const fake = await fakeAlpaca({ market, now, actions });
    const replayNs = `${ns}-r`;
    const dir = await mkdtemp(path.join(tmpdir(), 'backfill-replay-'));
    try {
      const config = liveConfig(ns, fake);
      const live = await withDetector(config, logger, async () => {
        const run = startLive(config, kafka, logger, now);
        const snap = await snapshotUntil(redis, ns, (s) => s?.asOf === '2024-11-22T21:00:00.000Z' && coldPanels(s, SECTORS).length === 0);
        await run.pipeline.stop();
        await run.done;
        return { snap, alerts: await alertsOf(redis, ns) };
      });
      // The same history as files: the bars the plan asks for, and the split with the time it was known at.
      const plan = planBackfill({ calendar: XNYS, need: historyNeed(config.universe), cut: Math.ceil(at / 60_000) * 60_000, minuteSessions: config.env.INGESTER_BACKFILL_MINUTE_SESSIONS });
      const pick = (bars: Record<string, Bar[]>, keep: (b: Bar) => boolean) => ({ bars: Object.fromEntries(Object.entries(bars).map(([s, list]) => [s, list.filter(keep).map((b) => ({ ...b, t: new Date(b.t).toISOString() }))])), next_page_token: null });
      const dailyFrom = Date.parse(`${plan.daily!.from}T00:00:00Z`);
      await writeFile(path.join(dir, 'minute.json'), JSON.stringify(pick(market.minute, (b) => b.t >= plan.minute!.from && b.t + 60_000 <= plan.minute!.to)));
      await writeFile(path.join(dir, 'daily.json'), JSON.stringify(pick(market.daily, (b) => b.t >= dailyFrom - 86_400_000 && b.t <= Date.parse(`${plan.daily!.to}T12:00:00Z`))));
      const known = XNYS.prev(XNYS.sessionOn(split.exDate)!)!.close;
      await writeFile(path.join(dir, 'actions.ndjson'), `${JSON.stringify({ symbol: 'NVDA', action: 'split', exDate: split.exDate, ratio: 2, id: 'ca-nvda', ts: known })}\n`);
      const replayConfig = liveConfig(replayNs, fake);
      const replay = await withDetector(replayConfig, logger, async () => {
        const { env, universe } = replayConfig;
        await new Pipeline({ env, universe, logger, kafka, source: new ActionsFileSource({ file: path.join(dir, 'actions.ndjson') }) }).run();
        await new Pipeline({ env, universe, logger, kafka, source: new ReplaySource({ files: [path.join(dir, 'minute.json'), path.join(dir, 'daily.json')], speed: { kind: 'max' }, logger }) }).run();
        const snap = await snapshotUntil(redis, replayNs, (s) => s?.asOf === '2024-11-22T21:00:00.000Z');
        return { snap, alerts: await alertsOf(redis, replayNs) };
      });
      expect(coldPanels(live.snap, SECTORS)).toEqual([]);
      expect(live.snap).toEqual(replay.snap);
      expect(live.alerts).toEqual(replay.alerts);
      // The split restated NVDA's history: no quarantine, and NVDA's 1d return is a day's move, not -50 %.
      expect(live.snap!.quarantined ?? []).toEqual([]);
      expect(Math.abs(live.snap!.returns.NVDA!['7d']!)).toBeLessThan(25);
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
      await dropNamespace(kafka, redis, ns);
      await dropNamespace(kafka, redis, replayNs);
    }
  });
});
