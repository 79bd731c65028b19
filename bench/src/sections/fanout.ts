import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '@rotation/kafka';
import type { Alert } from '@rotation/schemas';
import { topicNames } from '@rotation/schemas';
import { BENCH_DIR, cpuSecondsOf, rssMb, spawnTs, tail, type ChildHandle } from '../children.js';
import type { BenchContext } from '../context.js';
import { startGatewayChild, type GatewayChild } from '../gateway.js';
import type { FanoutRow, FanoutStep } from '../results.js';
import { decodeHistogram, summarize } from '../stats.js';
import { createTicksTopic } from './detector.js';

const LOAD = path.join(BENCH_DIR, 'src/workers/ws-raw-load.ts');

/**
 * Offered frames/s, stepped over the same connections until the gateway no longer keeps up:
 * every alert goes to every client at once, so alerts/s = frames/s / clients. The first step
 * (20,000 frames/s: 2 alerts/s at 10k clients, as the table) is the row's p99.
 */
export const OFFERED_FRAMES_PER_SEC = [20_000, 50_000, 100_000, 200_000, 400_000];
/** A step keeps up when this share of the offered frames arrived by the end of its grace period. */
const KEPT_UP = 0.95;
const GRACE_MS = 1_500;

function benchAlert(seq: number, sentAtMs: number): Alert {
  return {
    id: `bench-${seq}`,
    kind: 'spread_zscore',
    severity: 'info',
    subject: 'IWM/SPY',
    window: '1d',
    eventTime: new Date(Math.floor(sentAtMs)).toISOString(),
    message: `bench fan-out alert ${seq}: IWM/SPY spread z-score 2.10 over 1d`,
    metrics: { zScore: 2.1, spreadPp: 1.25, benchSentAtMs: sentAtMs },
    seq,
  };
}

/** The open-file hard limit children get (spawnTs raiseFdLimit): one fd per connection on both sides. */
function fdHardLimit(): number {
  try {
    return Number(execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

export async function runFanout(ctx: BenchContext): Promise<FanoutRow[]> {
  // 20k clients need 20k fds in the gateway and in the load process: capped below the hard
  // limit (with room for Kafka, Redis and the process's own), and said so in the row.
  const maxClients = fdHardLimit() - 500;
  const counts = (ctx.quick ? [200, 1_000] : [1_000, 10_000, 20_000]).map((c) => Math.min(c, maxClients));
  const seconds = ctx.quick ? 2 : 4;
  const ladder = ctx.quick ? OFFERED_FRAMES_PER_SEC.slice(0, 2) : OFFERED_FRAMES_PER_SEC;
  const rows: FanoutRow[] = [];
  for (const clients of counts) {
    try {
      rows.push(await fanoutClients(ctx, clients, seconds, ladder));
    } catch (e) {
      ctx.log(`  ${clients} clients failed: ${(e as Error).message}`);
      rows.push({ clients, connected: 0, deliveredPerSec: 0, p50Ms: null, p99Ms: null, rssMbPer1kClients: null, gatewayRssMb: null, error: (e as Error).message.slice(0, 500) });
    }
  }
  ctx.notes.fanout =
    `N clients on raw TCP sockets in one load process (workers/ws-raw-load.ts: frames split by header, counted by the bench mark, no ws library), subscribed to "alerts"; alerts produced to <ns>.alerts so that clients x alerts/s = ${ladder.map((f) => f.toLocaleString('en-US')).join(' / ')} frames/s offered, ${seconds} s per step + ${GRACE_MS / 1000} s grace, over the same connections until a step delivers < ${KEPT_UP * 100} % of what it offered. ` +
    `Row p50/p99/deliveredPerSec = the first step (${ladder[0]!.toLocaleString('en-US')} frames/s); saturationFramesPerSec = frames delivered per second in the first step that did not keep up (the gateway's throughput while backlogged), or the last offered rate as a lower bound (saturated: false). ` +
    `Latency = receive time - produce time (Kafka hop + gateway fan-out), HDR, from every frame of 1 socket in 8. gatewayCpu / loadCpu per step = CPU seconds per second of each process (1.0 = one core): the gateway must be the one at its limit. RSS per 1k = (gateway VmRSS with N idle subscribed clients - VmRSS before any client) / (N/1000), a fresh gateway per client count`;
  return rows;
}

interface LoadWindow {
  event: 'window';
  frames: number;
  seconds: number;
  cpuSeconds: number;
  closed: number;
  histogram: string;
}

/** Asks the load process for the window since its previous report (SIGUSR2) and waits for it. */
function takeWindow(load: ChildHandle, windows: LoadWindow[]): Promise<LoadWindow> {
  const n = windows.length;
  load.proc.kill('SIGUSR2');
  return (async () => {
    for (let i = 0; i < 200 && windows.length === n; i++) await sleep(25);
    const w = windows[n];
    if (!w) throw new Error(`load process did not report: ${tail(load.stderr())}`);
    return w;
  })();
}

interface ConnectedReport {
  connected: number;
  failed: number;
  failures?: string[];
  connectSeconds: number;
}

interface LoadProcess {
  handle: ChildHandle;
  /** The window reports it has printed so far (takeWindow asks for the next). */
  windows: LoadWindow[];
  /** Its "connected" report; undefined when it exited or 180 s passed first. */
  connected: Promise<ConnectedReport | undefined>;
}

function spawnLoad(ctx: BenchContext, wsUrl: string, clients: number): LoadProcess {
  let report: ConnectedReport | undefined;
  const windows: LoadWindow[] = [];
  let onConnected: () => void = () => undefined;
  const connectedP = new Promise<void>((r) => (onConnected = r));
  const handle = spawnTs(LOAD, ['--url', wsUrl, '--clients', String(clients)], {
    env: ctx.env(),
    raiseFdLimit: true,
    onStdoutLine: (line) => {
      if (line.includes('"event":"connected"')) {
        report = JSON.parse(line) as ConnectedReport;
        onConnected();
      } else if (line.includes('"event":"window"')) windows.push(JSON.parse(line) as LoadWindow);
    },
  });
  const connected = Promise.race([connectedP, handle.exited, sleep(180_000)]).then(() => report);
  return { handle, windows, connected };
}

/** Waits for the load process's clients; fewer than 95 % subscribed is not a measurement. */
async function awaitSubscribed(ctx: BenchContext, load: LoadProcess, gw: GatewayChild, clients: number): Promise<ConnectedReport> {
  const report = await load.connected;
  if (!report) throw new Error(`load process did not connect: ${tail(load.handle.stderr())}`);
  const { connected } = report;
  ctx.log(`  ${connected}/${clients} clients subscribed in ${report.connectSeconds.toFixed(1)} s`);
  if (connected < 0.95 * clients) throw new Error(`only ${connected} of ${clients} clients could subscribe (${(report.failures ?? []).join('; ')}); gateway: ${tail(gw.child.stderr() + gw.child.stdout(), 3)}`);
  return report;
}

const now = () => performance.timeOrigin + performance.now();

/** Produces alerts at `alertsPerSec` for `seconds`, numbered on from `seq`; returns how many it sent. */
async function offerAlerts(producer: Producer, topic: string, alertsPerSec: number, seconds: number, seq: { next: number }): Promise<number> {
  const t0 = now();
  let sent = 0;
  while (now() - t0 < seconds * 1000) {
    const due = Math.floor(((now() - t0) / 1000) * alertsPerSec) - sent;
    if (due > 0) {
      // At most 1,000 alerts (~400 kB) per request: the broker refuses requests over 1 MB.
      const n = Math.min(due, 1_000);
      const at = now();
      const messages = Array.from({ length: n }, () => ({ key: 'alerts', value: JSON.stringify(benchAlert(++seq.next, at)) }));
      sent += n;
      await producer.send({ topic, acks: -1, messages });
    }
    await sleep(5);
  }
  return sent;
}

/** One step's figures from the load process's window and the gateway's CPU seconds around it. */
function stepOf(w: LoadWindow, expected: number, alertsPerSec: number, seconds: number, gwCpu0: number | null, gwCpu1: number | null): FanoutStep {
  const s = summarize(decodeHistogram(w.histogram));
  return {
    offeredFramesPerSec: Math.round(expected / seconds),
    alertsPerSec: Math.round(alertsPerSec * 100) / 100,
    deliveredPerSec: Math.round(w.frames / seconds),
    deliveredShare: expected ? Math.round((w.frames / expected) * 1000) / 1000 : 0,
    keptUp: w.frames >= KEPT_UP * expected,
    samples: s.count,
    p50Ms: s.count ? s.p50Ms : null,
    p99Ms: s.count ? s.p99Ms : null,
    p999Ms: s.count ? s.p999Ms : null,
    gatewayCpu: gwCpu0 === null || gwCpu1 === null ? null : Math.round(((gwCpu1 - gwCpu0) / w.seconds) * 100) / 100,
    loadCpu: Math.round((w.cpuSeconds / w.seconds) * 100) / 100,
    // On a shared machine the gateway may get a fraction of a core: frames per CPU-second
    // it actually got is what one core of it delivers, whatever the neighbours do.
    framesPerGatewayCpuSec: gwCpu0 === null || gwCpu1 === null || gwCpu1 <= gwCpu0 ? null : Math.round(w.frames / (gwCpu1 - gwCpu0)),
    clientsClosed: w.closed,
  };
}

interface LadderRun {
  producer: Producer;
  topic: string;
  gw: GatewayChild;
  load: LoadProcess;
  clients: number;
  connected: number;
  seconds: number;
}

interface LadderResult {
  steps: FanoutStep[];
  saturation: { framesPerSec: number; saturated: boolean };
  peakRss: number;
}

/** Steps up the offered rate over the same connections until a step does not keep up. */
async function climbLadder(ctx: BenchContext, run: LadderRun, ladder: readonly number[], peakRss0: number): Promise<LadderResult> {
  const { gw, load, connected, seconds } = run;
  const seq = { next: 0 };
  const steps: FanoutStep[] = [];
  let peakRss = peakRss0;
  for (const offered of ladder) {
    const alertsPerSec = offered / Math.max(1, connected);
    await takeWindow(load.handle, load.windows); // what arrived before this step is not its
    const gwCpu0 = await cpuSecondsOf(gw.child.pid);
    const sent = await offerAlerts(run.producer, run.topic, alertsPerSec, seconds, seq);
    await sleep(GRACE_MS);
    const w = await takeWindow(load.handle, load.windows);
    const gwCpu1 = await cpuSecondsOf(gw.child.pid);
    peakRss = Math.max(peakRss, (await rssMb(gw.child.pid)) ?? 0);
    const step = stepOf(w, sent * connected, alertsPerSec, seconds, gwCpu0, gwCpu1);
    steps.push(step);
    ctx.log(`  ${run.clients} clients, ${step.offeredFramesPerSec} frames/s offered: ${step.deliveredPerSec}/s delivered (${step.deliveredShare}), p99 ${step.p99Ms} ms (${step.samples}), gateway cpu ${step.gatewayCpu}, load cpu ${step.loadCpu}, ${step.framesPerGatewayCpuSec} frames per gateway cpu-second`);
    // Backlogged: what it delivered per second of the whole window is its throughput.
    if (!step.keptUp) return { steps, saturation: { framesPerSec: Math.round(w.frames / w.seconds), saturated: true }, peakRss };
  }
  return { steps, saturation: { framesPerSec: steps.at(-1)?.deliveredPerSec ?? 0, saturated: false }, peakRss };
}

/** The row of one client count: the first step's figures, the saturation, the gateway's memory. */
function fanoutRow(clients: number, report: ConnectedReport, result: LadderResult, rss0: number | null, rssConnected: number | null): FanoutRow {
  const { connected } = report;
  const { steps, saturation, peakRss } = result;
  const first = steps[0];
  const lastKept = steps.filter((s) => s.keptUp).at(-1);
  return {
    clients,
    connected,
    deliveredPerSec: first?.deliveredPerSec ?? 0,
    alertsPerSec: first?.alertsPerSec ?? 0,
    expectedPerSec: first?.offeredFramesPerSec ?? 0,
    samples: first?.samples ?? 0,
    p50Ms: first?.p50Ms ?? null,
    p99Ms: first?.p99Ms ?? null,
    p999Ms: first?.p999Ms ?? null,
    saturationFramesPerSec: saturation.framesPerSec,
    // The best frames per gateway CPU-second of any step: the one-core capacity, load-independent.
    framesPerGatewayCpuSec: Math.max(0, ...steps.map((s) => s.framesPerGatewayCpuSec ?? 0)) || null,
    saturated: saturation.saturated,
    p99MsAtHighestKeptUp: lastKept?.p99Ms ?? null,
    highestKeptUpFramesPerSec: lastKept?.deliveredPerSec ?? null,
    steps,
    rssMbPer1kClients: rss0 !== null && rssConnected !== null && connected > 0 ? Math.round(((rssConnected - rss0) / (connected / 1000)) * 100) / 100 : null,
    kbPerConnection: rss0 !== null && rssConnected !== null && connected > 0 ? Math.round(((rssConnected - rss0) * 1024) / connected * 10) / 10 : null,
    gatewayRssMb: rssConnected === null ? null : Math.round(rssConnected * 10) / 10,
    gatewayRssIdleMb: rss0 === null ? null : Math.round(rss0 * 10) / 10,
    gatewayRssPeakMb: Math.round(peakRss * 10) / 10,
    connectSeconds: report.connectSeconds,
  };
}

async function fanoutClients(ctx: BenchContext, clients: number, seconds: number, ladder: readonly number[]): Promise<FanoutRow> {
  const ns = ctx.namespace(`fanout-${clients}`);
  await createTicksTopic(ctx, ns);
  const gw = await startGatewayChild(ctx, ns, String(clients));
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  let load: LoadProcess | undefined;
  try {
    await producer.connect();
    await sleep(1_000);
    const rss0 = await rssMb(gw.child.pid);
    load = spawnLoad(ctx, gw.wsUrl, clients);
    const report = await awaitSubscribed(ctx, load, gw, clients);
    await sleep(1_000);
    const rssConnected = await rssMb(gw.child.pid);
    const run: LadderRun = { producer, topic: topicNames(ns).alerts, gw, load, clients, connected: report.connected, seconds };
    const result = await climbLadder(ctx, run, ladder, rssConnected ?? 0);
    return fanoutRow(clients, report, result, rss0, rssConnected);
  } finally {
    await load?.handle.stop(2_000);
    await producer.disconnect().catch(() => undefined);
    await gw.child.stop();
  }
}

/** The top-level summary: the 10k-client row (the target), else the largest measured. */
export interface FanoutSaturation {
  framesPerSec: number;
  clients: number;
  /** p99 of the highest step that still kept up. */
  p99Ms: number | null;
  saturated: boolean;
  framesPerGatewayCpuSec: number | null;
}

export function fanoutSaturation(rows: readonly FanoutRow[]): FanoutSaturation | null {
  const ok = rows.filter((r) => typeof r.saturationFramesPerSec === 'number');
  const row = ok.find((r) => r.clients === 10_000) ?? ok.at(-1);
  if (!row) return null;
  return {
    framesPerSec: row.saturationFramesPerSec as number,
    clients: row.clients,
    p99Ms: (row.p99MsAtHighestKeptUp as number | null) ?? null,
    saturated: row.saturated as boolean,
    framesPerGatewayCpuSec: (row.framesPerGatewayCpuSec as number | null) ?? null,
  };
}


