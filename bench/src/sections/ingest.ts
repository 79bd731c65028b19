import { cpuProfFlags } from '../children.js';
import path from 'node:path';
import { topicNames } from '@rotation/schemas';
import { BENCH_DIR, runWorker } from '../children.js';
import type { BenchContext } from '../context.js';
import { javaProducerPerformance } from '../java-producer.js';
import type { IngestResult } from '../results.js';
import { ratio } from '../stats.js';
import { meanRecordBytes, recordPool } from '../ticks.js';
import { createTicksTopic } from './detector.js';
import { loadConfig } from '@rotation/config';

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

/**
 * Ingester vs the bare kafkajs producer, interleaved (bare, ingester, bare, ingester) so that
 * drift of a noisy machine hits both alike; each figure is the mean of its runs. Then Kafka's
 * own Java producer on the same broker, same record size.
 */
export async function runIngest(ctx: BenchContext): Promise<IngestResult> {
  const seconds = ctx.quick ? 3 : 6;
  const rounds = ctx.quick ? 1 : 2;
  const bare: ProduceOut[] = [];
  const ing: ProduceOut[] = [];
  const plat: ProduceOut[] = [];
  let ingesterError: string | undefined;
  let platformaticError: string | undefined;
  for (let r = 0; r < rounds; r++) {
    const nsBare = ctx.namespace(`ingest-bare-${r}`);
    await createTicksTopic(ctx, nsBare, PARTITIONS);
    const envBare = ctx.env({ ROTATION_NAMESPACE: nsBare, KAFKA_TICKS_PARTITIONS: String(PARTITIONS) });
    const b = await runWorker<ProduceOut>(PRODUCE, ['--mode', 'bare', '--seconds', String(seconds), '--batch', String(INGESTER_BATCH_RECORDS)], { env: envBare, timeoutMs: (seconds + 60) * 1000 });
    ctx.log(`  bare kafkajs producer: ${b.ticksPerSec} ticks/s`);
    bare.push(b);
    // The other client's ceiling, same settings, right after kafkajs' in the same round.
    if (!platformaticError) {
      try {
        const nsPlat = ctx.namespace(`ingest-plat-${r}`);
        await createTicksTopic(ctx, nsPlat, PARTITIONS);
        const envPlat = ctx.env({ ROTATION_NAMESPACE: nsPlat, KAFKA_TICKS_PARTITIONS: String(PARTITIONS) });
        const p = await runWorker<ProduceOut>(PLATFORMATIC, ['--mode', 'produce', '--seconds', String(seconds), '--batch', String(INGESTER_BATCH_RECORDS)], { env: envPlat, timeoutMs: (seconds + 60) * 1000 });
        ctx.log(`  bare @platformatic/kafka producer: ${p.ticksPerSec} ticks/s`);
        plat.push(p);
      } catch (e) {
        platformaticError = (e as Error).message.slice(0, 500);
        ctx.log(`  @platformatic/kafka producer failed: ${platformaticError}`);
      }
    }
    if (ingesterError) continue;
    try {
      const nsIng = ctx.namespace(`ingest-svc-${r}`);
      await createTicksTopic(ctx, nsIng, PARTITIONS);
      const envIng = ctx.env({ ROTATION_NAMESPACE: nsIng, KAFKA_TICKS_PARTITIONS: String(PARTITIONS), INGESTER_HTTP_PORT: '0' });
      const i = await runWorker<ProduceOut>(PRODUCE, ['--mode', 'ingester', '--seconds', String(seconds), ...(ctx.cpuProfDir ? [] : [])], {
        env: envIng,
        timeoutMs: (seconds + 60) * 1000,
        ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `ingester`) } : {}),
      });
      ctx.log(`  ingester (${i.path}): ${i.ticksPerSec} ticks/s`);
      ing.push(i);
    } catch (e) {
      ingesterError = (e as Error).message;
      ctx.log(`  ingester failed: ${ingesterError}`);
    }
  }
  const mean = (xs: ProduceOut[]) => (xs.length === 0 ? Number.NaN : Math.round(xs.reduce((s, x) => s + x.ticks, 0) / xs.reduce((s, x) => s + x.seconds, 0)));
  const kafkajsCeiling = mean(bare);
  const ingester = mean(ing);
  const platformaticCeiling = plat.length ? mean(plat) : null;

  const symbols = loadConfig(ctx.env()).universe.symbols;
  const pool = recordPool(symbols, 5_000);
  const recordBytes = meanRecordBytes(pool);
  let java: number | null = null;
  let javaError: string | undefined;
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
    java = Math.round(res.recordsPerSec);
    ctx.log(`  Java ProducerPerformance: ${res.line}`);
  } catch (e) {
    javaError = (e as Error).message.slice(0, 500);
    ctx.log(`  Java ProducerPerformance failed: ${javaError}`);
  }
  if (ingesterError && ing.length === 0) {
    ctx.notes.ingest = `ingester not measured (${ingesterError.slice(0, 300)}); ceilings still taken`;
  } else {
    ctx.notes.ingest = `ingester = ${ing[0]?.path ?? '?'}; ceilings = bare kafkajs sendBatch loop (idempotent, acks -1, one request in flight, ${INGESTER_BATCH_RECORDS} records/request, pre-serialised ${recordBytes}-byte tick JSON keyed by symbol) and Java ProducerPerformance (acks=all, idempotent, linger 5 ms, batch.size = the bytes of one ingester request per partition, default 5 requests in flight, ${recordBytes}-byte unkeyed records); ${rounds}×${seconds} s interleaved runs, ${PARTITIONS} partitions each; bare @platformatic/kafka producer (same: idempotent, acks -1, each send of ${INGESTER_BATCH_RECORDS} records awaited, same pre-serialised records) right after each kafkajs run`;
  }
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
