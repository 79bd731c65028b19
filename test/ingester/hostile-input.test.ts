/**
 * Issue #19 (4, 7): input built to hurt the replay. A flood of malformed lines, a file of random
 * bytes, a gzip bomb. Good ticks are all published and acknowledged, every bad line is a dead
 * letter, and an input past a cap stops with a clear error and bounded disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ReplaySource, IngesterErrorCode, type IngesterError } from '@rotation/ingester';
import { ConfigResourceTypes } from 'kafkajs';
import { describe, expect, test } from '../support/fixtures.js';
import { readDeadLetters, readTicks, runPipeline } from './support.js';

const T0 = Date.parse('2024-01-02T15:30:00Z');
const SYMBOLS = ['SPY', 'IWM', 'QQQ', 'XLK'];
const goodLines = (n: number) => Array.from({ length: n }, (_, i) => `${new Date(T0 + i * 1_000).toISOString()},${SYMBOLS[i % SYMBOLS.length]},${100 + (i % 50) / 10},10`);

async function scratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hostile-input-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('hostile replay input on a real broker', () => {
  test('1,000 good ticks then 6,000 malformed 420-byte lines: every good tick published, every bad line dead-lettered', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    await scratch(async (dir) => {
      const file = path.join(dir, 'flood.csv');
      // Non-ASCII on purpose: 140 characters of U+00E9 are 280 bytes, so string length undercounts.
      const bad = `${'x'.repeat(280)}${'\u00e9'.repeat(140)}`;
      await writeFile(file, ['ts,symbol,price,size', ...goodLines(1_000), ...Array.from({ length: 6_000 }, () => bad)].join('\n'));
      const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files: [file], speed: { kind: 'max' }, logger, tmpDir: dir }));
      expect(summary).toMatchObject({ published: 1_000, accepted: 1_000, deadLettered: 6_000, deadLettersLost: 0 });
      expect(await readTicks(kafka, topics.ticks)).toHaveLength(1_000);
      const letters = await readDeadLetters(kafka, topics.ticksDlq);
      expect(letters).toHaveLength(6_000);
    });
  });

  test('a file of random bytes after good ticks: the ticks are published, the bytes dead-lettered, the run ends 0', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    await scratch(async (dir) => {
      const csv = path.join(dir, 'random.csv');
      await writeFile(csv, Buffer.concat([Buffer.from(['ts,symbol,price,size', ...goodLines(500), ''].join('\n')), randomBytes(2 * 1024 * 1024)]));
      // NDJSON is chosen by name, so a random file with that name gets all the way to the parser.
      const ndjson = path.join(dir, 'random.ndjson');
      await writeFile(ndjson, randomBytes(1024 * 1024));
      const summary = await runPipeline(env, kafka, logger, new ReplaySource({ files: [csv, ndjson], speed: { kind: 'max' }, logger, tmpDir: dir }));
      expect(summary.published).toBe(500);
      expect(summary.deadLettered).toBeGreaterThan(1_000);
      expect(await readTicks(kafka, topics.ticks)).toHaveLength(500);
      expect(await readDeadLetters(kafka, topics.ticksDlq)).toHaveLength(summary.deadLettered);
    });
  });

  test('a gzip bomb (small compressed, huge decompressed) stops with a clear error before it fills the disk', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    await scratch(async (dir) => {
      const file = path.join(dir, 'bomb.csv.gz');
      // 256 MiB of one valid tick line compresses to about 250 KiB (a ratio near 1,000).
      const line = `${new Date(T0).toISOString()},SPY,470.25,10\n`;
      const gz = gzipSync(Buffer.concat([Buffer.from('ts,symbol,price,size\n'), Buffer.alloc(256 * 1024 * 1024, line)]));
      expect(gz.byteLength).toBeLessThan(1024 * 1024);
      await writeFile(file, gz);
      const work = path.join(dir, 'work');
      await mkdir(work);
      const source = new ReplaySource({ files: [file], speed: { kind: 'max' }, logger, tmpDir: work, runRecords: 50_000, maxGzipRatio: env.INGESTER_MAX_GZIP_RATIO, maxSpillBytes: env.INGESTER_MAX_SPILL_BYTES });
      const started = Date.now();
      await expect(runPipeline(env, kafka, logger, source)).rejects.toMatchObject({ code: IngesterErrorCode.inputTooLarge, message: expect.stringMatching(/bomb\.csv\.gz: expanded more than 100 times .*gzip bomb/) });
      logger.info({ ms: Date.now() - started, spilledBytes: source.spilledBytes, spilledRuns: source.spilledRuns }, 'gzip bomb stopped');
      // Stopped after 100 x the compressed size (a sorted run is about 4 x its input), not 256 MiB; the runs were removed.
      expect(source.spilledBytes).toBeLessThan(5 * 100 * gz.byteLength);
      expect(await readdir(work)).toEqual([]);
      expect(await readTicks(kafka, topics.ticks)).toHaveLength(0);
    });
  });

  test('a DLQ the broker refuses (max.message.bytes 600 on the DLQ topic) loses dead letters, never ticks', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.ticksDlq, configEntries: [{ name: 'max.message.bytes', value: '600' }] }] });
    } finally {
      await admin.disconnect();
    }
    await scratch(async (dir) => {
      const file = path.join(dir, 'mixed.csv');
      // Bad lines first and between the good ones: the dead letters fail while ticks are still coming.
      const lines = goodLines(1_000).flatMap((l, i) => (i % 10 === 0 ? [`bad line ${'x'.repeat(400)}`, l] : [l]));
      await writeFile(file, ['ts,symbol,price,size', ...lines].join('\n'));
      const failure = await runPipeline(env, kafka, logger, new ReplaySource({ files: [file], speed: { kind: 'max' }, logger, tmpDir: dir })).then(
        () => undefined,
        (e: unknown) => e as IngesterError,
      );
      // The run says what it could not deliver: dead letters only.
      expect(failure?.code).toBe(IngesterErrorCode.undelivered);
      expect(failure?.context).toMatchObject({ acknowledged: { ticks: 1_000 }, undelivered: { ticks: 0, events: 0 } });
      expect((failure?.context as { undelivered: { deadLetters: number } }).undelivered.deadLetters).toBe(100);
      expect(await readTicks(kafka, topics.ticks)).toHaveLength(1_000);
    });
  });

  test('the spill cap stops an input whose sorted runs would pass it', async ({ env, kafka, logger, withTopics }) => {
    await withTopics();
    await scratch(async (dir) => {
      const file = path.join(dir, 'big.csv');
      await writeFile(file, ['ts,symbol,price,size', ...goodLines(20_000)].join('\n'));
      const source = new ReplaySource({ files: [file], speed: { kind: 'max' }, logger, tmpDir: dir, runRecords: 2_000, maxSpillBytes: 1024 * 1024 });
      await expect(runPipeline(env, kafka, logger, source)).rejects.toMatchObject({ code: IngesterErrorCode.inputTooLarge, message: expect.stringMatching(/INGESTER_MAX_SPILL_BYTES/) });
      expect(source.spilledBytes).toBeLessThanOrEqual(1024 * 1024);
    });
  });
});
