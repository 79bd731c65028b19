import { cpuProfFlags } from '../children.js';
import path from 'node:path';
import { BENCH_DIR, runWorker, spawnTs, tail } from '../children.js';
import type { BenchContext } from '../context.js';
import { startGatewayChild } from '../gateway.js';
import type { LatencyRow } from '../results.js';
import { freePort } from '@rotation/infra';
import { requireService } from '../services.js';
import { writeUniverse } from '../universe.js';
import { PARTITIONS, createTicksTopic } from './detector.js';

const LATENCY = path.join(BENCH_DIR, 'src/workers/latency.ts');
/** Samples a rate must have before its p99.9 means anything (a fixed rate goes on, up to MAX_SECONDS, until it has them). */
export const MIN_SAMPLES = 1_000;
/** The longest a fixed rate may run to collect them (the bisection runs take --seconds only). */
const MAX_SECONDS = 60;

/**
 * Detector settings for the latency run: 20 ms steps (up to fifty evaluations, so fifty latency
 * samples, per second: 1,000 samples take 20 s; with the 200 ms steps used before, a run gave 31
 * samples and its "p99" was its maximum) and no allowed lateness, so that a
 * tick's effect is due as soon as the system can deliver it (with the default one-minute steps
 * and lateness, an event would wait up to two minutes of event time by design, which is not
 * the system's latency). Intraday windows shortened to match (multiples of the step, and the
 * ring the detector keeps per symbol is the longest intraday window in steps).
 */
export const LATENCY_UNIVERSE_OVERRIDES = {
  // 1d: the size regime is decided at session closes and must have a window of a session or
  // more (the detector refuses to start otherwise); it adds no per-step ring. 1s: a spread that
  // moves from the first second on, so that every step changes the spreads channel (the gateway
  // sends a state event only when its value changed; 1m and 5m are null until they are warm).
  windows: ['1s', '1m', '5m', '1d'],
  detector: { historyBucket: 20, allowedLateness: 0, sizeRegime: { window: '1d' }, breadthThrust: { window: '5m' } },
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
  const detectorPort = await freePort();
  const det = spawnTs(detectorMain, [], {
    env: ctx.env({ ...env, DETECTOR_HTTP_PORT: String(detectorPort) }),
    ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `detector-latency`) } : {}),
  });
  try {
    const gw = await startGatewayChild(ctx, ns, 'latency');
    try {
      const seconds = ctx.quick ? 3 : 20;
      const minSamples = ctx.quick ? 0 : MIN_SAMPLES;
      const rates = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 50_000];
      const args = ['--url', gw.wsUrl, '--seconds', String(seconds), '--min-samples', String(minSamples), '--max-seconds', String(ctx.quick ? seconds : MAX_SECONDS)];
      args.push('--rates', rates.join(','), '--partitions', String(PARTITIONS), '--search', ctx.quick ? 'false' : 'true', '--detector-metrics', `http://127.0.0.1:${detectorPort}/metrics`);
      const out = await runWorker<WorkerOut>(LATENCY, args, {
        env: ctx.env(env),
        timeoutMs: 8 * 60_000,
      });
      for (const r of out.rows) {
        const load = r.detectorLoad as { batchesPerSec: number; busyShare: number; meanBatchMs: number | null } | null | undefined;
        const busy = load ? `; detector ${load.batchesPerSec} batches/s, busy ${load.busyShare}, ${load.meanBatchMs} ms per batch` : '';
        ctx.log(`  ${r.offeredTicksPerSec} ticks/s offered, ${r.achievedTicksPerSec} achieved: p50 ${r.p50Ms} p99 ${r.p99Ms} ms (${r.samples} samples)${r.sustained ? '' : ' not sustained'}${busy}`);
        const hops = Object.entries((r.hops ?? {}) as Record<string, { p50Ms: number | null; p99Ms: number | null; samples: number }>);
        ctx.log(`    hops p50/p99 ms: ${hops.map(([k, h]) => `${k} ${h.p50Ms}/${h.p99Ms} (${h.samples})`).join(', ')}`);
      }
      const best = out.rows.filter((r) => r.sustained).sort((a, b) => b.offeredTicksPerSec - a.offeredTicksPerSec)[0];
      for (const r of out.rows) if (r === best) r.highestSustained = true;
      ctx.notes.latency =
        `latency = websocket receive time - push time (into the ingester's BatchingProducer, 5 ms linger) of the tick that caused the event, one process, one clock. ` +
        `"Caused": the detector evaluates the ${out.stepMs} ms event-time step ending at T once every one of its ${out.lanes} lanes has a tick later than T + ${out.latenessMs} ms; ` +
        `the last such tick to be pushed is the cause of every event for T: a "spreads" state event whose snapshot has asOf = T (version -> asOf read from <ns>.snapshots) or an alert with eventTime = T. ` +
        `Alerts alone are too rare at a steady tick rate, so state events are the bulk of the samples. Detector with ${out.stepMs} ms steps and zero allowed lateness (LATENCY_UNIVERSE_OVERRIDES); event time = the wall clock's progress from 10:00 New York on a trading day (2024-01-02), so a run after the close still has a session; windows 1s, 1m, 5m, 1d (1s moves the spreads from the first second). ` +
        `HDR histogram (µs, 3 significant digits), one sample per snapshot version (or alert) that reached the client. ${seconds} s per rate (longer, up to ${MAX_SECONDS} s, until ${MIN_SAMPLES} samples; the two bisection runs ${Math.round(seconds * 0.75)} s) after a 3 s warm-up; the detector's backlog is drained between rates. ` +
        `hops per row: push -> producer ack; cause acked -> snapshot record timestamp (detector); record timestamp -> a bench consumer has it (outbox -> topic); that -> websocket receive (gateway); detector_process/commit/publish from the detector's detector_batch_phase_seconds (bucket-interpolated). ` +
        `Sustained = achieved >= 95 % of offered, >= 2.5 samples per second (a version every 400 ms at least), p99 < 1 s; the highest sustained rate is found by geometric bisection after the fixed rates.`;
      return out.rows;
    } finally {
      await gw.child.stop();
    }
  } finally {
    // A detector that refused to start (its settings are checked at start) shows up as 0 samples: say why.
    if (det.proc.exitCode !== null) ctx.log(`  detector exited ${det.proc.exitCode}: ${tail(det.stderr() + det.stdout())}`);
    await det.stop(15_000);
  }
}
