/**
 * End to end through the real broker, as a child process (`pnpm ingest ...`): the `actions`
 * command puts CorporateAction records on `<ns>.ticks` (key = symbol) and bad rows on the DLQ;
 * `live --provider alpaca` with fake stream and REST servers publishes the fetched actions on
 * each symbol's partition ahead of its first trade, and never logs the keys.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from '@rotation/kafka';
import { CorporateAction, DeadLetter, Tick } from '@rotation/schemas';
import { alpacaTrade, FakeAlpaca } from '../fakes/alpaca.js';
import { alpacaActionsHandler, startFakeActions } from '../fakes/corporate-actions.js';
import { readTopic, spawnIngest } from '../ingester/support.js';
import { describe, expect, test } from '../support/fixtures.js';

async function count(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const base = (ns: string, brokers: string[]) => ({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: brokers.join(','), KAFKA_TICKS_PARTITIONS: '3', INGESTER_HTTP_PORT: '0' });

describe('corporate actions through Kafka (child process)', () => {
  test('ingest actions <file>: actions on the ticks topic keyed by symbol, bad rows dead-lettered with their reason', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'actions-cli-'));
    try {
      const file = path.join(dir, 'actions.csv');
      await writeFile(file, ['symbol,action,ex_date,ratio,amount', 'NVDA,split,2024-06-10,10,', 'SPY,dividend,2024-06-21,,1.7588', 'SPY,merger,2024-06-21,,', 'ZZZZ,split,2024-06-10,2,', 'NVDA,split,2024-06-10,10,', ''].join('\n'));
      const run = spawnIngest(['actions', file, '--json'], base(ns, env.KAFKA_BROKERS));
      expect(await run.exit).toBe(0);
      const summary = JSON.parse(run.stdout()) as Record<string, unknown>;
      expect(summary).toMatchObject({ source: 'replay', read: 5, published: 0, deadLettered: 2, duplicates: 1, deadLettersByReason: { invalid_tick: 1, unknown_symbol: 1 }, input: { format: 'csv', actions: 4, rejectedRows: 1 } });
      const records = await readTopic(kafka, topics.ticks);
      // Actions only: no tick was published, so no end-of-stream watermark either.
      expect(records.map((r) => ({ key: r.key, value: CorporateAction.parse(r.value) }))).toEqual(
        expect.arrayContaining([
          { key: 'NVDA', value: { v: 1, type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, source: 'replay', ts: expect.any(Number), sourceMaxTs: expect.any(Number) } },
          { key: 'SPY', value: { v: 1, type: 'corporate_action', symbol: 'SPY', action: 'dividend', exDate: '2024-06-21', amount: 1.7588, source: 'replay', ts: expect.any(Number), sourceMaxTs: expect.any(Number) } },
        ]),
      );
      expect(records).toHaveLength(2);
      const letters = (await readTopic(kafka, topics.ticksDlq)).map((r) => DeadLetter.parse(r.value));
      expect(letters.map((l) => ({ reason: l.reason, line: l.origin.line, raw: l.raw }))).toEqual([
        { reason: 'invalid_tick', line: 4, raw: 'SPY,merger,2024-06-21,,' },
        { reason: 'unknown_symbol', line: 5, raw: 'ZZZZ,split,2024-06-10,2,' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('ingest live --provider alpaca: the fetched split is on IWM\'s partition before IWM\'s first trade; keys never logged', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const KEY = 'AKFAKECAKAFKA001';
    const SECRET = 'fake-ca-kafka-secret-001';
    const stream = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: [{ frames: [[alpacaTrade('IWM', 200.25, 10, '2024-06-03T14:30:00Z', 1), alpacaTrade('IWM', 200.3, 5, '2024-06-03T14:30:01Z', 2)]] }] });
    const split = { id: 'ca-iwm-kafka', symbol: 'IWM', new_rate: 2, old_rate: 1, ex_date: '2024-06-10', process_date: '2024-06-10', cusip: 'C1' };
    // A little slow, as a real API is: the first trade arrives meanwhile and must wait for it.
    const rest = await startFakeActions((req) => ({ ...alpacaActionsHandler({ keyId: KEY, secretKey: SECRET, pages: [{ forward_splits: [split] }] })(req), delayMs: 300 }));
    try {
      const run = spawnIngest(['live', '--provider', 'alpaca', '--json'], {
        ...base(ns, env.KAFKA_BROKERS),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ALPACA_KEY_ID: KEY,
        ALPACA_SECRET_KEY: SECRET,
        ALPACA_STREAM_URL: stream.url,
        ALPACA_DATA_URL: rest.url,
        INGESTER_WATERMARK_MS: '0',
        INGESTER_ACTIONS_WAIT_MS: '10000',
        // The refresher alone: these 2024 trades would be before a backfill's cut (now) and be dropped as backfilled.
        INGESTER_BACKFILL: 'false',
      });
      await until('the action and both trades on the ticks topic', async () => (await count(kafka, topics.ticks)) >= 3);
      run.child.kill('SIGINT');
      expect(await run.exit).toBe(0);
      const records = await readTopic(kafka, topics.ticks);
      const iwm = records.filter((r) => r.key === 'IWM');
      expect(new Set(iwm.map((r) => r.partition)).size).toBe(1);
      expect(iwm.map((r) => ((r.value as { type?: string }).type === 'corporate_action' ? CorporateAction.parse(r.value) : Tick.parse(r.value)))).toEqual([
        { v: 1, type: 'corporate_action', symbol: 'IWM', action: 'split', exDate: '2024-06-10', ratio: 2, id: 'ca-iwm-kafka', source: 'alpaca', ts: expect.any(Number), sourceMaxTs: expect.any(Number) },
        expect.objectContaining({ symbol: 'IWM', price: 200.25, source: 'alpaca' }),
        expect.objectContaining({ symbol: 'IWM', price: 200.3, source: 'alpaca' }),
      ]);
      expect(rest.requests[0]!.path).toBe('/v1/corporate-actions');
      expect(run.stderr()).toContain('"msg":"corporate actions fetched"');
      expect(run.stderr()).not.toContain(SECRET);
      expect(run.stderr()).not.toContain(KEY);
    } finally {
      await stream.close();
      await rest.close();
    }
  });
});
