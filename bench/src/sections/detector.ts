import { cpuProfFlags } from '../children.js';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicNames } from '@rotation/schemas';
import { freePort } from '@rotation/infra';
import { BENCH_DIR, cpuSecondsOf, runWorker, spawnTs, tail } from '../children.js';
import { detectorBudget } from '../detector-budget.js';
import type { BenchContext } from '../context.js';
import { watchCommits } from '../offsets.js';
import type { DetectorResult } from '../results.js';
import { requireService } from '../services.js';
import { ratio } from '../stats.js';

const PRODUCE = path.join(BENCH_DIR, 'src/workers/produce.ts');
const CONSUME = path.join(BENCH_DIR, 'src/workers/consume.ts');
const PLATFORMATIC = path.join(BENCH_DIR, 'src/workers/platformatic.ts');
export const PARTITIONS = 6;

/** The detector's consumer group for a namespace (services/detector/src/main.ts). */
export function detectorGroupId(ns: string): string {
  return `${ns}.detector`;
}

/**
 * The namespace's topics as ensureTopics lays them out, but <ns>.ticks with time retention off:
 * ticks carry event time as the record timestamp, and a 2024 event time is older than the
 * broker's 7-day retention, so the broker would delete a pre-filled topic before anyone read it.
 * One createTopics call (waiting for leaders), then retried metadata until every partition has
 * a leader: kafkajs' metadata cache lags a fresh topic by a moment.
 */
export async function createTicksTopic(ctx: BenchContext, ns: string, partitions = PARTITIONS): Promise<void> {
  const t = topicNames(ns);
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: t.ticks, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
        { topic: t.ticksDlq, numPartitions: 1, replicationFactor: 1 },
        { topic: t.alerts, numPartitions: 1, replicationFactor: 1 },
        { topic: t.snapshots, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        { topic: t.rules, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    for (let i = 0; i < 50; i++) {
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [t.ticks, t.alerts, t.snapshots, t.ticksDlq, t.rules] });
        if (meta.topics.every((m) => m.partitions.every((p) => p.leader >= 0))) return;
      } catch {
        /* not propagated yet */
      }
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Fills <ns>.ticks with `count` fresh ticks (event time advancing by stepMs), through the bare producer. */
export async function prefill(ctx: BenchContext, ns: string, count: number, extraEnv: Record<string, string> = {}, stepMs = 250): Promise<void> {
  await runWorker(PRODUCE, ['--mode', 'bare', '--count', String(count), '--step-ms', String(stepMs)], {
    env: ctx.env({ ROTATION_NAMESPACE: ns, KAFKA_TICKS_PARTITIONS: String(PARTITIONS), ...extraEnv }),
    timeoutMs: 180_000,
  });
}

/**
 * One pre-filled topic; first the bare consumer reads all of it, then the detector does, each
 * in its own group from the beginning. Both are timed by the same observer of committed
 * offsets, so "detector" means consumed, analysed, written to Redis and checkpointed.
 */
export async function runDetector(ctx: BenchContext): Promise<DetectorResult> {
  const ns = ctx.namespace('detector');
  const total = ctx.quick ? 100_000 : 500_000;
  await createTicksTopic(ctx, ns);
  ctx.log(`  pre-filling ${total} ticks...`);
  await prefill(ctx, ns, total);
  const topic = topicNames(ns).ticks;

  const bareGroup = `${ns}.bare`;
  const bare = spawnTs(CONSUME, ['--group', bareGroup], { env: ctx.env({ ROTATION_NAMESPACE: ns }) });
  const bareCpu = cpuFromFirstCommit(bare.proc.pid);
  let ceiling;
  try {
    ceiling = await watchCommits(ctx.kafka, { groupId: bareGroup, topic, total, timeoutMs: 180_000, isAlive: () => bare.proc.exitCode === null, onFirst: bareCpu.start });
    await bareCpu.end();
  } finally {
    await bare.stop();
  }
  ctx.log(`  bare kafkajs consumer: ${ceiling.perSec} ticks/s`);

  // The other client on the same topic, same settings, timed by the same observer.
  const platGroup = `${ns}.platformatic`;
  const plat = spawnTs(PLATFORMATIC, ['--mode', 'consume', '--group', platGroup], { env: ctx.env({ ROTATION_NAMESPACE: ns }) });
  let platformatic: { perSec: number } | null = null;
  let platformaticError: string | undefined;
  try {
    platformatic = await watchCommits(ctx.kafka, { groupId: platGroup, topic, total, timeoutMs: 180_000, isAlive: () => plat.proc.exitCode === null });
    ctx.log(`  bare @platformatic/kafka consumer: ${platformatic.perSec} ticks/s`);
  } catch (e) {
    platformaticError = `${(e as Error).message.slice(0, 300)}; ${tail(plat.stderr() + plat.stdout())}`;
    ctx.log(`  @platformatic/kafka consumer failed: ${platformaticError}`);
  } finally {
    await plat.stop();
  }

  const main = requireService('detector');
  const metricsPort = await freePort();
  const det = spawnTs(main, [], {
    env: ctx.env({ ROTATION_NAMESPACE: ns, DETECTOR_HTTP_PORT: String(metricsPort) }),
    ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `detector`) } : {}),
  });
  const detCpu = cpuFromFirstCommit(det.proc.pid);
  let detector;
  let metricsText = '';
  try {
    detector = await watchCommits(ctx.kafka, { groupId: detectorGroupId(ns), topic, total, timeoutMs: ctx.quick ? 120_000 : 240_000, isAlive: () => det.proc.exitCode === null, onFirst: detCpu.start });
    await detCpu.end();
    metricsText = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
  } catch (e) {
    throw new Error(`${(e as Error).message}; detector stderr: ${tail(det.stderr())}`);
  } finally {
    await det.stop(15_000);
  }
  ctx.log(`  detector: ${detector.perSec} ticks/s`);
  ctx.notes.detector = `${total.toLocaleString('en-US')} ticks pre-filled on ${PARTITIONS} partitions (${ctx.quick ? '' : ''}event time +250 ms per tick, universe symbols round-robin); rate = records committed between the first and the last poll of the group's committed offsets (every 100 ms), for the bare kafkajs consumer (createConsumer defaults, eachBatch empty), the bare @platformatic/kafka consumer (same fetch and session settings, a no-op 'data' handler, autocommit after every fetch) and the detector alike`;
  return {
    ticksPerSec: detector.perSec,
    kafkajsConsumerCeiling: ceiling.perSec,
    ratio: ratio(detector.perSec, ceiling.perSec),
    ticks: total,
    platformaticConsumerCeiling: platformatic?.perSec ?? null,
    platformaticToKafkajs: platformatic ? ratio(platformatic.perSec, ceiling.perSec) : null,
    ...(platformaticError ? { platformaticError } : {}),
    measuredTicks: { bare: total - ceiling.committedFirst, detector: total - detector.committedFirst },
    budgetUsPerTick: detectorBudget(
      { perSec: ceiling.perSec, cpuSeconds: bareCpu.seconds(), ticks: total - ceiling.committedFirst },
      { perSec: detector.perSec, cpuSeconds: detCpu.seconds(), ticks: total - detector.committedFirst },
      metricsText,
      total,
    ),
  };
}

/** A process's CPU seconds between `start` (the first poll that saw commits) and `end`. */
function cpuFromFirstCommit(pid: number | undefined) {
  let first: Promise<number | null> = Promise.resolve(null);
  let spent: number | null = null;
  return {
    start: () => void (first = pid === undefined ? Promise.resolve(null) : cpuSecondsOf(pid)),
    end: async () => {
      const [a, b] = [await first, pid === undefined ? null : await cpuSecondsOf(pid)];
      spent = a === null || b === null ? null : Math.round((b - a) * 100) / 100;
    },
    seconds: () => spent,
  };
}
