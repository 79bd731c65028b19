import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, DEFAULT_UNIVERSE_FILE, loadUniverseFile, type Env } from '@rotation/config';
import type { Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { DeadLetter, LaneWatermark, Tick, WATERMARK_KEY } from '@rotation/schemas';
import { Pipeline, type RunSummary } from '@rotation/ingester';
import type { IngestSource } from '@rotation/ingester';
import { expect } from '../support/fixtures.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ingester');
export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../services/ingester/src/main.ts');
export const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);

export interface ReadRecord<T> {
  key: string | null;
  value: T;
  partition: number;
  offset: number;
  timestamp: number;
}

/**
 * Everything on a topic, exactly: the high watermarks say how many records there are, and
 * the consumer reads until it has them all (never a guess about "no more coming").
 */
export async function readTopic(kafka: Kafka, topic: string): Promise<Array<ReadRecord<unknown>>> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const expected = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  if (expected === 0) return [];
  const consumer = kafka.consumer({ groupId: `read-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const out: Array<ReadRecord<unknown>> = [];
  // A rebalance on a loaded machine can deliver a record twice: count each (partition, offset) once.
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${expected} records of ${topic}`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const id = `${partition}:${message.offset}`;
            if (seen.has(id)) return;
            seen.add(id);
            out.push({
              key: message.key?.toString() ?? null,
              value: JSON.parse(message.value!.toString()) as unknown,
              partition,
              offset: Number(message.offset),
              timestamp: Number(message.timestamp),
            });
            if (out.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  // Partition, then offset: the order each partition's consumer sees.
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export interface TicksTopic {
  ticks: Array<ReadRecord<Tick>>;
  watermarks: Array<ReadRecord<LaneWatermark>>;
  /** Each partition's last record, by partition (every partition of the topic that has one). */
  last: Map<number, ReadRecord<Tick | LaneWatermark>>;
}

/** The ticks topic's two kinds of record, each parsed by its schema (watermarks by their key). */
export async function readTicksTopic(kafka: Kafka, topic: string): Promise<TicksTopic> {
  const out: TicksTopic = { ticks: [], watermarks: [], last: new Map() };
  for (const r of await readTopic(kafka, topic)) {
    const parsed = r.key === WATERMARK_KEY ? { ...r, value: LaneWatermark.parse(r.value) } : { ...r, value: Tick.parse(r.value) };
    if (r.key === WATERMARK_KEY) out.watermarks.push(parsed as ReadRecord<LaneWatermark>);
    else out.ticks.push(parsed as ReadRecord<Tick>);
    out.last.set(r.partition, parsed);
  }
  return out;
}

/** The ticks alone: the end-of-stream watermarks a finite run leaves are not ticks. */
export async function readTicks(kafka: Kafka, topic: string): Promise<Array<ReadRecord<Tick>>> {
  return (await readTicksTopic(kafka, topic)).ticks;
}

/** A finite run's end: exactly one watermark per partition, each partition's last record. */
export function expectEndOfStream(read: TicksTopic, partitions: number, expected: LaneWatermark): void {
  expect(read.watermarks).toHaveLength(partitions);
  for (let partition = 0; partition < partitions; partition++) {
    const last = read.last.get(partition);
    expect({ partition, key: last?.key, value: last?.value, timestamp: last?.timestamp }).toEqual({ partition, key: WATERMARK_KEY, value: expected, timestamp: expected.watermark });
  }
}

export async function readDeadLetters(kafka: Kafka, topic: string): Promise<Array<ReadRecord<DeadLetter>>> {
  return (await readTopic(kafka, topic)).map((r) => ({ ...r, value: DeadLetter.parse(r.value) }));
}

/** Ticks grouped by symbol in the order Kafka delivers them (one symbol = one partition). */
export function bySymbol(records: Array<ReadRecord<Tick>>): Record<string, Tick[]> {
  const out: Record<string, Tick[]> = {};
  for (const r of records) (out[r.value.symbol] ??= []).push(r.value);
  return out;
}

export async function runPipeline(env: Env, kafka: Kafka, logger: Logger, source: IngestSource): Promise<RunSummary> {
  return new Pipeline({ env, universe, logger, source, kafka }).run();
}

/** `pnpm ingest ARGS` as a child process with these variables; its output collected as it comes. */
export function spawnIngest(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: path.resolve(path.dirname(MAIN), '../../..'),
    env: childEnv({ LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}
