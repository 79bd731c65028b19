import { setTimeout as sleep } from 'node:timers/promises';
import { topicNames } from '@rotation/schemas';
import { rssMb, spawnTs, tail } from '../children.js';
import type { BenchContext } from '../context.js';
import { watchCommits } from '../offsets.js';
import type { MemoryRow } from '../results.js';
import { requireService } from '../services.js';
import { linearFit } from '../stats.js';
import { writeUniverse } from '../universe.js';
import { createTicksTopic, detectorGroupId, prefill } from './detector.js';

/**
 * Event time covered by the feed. 30 minutes (30 one-minute steps) and not the 7-day window:
 * the detector evaluates every step over every symbol, so 8 days x 5,000 symbols would take
 * far longer than the whole bench may. The close rings are preallocated for the longest
 * window (Float64Array per symbol), so their share is in the figure anyway.
 */
const SPAN_MS = 30 * 60_000;
/** A size that has not caught up by then is reported with the RSS reached, marked partial. */
const MAX_WAIT_MS = 40_000;

/**
 * Detector RSS by universe size: a generated universe (the default one plus constituents up to
 * N symbols), K ticks per symbol spread over SPAN_MS of event time, the detector as a child
 * process reading them all; VmRSS once everything is checkpointed.
 */
export async function runMemory(ctx: BenchContext): Promise<MemoryRow[]> {
  const main = requireService('detector');
  const sizes = ctx.quick ? [100, 1_000] : [100, 1_000, 5_000];
  const perSymbol = ctx.quick ? 3 : 4;
  const rows: MemoryRow[] = [];
  for (const symbols of sizes) {
    const ns = ctx.namespace(`memory-${symbols}`);
    const uni = await writeUniverse(ctx.tmpDir, `mem-${symbols}`, { total: symbols });
    const total = uni.symbols * perSymbol;
    try {
      await createTicksTopic(ctx, ns);
      await prefill(ctx, ns, total, { ROTATION_UNIVERSE_FILE: uni.file }, Math.max(1, Math.floor(SPAN_MS / total)));
      const det = spawnTs(main, [], { env: ctx.env({ ROTATION_NAMESPACE: ns, DETECTOR_HTTP_PORT: '0', ROTATION_UNIVERSE_FILE: uni.file }) });
      try {
        let partial: string | undefined;
        const done = await watchCommits(ctx.kafka, { groupId: detectorGroupId(ns), topic: topicNames(ns).ticks, total, timeoutMs: MAX_WAIT_MS, isAlive: () => det.proc.exitCode === null }).catch((e: unknown) => {
          if (det.proc.exitCode !== null) throw new Error(`${(e as Error).message}; detector stderr: ${tail(det.stderr())}`);
          partial = (e as Error).message;
          return undefined;
        });
        await sleep(1_000);
        const rss = await rssMb(det.pid);
        ctx.log(`  ${uni.symbols} symbols: RSS ${rss?.toFixed(1)} MB after ${total} ticks${partial ? ` (PARTIAL: ${partial})` : ''}`);
        rows.push({
          symbols: uni.symbols,
          rssMb: rss === null ? null : Math.round(rss * 10) / 10,
          ticks: total,
          ...(done ? { catchUpSec: Math.round((done.tEnd - done.tFirst) / 100) / 10 } : {}),
          ...(partial ? { partial } : {}),
        });
      } finally {
        await det.stop(15_000);
      }
    } catch (e) {
      ctx.log(`  ${symbols} symbols failed: ${(e as Error).message}`);
      rows.push({ symbols: uni.symbols, rssMb: null, ticks: total, error: (e as Error).message.slice(0, 500) });
    }
  }
  const fit = linearFit(rows.filter((r) => r.rssMb !== null).map((r) => ({ x: r.symbols, y: r.rssMb! })));
  ctx.notes.memory = `${perSymbol} ticks per symbol over ${SPAN_MS / 60_000} min of event time (${SPAN_MS / 60_000} one-minute steps, each evaluated over every symbol), default detector settings; RSS = /proc/<pid>/status VmRSS of the detector child after all ticks are checkpointed` +
    (fit ? `; least-squares fit: ${(fit.slope * 1024).toFixed(1)} KB per symbol + ${fit.intercept.toFixed(0)} MB (r² ${fit.r2.toFixed(3)})` : '');
  return rows;
}
