import path from 'node:path';
import { loadConfig } from '@rotation/config';
import { topicNames } from '@rotation/schemas';
import { BENCH_DIR, cpuProfFlags, runWorker } from '../children.js';
import type { BenchContext } from '../context.js';
import { javaProducerPerformance } from '../java-producer.js';
import type { IngestResult } from '../results.js';
import { ratio } from '../stats.js';
import { meanRecordBytes, recordPool } from '../ticks.js';
import { createTicksTopic } from './detector.js';

const PRODUCE = path.join(BENCH_DIR, 'src/workers/produce.ts');
const PLATFORMATIC = path.join(BENCH_DIR, 'src/workers/platformatic.ts');
/** BatchingProducer's default maxBatchRecords: the ingester sends requests of this many records. */
export const INGESTER_BATCH_RECORDS = 4_000;
const PARTITIONS = 6;

interface ProduceOut {
  ticks: number;
  seconds: number;
  ticksPerSec: number;
  path?: string;
}

/** One produce worker on a fresh topic of its own namespace; its ticks/s over `seconds`. */
async function runProduceWorker(ctx: BenchContext, label: string, worker: string, args: string[], seconds: number, more: { env?: Record<string, string>; nodeFlags?: string[] } = {}): Promise<ProduceOut> {
  const ns = ctx.namespace(label);
  await createTicksTopic(ctx, ns, PARTITIONS);
  const env = ctx.env({ ROTATION_NAMESPACE: ns, KAFKA_TICKS_PARTITIONS: String(PARTITIONS), ...more.env });
  return runWorker<ProduceOut>(worker, args, { env, timeoutMs: (seconds + 60) * 1000, ...(more.nodeFlags ? { nodeFlags: more.nodeFlags } : {}) });
}

interface Rounds {
  bare: ProduceOut[];
  ing: ProduceOut[];
  plat: ProduceOut[];
  ingesterError?: string;
  platformaticError?: string;
}

/** One round: bare kafkajs, then @platformatic/kafka, then the ingester; a client that failed once is not run again. */
async function runRound(ctx: BenchContext, r: number, seconds: number, out: Rounds): Promise<void> {
  const batchArgs = ['--seconds', String(seconds), '--batch', String(INGESTER_BATCH_RECORDS)];
  const b = await runProduceWorker(ctx, `ingest-bare-${r}`, PRODUCE, ['--mode', 'bare', ...batchArgs], seconds);
  ctx.log(`  bare kafkajs producer: ${b.ticksPerSec} ticks/s`);
  out.bare.push(b);
  // The other client's ceiling, same settings, right after kafkajs' in the same round.
  if (!out.platformaticError) {
    try {
      const p = await runProduceWorker(ctx, `ingest-plat-${r}`, PLATFORMATIC, ['--mode', 'produce', ...batchArgs], seconds);
      ctx.log(`  bare @platformatic/kafka producer: ${p.ticksPerSec} ticks/s`);
      out.plat.push(p);
    } catch (e) {
      out.platformaticError = (e as Error).message.slice(0, 500);
      ctx.log(`  @platformatic/kafka producer failed: ${out.platformaticError}`);
    }
  }
  if (out.ingesterError) return;
  try {
    const i = await runProduceWorker(ctx, `ingest-svc-${r}`, PRODUCE, ['--mode', 'ingester', '--seconds', String(seconds)], seconds, {
      env: { INGESTER_HTTP_PORT: '0' },
      ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `ingester`) } : {}),
    });
    ctx.log(`  ingester (${i.path}): ${i.ticksPerSec} ticks/s`);
    out.ing.push(i);
  } catch (e) {
    out.ingesterError = (e as Error).message;
    ctx.log(`  ingester failed: ${out.ingesterError}`);
  }
}

/** Kafka's own Java producer on the same broker with the ingester's record size and request bytes. */
async function javaCeiling(ctx: BenchContext, recordBytes: number): Promise<{ java: number | null; javaError?: string }> {
  try {
    const ns = ctx.namespace('ingest-java');
    await createTicksTopic(ctx, ns, PARTITIONS);
    // Enough records for ~10 s at a few hundred thousand per second; a partial run is not reported.
    const records = ctx.quick ? 300_000 : 2_000_000;
    const res = await javaProducerPerformance({
      bootstrap: ctx.brokers[0]!,
      topic: topicNames(ns).ticks,
      records,
      recordBytes,
      // ~ the bytes one ingester request carries to one partition (4000 records over 6 partitions).
      batchBytes: Math.ceil((INGESTER_BATCH_RECORDS / PARTITIONS) * (recordBytes + 20) / 1024) * 1024,
      timeoutMs: 120_000,
    });
    ctx.log(`  Java ProducerPerformance: ${res.line}`);
    return { java: Math.round(res.recordsPerSec) };
  } catch (e) {
    const javaError = (e as Error).message.slice(0, 500);
    ctx.log(`  Java ProducerPerformance failed: ${javaError}`);
    return { java: null, javaError };
  }
}

function ingestNote(runs: Rounds, recordBytes: number, rounds: number, seconds: number): string {
  if (runs.ingesterError && runs.ing.length === 0) return `ingester not measured (${runs.ingesterError.slice(0, 300)}); ceilings still taken`;
  return `ingester = ${runs.ing[0]?.path ?? '?'}; ceilings = bare kafkajs sendBatch loop (idempotent, acks -1, one request in flight, ${INGESTER_BATCH_RECORDS} records/request, pre-serialised ${recordBytes}-byte tick JSON keyed by symbol) and Java ProducerPerformance (acks=all, idempotent, linger 5 ms, batch.size = the bytes of one ingester request per partition, default 5 requests in flight, ${recordBytes}-byte unkeyed records); ${rounds}×${seconds} s interleaved runs, ${PARTITIONS} partitions each; bare @platformatic/kafka producer (same: idempotent, acks -1, each send of ${INGESTER_BATCH_RECORDS} records awaited, same pre-serialised records) right after each kafkajs run`;
}

/** Ticks over seconds of all runs together, not the mean of each run's rate. */
const meanRate = (xs: ProduceOut[]) => (xs.length === 0 ? Number.NaN : Math.round(xs.reduce((s, x) => s + x.ticks, 0) / xs.reduce((s, x) => s + x.seconds, 0)));

/**
 * Ingester vs the bare kafkajs producer, interleaved (bare, ingester, bare, ingester) so that
 * drift of a noisy machine hits both alike; each figure is the mean of its runs. Then Kafka's
 * own Java producer on the same broker, same record size.
 */
export async function runIngest(ctx: BenchContext): Promise<IngestResult> {
  const seconds = ctx.quick ? 3 : 6;
  const rounds = ctx.quick ? 1 : 2;
  const runs: Rounds = { bare: [], ing: [], plat: [] };
  for (let r = 0; r < rounds; r++) await runRound(ctx, r, seconds, runs);
  const { bare, ing, plat, ingesterError, platformaticError } = runs;
  const kafkajsCeiling = meanRate(bare);
  const ingester = meanRate(ing);
  const platformaticCeiling = plat.length ? meanRate(plat) : null;

  const symbols = loadConfig(ctx.env()).universe.symbols;
  const recordBytes = meanRecordBytes(recordPool(symbols, 5_000));
  const { java, javaError } = await javaCeiling(ctx, recordBytes);
  ctx.notes.ingest = ingestNote(runs, recordBytes, rounds, seconds);
  return {
    ticksPerSec: ingester,
    kafkajsProducerCeiling: kafkajsCeiling,
    javaProducerCeiling: java,
    ratioToKafkajs: ratio(ingester, kafkajsCeiling),
    ratioToJava: java === null ? null : ratio(ingester, java),
    recordBytes,
    batchRecords: INGESTER_BATCH_RECORDS,
    platformaticProducerCeiling: platformaticCeiling,
    platformaticToKafkajs: platformaticCeiling === null ? null : ratio(platformaticCeiling, kafkajsCeiling),
    runs: { bare: bare.map((b) => b.ticksPerSec), ingester: ing.map((i) => i.ticksPerSec), platformatic: plat.map((p) => p.ticksPerSec) },
    ...(platformaticError ? { platformaticError } : {}),
    ...(javaError ? { javaError } : {}),
    ...(ingesterError && ing.length === 0 ? { ingesterError } : {}),
  };
}
