/**
 * Replays through the real broker for what the files carry beside prices: a recorded ticks
 * topic (NDJSON) with conditions, eligibility, cancels, corrections and corporate actions, a
 * yfinance file whose dividends become corporate actions, and a mix of price bases refused
 * before anything is on the topic.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Tick, TradeEvent, WATERMARK_KEY } from '@rotation/schemas';
import { ReplaySource } from '@rotation/ingester';
import { describe, expect, test } from '../support/fixtures.js';
import { readTopic, runPipeline } from './support.js';

const T = Date.parse('2024-07-24T14:30:00Z');

async function tempFile(name: string, text: string): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'replay-md-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { file, done: () => rm(dir, { recursive: true, force: true }) };
}

/** The ticks topic without the end-of-stream watermarks: ticks and events, each checked by its schema, in offset order per symbol. */
async function records(kafka: Parameters<typeof readTopic>[0], topic: string): Promise<Array<Tick | TradeEvent>> {
  const all = await readTopic(kafka, topic);
  return all.filter((r) => r.key !== WATERMARK_KEY).map((r) => ('type' in (r.value as object) ? TradeEvent.parse(r.value) : Tick.parse(r.value)));
}

describe('replay of market data beside prices', () => {
  test('a recorded ticks topic replays with its conditions, eligibility, cancels, corrections and actions, in event-time order', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const lines = [
      { v: 1, symbol: 'NVDA', price: 120.5, size: 100, ts: T, tsNanos: 250, source: 'alpaca', id: 'p1', conditions: ['@'], sourceMaxTs: T },
      { v: 1, symbol: 'NVDA', price: 120.4, size: 7, ts: T + 1000, source: 'alpaca', id: 'p2', conditions: ['@', 'I'], eligibility: { last: false, volume: true, reason: 'odd_lot' } },
      { v: 1, type: 'cancel', symbol: 'NVDA', ts: T, tsNanos: 250, source: 'alpaca', id: 'p1', price: 120.5, size: 100, action: 'cancel' },
      { type: 'correction', symbol: 'NVDA', ts: T + 1000, id: 'p2', price: 120.4, corrected: { id: 'p2c', price: 120.45, size: 7 } },
      { type: 'corporate_action', symbol: 'NVDA', action: 'dividend', exDate: '2024-07-25', amount: 0.01, ts: T + 5000 },
      { symbol: 'NVDA', price: 121, size: 200, ts: T + 2000, id: 'p3' },
    ];
    const f = await tempFile('recorded.ndjson', lines.map((l) => JSON.stringify(l)).join('\n'));
    try {
      const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files: [f.file], speed: { kind: 'max' }, logger }));
      expect(summary).toMatchObject({ read: 6, published: 3, deadLettered: 0, input: { priceBasis: 'unadjusted' } });
      const got = await records(kafka, topics.ticks);
      expect(got.map((r) => ('type' in r ? r.type : `tick ${r.id}`))).toEqual(['tick p1', 'cancel', 'tick p2', 'correction', 'tick p3', 'corporate_action']);
      expect(got[0]).toEqual({ v: 1, symbol: 'NVDA', price: 120.5, size: 100, ts: T, tsNanos: 250, source: 'replay', id: 'p1', conditions: ['@'], sourceMaxTs: T });
      expect(got[2]).toMatchObject({ id: 'p2', conditions: ['@', 'I'], eligibility: { last: false, volume: true, reason: 'odd_lot' } });
      expect(got[1]).toMatchObject({ type: 'cancel', id: 'p1', ts: T, tsNanos: 250, action: 'cancel', source: 'replay' });
      expect(got[3]).toMatchObject({ type: 'correction', id: 'p2', corrected: { id: 'p2c', price: 120.45, size: 7 } });
      expect(got[5]).toEqual({ v: 1, type: 'corporate_action', symbol: 'NVDA', action: 'dividend', exDate: '2024-07-25', amount: 0.01, source: 'replay', ts: T + 5000, sourceMaxTs: T + 5000 });
    } finally {
      await f.done();
    }
  });

  test('yfinance: bars at the session close, the dividend published at its ex-date, the split counted and not published', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const f = await tempFile(
      'NVDA.csv',
      [
        'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits',
        '2024-06-07 00:00:00-04:00,119.77,121.69,118.02,120.89,120.86,412386000,0.0,0.0',
        '2024-06-10 00:00:00-04:00,120.37,123.10,117.01,121.79,121.76,314162700,0.0,10.0',
        '2024-06-11 00:00:00-04:00,121.77,122.87,118.74,120.91,120.89,222551200,0.01,0.0',
      ].join('\n'),
    );
    try {
      const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files: [f.file], speed: { kind: 'max' }, logger }));
      // 3 bars, 1 dividend, 1 split skipped as already adjusted: read 5, published 3 ticks.
      expect(summary).toMatchObject({ read: 5, published: 3, deadLettered: 0, input: { priceBasis: 'split_adjusted' } });
      const got = await records(kafka, topics.ticks);
      expect(got.map((r) => ('type' in r ? `${r.type} ${new Date(r.ts).toISOString()}` : `${r.price} ${new Date(r.ts).toISOString()}`))).toEqual([
        '120.89 2024-06-07T20:00:00.000Z',
        '121.79 2024-06-10T20:00:00.000Z',
        'corporate_action 2024-06-11T04:00:00.000Z',
        '120.91 2024-06-11T20:00:00.000Z',
      ]);
    } finally {
      await f.done();
    }
  });

  test('files on different price bases are refused before anything is published', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const a = await tempFile('ticks.ndjson', JSON.stringify({ symbol: 'SPY', price: 545, ts: T }));
    const b = await tempFile('spy.us.txt', '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\nSPY.US,D,20240724,000000,1,1,1,541.2,5,0\n');
    try {
      await expect(runPipeline(env, kafka, logger, new ReplaySource({ files: [a.file, b.file], speed: { kind: 'max' }, logger }))).rejects.toMatchObject({
        code: 'INGESTER_PRICE_BASIS',
        message: expect.stringContaining('ticks.ndjson: unadjusted (NDJSON prints as traded); '),
      });
      expect(await readTopic(kafka, topics.ticks)).toEqual([]);
    } finally {
      await Promise.all([a.done(), b.done()]);
    }
  });
});
