import { setTimeout as sleep } from 'node:timers/promises';
import { loadUniverseFile, DEFAULT_UNIVERSE_FILE } from '@rotation/config';
import { topicNames } from '@rotation/schemas';
import { cpuProfFlags, spawnTs, tail } from '../children.js';
import type { BenchContext } from '../context.js';
import { watchCommits } from '../offsets.js';
import type { RulesRow } from '../results.js';
import { benchRules } from '../rule-mix.js';
import { requireService } from '../services.js';
import { ratio } from '../stats.js';
import { createTicksTopic, detectorGroupId, prefill } from './detector.js';

export const RULE_COUNTS = [0, 1_000, 10_000] as const;

/** Writes `count` rule records to `<ns>.rules` (created with the ticks topic) before the detector starts. */
async function writeRules(ctx: BenchContext, ns: string, count: number): Promise<void> {
  const topic = topicNames(ns).rules;
  if (count === 0) return;
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const records = benchRules(count, loadUniverseFile(DEFAULT_UNIVERSE_FILE));
    for (let i = 0; i < records.length; i += 1_000) {
      const messages = records.slice(i, i + 1_000).map((r) => ({ key: r.id, value: JSON.stringify(r) }));
      // A just-created topic's leader can lag the client's metadata for a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await producer.send({ topic, acks: -1, messages });
          break;
        } catch (e) {
          if (attempt >= 50) throw e;
          await sleep(200);
        }
      }
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * The detector's throughput with 0, 1,000 and 10,000 active user rules, each on its own
 * pre-filled topic of the same ticks, timed by the same observer of committed offsets as the
 * detector section; reported against the run without rules, taken in the same run.
 */
export async function runRules(ctx: BenchContext): Promise<RulesRow[]> {
  const total = ctx.quick ? 40_000 : 200_000;
  const rows: RulesRow[] = [];
  let base: number | null = null;
  for (const count of RULE_COUNTS) {
    const ns = ctx.namespace(`rules${count}`);
    await createTicksTopic(ctx, ns);
    await writeRules(ctx, ns, count);
    ctx.log(`  ${count} rules: pre-filling ${total} ticks...`);
    await prefill(ctx, ns, total);
    const det = spawnTs(requireService('detector'), [], {
      env: ctx.env({ ROTATION_NAMESPACE: ns, DETECTOR_HTTP_PORT: '0' }),
      ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `detector-rules${count}`) } : {}),
    });
    let progress;
    try {
      progress = await watchCommits(ctx.kafka, { groupId: detectorGroupId(ns), topic: topicNames(ns).ticks, total, timeoutMs: ctx.quick ? 120_000 : 300_000, isAlive: () => det.proc.exitCode === null });
    } catch (e) {
      throw new Error(`${(e as Error).message}; detector stderr: ${tail(det.stderr())}`);
    } finally {
      await det.stop(15_000);
    }
    base ??= progress.perSec;
    rows.push({ rules: count, ticksPerSec: progress.perSec, ratioToNoRules: ratio(progress.perSec, base) });
    ctx.log(`  ${count} rules: ${progress.perSec} ticks/s`);
  }
  ctx.notes.rules = `${total.toLocaleString('en-US')} ticks per run (as the detector section: 6 partitions, event time +250 ms per tick, 1-minute steps), rules written to <ns>.rules before the detector starts (a mix of pair, sector, symbol, leader, quadrant and breadth rules over 100 owners, bench/src/rule-mix.ts); rate from the group's committed offsets, as for the detector; ratio = ticks/s over the run without rules in the same bench run`;
  return rows;
}

