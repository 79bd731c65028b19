import { cpuProfFlags } from '../children.js';
import path from 'node:path';
import { BENCH_DIR, runWorker, spawnTs } from '../children.js';
import type { BenchContext } from '../context.js';
import { startGatewayChild } from '../gateway.js';
import type { LatencyRow } from '../results.js';
import { requireService } from '../services.js';
import { writeUniverse } from '../universe.js';
import { PARTITIONS, createTicksTopic } from './detector.js';

const LATENCY = path.join(BENCH_DIR, 'src/workers/latency.ts');

/**
 * Detector settings for the latency run: 200 ms steps (five evaluations, so five latency
 * samples, per second) and no allowed lateness, so that a
 * tick's effect is due as soon as the system can deliver it (with the default one-minute steps
 * and lateness, an event would wait up to two minutes of event time by design, which is not
 * the system's latency). Windows shortened to match (windows must be multiples of the step).
 */
export const LATENCY_UNIVERSE_OVERRIDES = {
  windows: ['1m', '5m'],
  detector: { historyBucket: 200, allowedLateness: 0, sizeRegime: { window: '5m' }, breadthThrust: { window: '5m' } },
};

interface WorkerOut {
  rows: LatencyRow[];
  stepMs: number;
  latenessMs: number;
  lanes: number;
}

export async function runLatency(ctx: BenchContext): Promise<LatencyRow[]> {
  const detectorMain = requireService('detector');
  requireService('gateway');
  const ns = ctx.namespace('latency');
  const uni = await writeUniverse(ctx.tmpDir, 'latency', { overrides: LATENCY_UNIVERSE_OVERRIDES });
  await createTicksTopic(ctx, ns);
  const env = { ROTATION_NAMESPACE: ns, ROTATION_UNIVERSE_FILE: uni.file };
  const det = spawnTs(detectorMain, [], {
    env: ctx.env({ ...env, DETECTOR_HTTP_PORT: '0' }),
    ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `detector-latency`) } : {}),
  });
  try {
    const gw = await startGatewayChild(ctx, ns, 'latency');
    try {
      const seconds = ctx.quick ? 3 : 6;
      const rates = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 50_000];
      const out = await runWorker<WorkerOut>(LATENCY, ['--url', gw.wsUrl, '--seconds', String(seconds), '--rates', rates.join(','), '--partitions', String(PARTITIONS), '--search', ctx.quick ? 'false' : 'true'], {
        env: ctx.env(env),
        timeoutMs: 8 * 60_000,
      });
      for (const r of out.rows) ctx.log(`  ${r.offeredTicksPerSec} ticks/s offered, ${r.achievedTicksPerSec} achieved: p50 ${r.p50Ms} p99 ${r.p99Ms} ms (${r.samples} samples)${r.sustained ? '' : ' not sustained'}`);
      const best = out.rows.filter((r) => r.sustained).sort((a, b) => b.offeredTicksPerSec - a.offeredTicksPerSec)[0];
      for (const r of out.rows) if (r === best) r.highestSustained = true;
      ctx.notes.latency =
        `latency = websocket receive time - push time (into the ingester's BatchingProducer, 5 ms linger) of the tick that caused the event, one process, one clock. ` +
        `"Caused": the detector evaluates the ${out.stepMs} ms event-time step ending at T once every one of its ${out.lanes} lanes has a tick later than T + ${out.latenessMs} ms; ` +
        `the last such tick to be pushed is the cause of every event for T: a "spreads" state event whose snapshot has asOf = T (version -> asOf read from <ns>.snapshots) or an alert with eventTime = T. ` +
        `Alerts alone are too rare at a steady tick rate, so state events are the bulk of the samples. Detector with ${out.stepMs} ms steps and zero allowed lateness (LATENCY_UNIVERSE_OVERRIDES); event time = wall clock. ` +
        `HDR histogram (µs, 3 significant digits). ${seconds} s per rate after a 3 s warm-up; the detector's backlog is drained between rates. ` +
        `Sustained = achieved >= 95 % of offered, >= half the expected events, p99 < 1 s; the highest sustained rate is found by geometric bisection after the fixed rates.`;
      return out.rows;
    } finally {
      await gw.child.stop();
    }
  } finally {
    await det.stop(15_000);
  }
}
