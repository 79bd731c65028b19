import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Tick } from '@rotation/schemas';
import { ReplaySource } from '@rotation/ingester';
import { describe, expect, test } from '../support/fixtures.js';
import { FIXTURES, bySymbol, expectEndOfStream, readDeadLetters, readTicks, readTicksTopic, runPipeline } from './support.js';

const ms = (iso: string) => Date.parse(iso);
const T0 = ms('2024-01-02T15:30:00Z');
// Replay publishes in event-time order, so the newest time published so far is each tick's own.
const tick = (symbol: string, price: number, ts: number, extra: Partial<Tick> = {}): Tick => ({ v: 1, symbol, price, ts, source: 'replay', ...extra, sourceMaxTs: ts });

/** Every format, with exactly the ticks it must produce, per symbol in event-time order. */
const cases: Array<[string, Record<string, Tick[]>]> = [
  [
    'ticks.csv',
    {
      IWM: [tick('IWM', 200.25, T0 + 250, { size: 5 }), tick('IWM', 200.5, T0 + 500, { size: 10 })],
      SPY: [tick('SPY', 470.25, T0, { size: 100 }), tick('SPY', 470.3, T0 + 750)],
      QQQ: [tick('QQQ', 399.99, T0, { size: 1, tsNanos: 123_455 }), tick('QQQ', 400, T0, { size: 1, tsNanos: 123_456 })],
    },
  ],
  [
    'ticks.ndjson',
    {
      XLK: [tick('XLK', 210.4, T0, { size: 3, id: 'a0' }), tick('XLK', 210.5, T0 + 60_000, { size: 3, id: 'a1' })],
      XLB: [tick('XLB', 85.2, T0, { size: 7 })],
    },
  ],
  [
    'IWM.csv',
    {
      IWM: [
        tick('IWM', 194.8, ms('2024-01-02T21:00:00Z'), { size: 35_000_000 }),
        tick('IWM', 201.4, ms('2024-07-01T20:00:00Z'), { size: 29_000_000 }),
        tick('IWM', 202.9, ms('2024-07-02T20:00:00Z'), { size: 31_000_000 }),
      ],
    },
  ],
  [
    'xlk.us.csv',
    {
      XLK: [tick('XLK', 204.9, ms('2024-03-08T21:00:00Z'), { size: 9_000_000 }), tick('XLK', 205.7, ms('2024-03-11T20:00:00Z'), { size: 8_000_000 })],
    },
  ],
  [
    'alpaca-bars.json',
    {
      // Daily bars stamped at their start (midnight New York) are published at the session's close.
      SPY: [tick('SPY', 472.7, ms('2024-01-02T21:00:00Z'), { size: 88_000_000 }), tick('SPY', 468.8, ms('2024-01-03T21:00:00Z'), { size: 91_000_000 })],
      RSP: [tick('RSP', 158.6, ms('2024-01-02T21:00:00Z'), { size: 5_000_000 })],
    },
  ],
];

describe('replay into Kafka', () => {
  test.for(cases)('%s: exactly the expected ticks, keyed by symbol, per-symbol in event-time order', async ([file, expected], { env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files: [path.join(FIXTURES, file)], speed: { kind: 'max' }, logger }));
    const read = await readTicksTopic(kafka, topics.ticks);
    const records = read.ticks;
    expect(bySymbol(records)).toEqual(expected);
    expect(records.every((r) => r.key === r.value.symbol && r.timestamp === r.value.ts)).toBe(true);
    expect(summary.published).toBe(Object.values(expected).flat().length);
    // Every partition ends with the end of stream, the ones without a tick of this file too.
    const newest = Math.max(...Object.values(expected).flat().map((t) => t.ts));
    expectEndOfStream(read, env.KAFKA_TICKS_PARTITIONS, { v: 1, watermark: newest, source: 'replay', final: true });
  });

  test('several files: every tick stamped, and one end of stream with the newest time of all files', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const files = ['ticks.csv', 'IWM.csv', 'alpaca-bars.json'].map((f) => path.join(FIXTURES, f));
    // Prints and Alpaca bars are unadjusted, Yahoo's Close split-adjusted: a mix only on request.
    const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files, speed: { kind: 'max' }, logger, allowMixedBasis: true }));
    const read = await readTicksTopic(kafka, topics.ticks);
    expect(read.ticks).toHaveLength(summary.published);
    // The files interleave in event time; merged, the newest time so far is always the tick's own.
    expect(read.ticks.filter((r) => r.value.sourceMaxTs !== r.value.ts)).toEqual([]);
    expectEndOfStream(read, env.KAFKA_TICKS_PARTITIONS, { v: 1, watermark: Date.parse('2024-07-02T20:00:00Z'), source: 'replay', final: true });
  });

  test('a gzipped file reads like the plain one', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'replay-gz-'));
    try {
      const gz = path.join(dir, 'ticks.csv.gz');
      await writeFile(gz, gzipSync(await readFile(path.join(FIXTURES, 'ticks.csv'))));
      await runPipeline(env, kafka, logger, new ReplaySource({ files: [gz], speed: { kind: 'max' }, logger }));
      expect(bySymbol(await readTicks(kafka, topics.ticks))).toEqual(cases[0]![1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the NDJSON symbol outside the universe is dead-lettered with its line', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const file = path.join(FIXTURES, 'ticks.ndjson');
    await runPipeline(env, kafka, logger, new ReplaySource({ files: [file], speed: { kind: 'max' }, logger }));
    const dlq = await readDeadLetters(kafka, topics.ticksDlq);
    expect(dlq.map((d) => [d.value.reason, d.value.message, d.value.origin])).toEqual([['unknown_symbol', 'symbol: BRK.B is not in the universe', { file, line: 3 }]]);
  });

  test('a file with malformed lines publishes every good line and dead-letters each bad one with reason and line', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const file = path.join(FIXTURES, 'malformed.csv');
    const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files: [file], speed: { kind: 'max' }, logger }));
    expect(summary).toMatchObject({ read: 11, published: 3, deadLettered: 7, duplicates: 1 });
    const ticks = await readTicks(kafka, topics.ticks);
    expect(bySymbol(ticks)).toEqual({
      IWM: [tick('IWM', 200, ms('2024-01-02T15:30:00Z'), { size: 1 })],
      SPY: [tick('SPY', 470, ms('2024-01-02T15:30:03Z'), { size: 1 }), tick('SPY', 472, ms('2024-01-02T15:30:08Z'), { size: 2 })],
    });
    const dlq = (await readDeadLetters(kafka, topics.ticksDlq)).map((d) => d.value).sort((a, b) => a.origin.line! - b.origin.line!);
    expect(dlq.map((d) => [d.origin.line, d.reason, d.message, d.source, d.origin.file])).toEqual([
      [3, 'invalid_tick', 'price: must be > 0, got -3', 'replay', file],
      [4, 'parse_error', 'expected 4 fields (ts,symbol,price,size), got 2', 'replay', file],
      [5, 'unknown_symbol', 'symbol: ZZZZ is not in the universe', 'replay', file],
      [7, 'invalid_tick', 'ts: month 13 out of range in "2024-13-02T15:30:04Z"', 'replay', file],
      [8, 'invalid_tick', 'price: expected a number, got "abc"', 'replay', file],
      [9, 'invalid_tick', 'size: must be a finite number >= 0, got -1', 'replay', file],
      [10, 'parse_error', 'unterminated quoted field', 'replay', file],
    ]);
    expect(dlq.find((d) => d.origin.line === 3)?.raw).toBe('2024-01-02T15:30:01Z,IWM,-3,1');
  });

  test('unsorted files merge into one stable event-time order across files, through spilled runs', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'replay-merge-'));
    try {
      // Two files, each shuffled, with equal event times across files: ties keep file order.
      const lines = (file: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ i, ts: T0 + Math.floor(i / 2) * 1000 }))
          .sort((a, b) => ((a.i * 7919 + file) % n) - ((b.i * 7919 + file) % n))
          .map(({ i, ts }) => `${ts},${i % 2 === 0 ? 'IWM' : 'SPY'},${100 + file + i / 1000},${file}`);
      const a = path.join(dir, 'a.csv'), b = path.join(dir, 'b.csv');
      await writeFile(a, ['ts,symbol,price,size', ...lines(1, 400)].join('\n'));
      await writeFile(b, ['ts,symbol,price,size', ...lines(2, 300)].join('\n'));
      const source = new ReplaySource({ files: [a, b], speed: { kind: 'max' }, logger, runRecords: 64, tmpDir: dir });
      const summary = await runPipeline(env, kafka, logger, source);
      expect(source.spilledRuns).toBeGreaterThan(5);
      expect(summary.published).toBe(700);
      const got = bySymbol(await readTicks(kafka, topics.ticks));
      for (const symbol of ['IWM', 'SPY']) {
        const seq = got[symbol]!;
        const sorted = [...seq].sort((x, y) => x.ts - y.ts || x.size! - y.size! || x.price - y.price);
        expect(seq).toEqual(sorted); // event time, then file (size = file number), then input order (price rises with i)
      }
      expect(got.IWM!.length + got.SPY!.length).toBe(700);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
