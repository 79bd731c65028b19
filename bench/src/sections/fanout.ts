import path from 'node:path';
import type { Alert } from '@rotation/schemas';
import { topicNames } from '@rotation/schemas';
import { BENCH_DIR, rssMb, spawnTs, tail } from '../children.js';
import type { BenchContext } from '../context.js';
import { startGatewayChild } from '../gateway.js';
import type { FanoutRow } from '../results.js';
import { createTicksTopic } from './detector.js';

const LOAD = path.join(BENCH_DIR, 'src/workers/ws-load.ts');
/**
 * Alerts per second offered to <ns>.alerts: 10/s, but at most 20,000 deliveries per second in
 * total. One node process cannot receive much more than that on this machine's second core, and
 * beyond it the figure would measure the load process, not the gateway. So 1k clients get 10
 * alerts/s, 5k get 4/s and 10k get 2/s — every alert still goes to every client at once.
 */
export function alertsPerSec(clients: number): number {
  return Math.max(1, Math.min(10, Math.floor(20_000 / clients)));
}

interface LoadDone {
  event: 'done';
  connected: number;
  failed: number;
  closedEarly: number;
  inWindow: number;
  deliveredPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

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

/**
 * One gateway per step (so RSS per connection is not blurred by the previous step's garbage),
 * N clients in a separate load process, alerts produced onto <ns>.alerts at a fixed rate by
 * this process. Latency = client receive time - produce time: Kafka hop + gateway fan-out.
 */
export async function runFanout(ctx: BenchContext): Promise<FanoutRow[]> {
  const steps = ctx.quick ? [200, 1_000] : [1_000, 5_000, 10_000];
  const seconds = ctx.quick ? 4 : 6;
  const rows: FanoutRow[] = [];
  for (const clients of steps) {
    try {
      rows.push(await fanoutStep(ctx, clients, seconds));
    } catch (e) {
      ctx.log(`  ${clients} clients failed: ${(e as Error).message}`);
      rows.push({ clients, connected: 0, deliveredPerSec: 0, p50Ms: null, p99Ms: null, rssMbPer1kClients: null, gatewayRssMb: null, error: (e as Error).message.slice(0, 500) });
    }
  }
  ctx.notes.fanout = `min(10, 20000 / clients) alerts/s (10, 4 and 2 for 1k, 5k and 10k clients) produced to <ns>.alerts (each ~400 B as a websocket frame) while N clients subscribed to "alerts" run in one separate load process; delivered = alert frames received by all clients in a ${seconds} s window after the first; latency = receive time - produce time (Kafka hop + gateway fan-out), HDR histogram; RSS per 1k = (gateway VmRSS with N idle subscribed clients - VmRSS before any client) / (N/1000), a fresh gateway per step`;
  return rows;
}

async function fanoutStep(ctx: BenchContext, clients: number, seconds: number): Promise<FanoutRow> {
  const ns = ctx.namespace(`fanout-${clients}`);
  await createTicksTopic(ctx, ns);
  const gw = await startGatewayChild(ctx, ns, String(clients));
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await producer.connect();
    await new Promise((r) => setTimeout(r, 1_000));
    const rss0 = await rssMb(gw.child.pid);
    let connectedLine: { connected: number; failed: number; connectSeconds: number } | undefined;
    let onConnected: () => void = () => undefined;
    const connectedP = new Promise<void>((r) => (onConnected = r));
    const load = spawnTs(LOAD, ['--url', gw.wsUrl, '--clients', String(clients), '--seconds', String(seconds)], {
      env: ctx.env(),
      raiseFdLimit: true,
      onStdoutLine: (line) => {
        if (line.includes('"event":"connected"')) {
          connectedLine = JSON.parse(line) as typeof connectedLine;
          onConnected();
        }
      },
    });
    await Promise.race([connectedP, load.exited, new Promise((r) => setTimeout(r, 180_000))]);
    if (!connectedLine) throw new Error(`load process did not connect: ${tail(load.stderr())}`);
    ctx.log(`  ${connectedLine.connected}/${clients} clients subscribed in ${connectedLine.connectSeconds.toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 1_000));
    const rssConnected = await rssMb(gw.child.pid);
    let seq = 0;
    const rate = alertsPerSec(clients);
    const topic = topicNames(ns).alerts;
    const now = () => performance.timeOrigin + performance.now();
    let peakRss = rssConnected ?? 0;
    let sending = false;
    timer = setInterval(() => {
      if (sending) return;
      sending = true;
      const sentAt = now();
      seq += 1;
      void producer
        .send({ topic, acks: -1, messages: [{ key: 'alerts', value: JSON.stringify(benchAlert(seq, sentAt)) }] })
        .catch((e: unknown) => ctx.log(`  alert produce failed: ${(e as Error).message}`))
        .finally(() => (sending = false));
      if (seq % rate === 0) void rssMb(gw.child.pid).then((r) => (peakRss = Math.max(peakRss, r ?? 0)));
    }, 1000 / rate);
    const code = await Promise.race([load.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), (seconds + 120) * 1000))]);
    clearInterval(timer);
    if (code === 'timeout') {
      await load.stop();
      throw new Error('load process did not finish');
    }
    const doneLine = load.stdout().split('\n').find((l) => l.includes('"event":"done"'));
    if (!doneLine) throw new Error(`load process ended without a result (exit ${code}): ${tail(load.stderr())}`);
    const done = JSON.parse(doneLine) as LoadDone;
    ctx.log(`  ${clients} clients: ${done.deliveredPerSec} msg/s, p99 ${done.p99Ms} ms, gateway RSS ${rss0?.toFixed(0)} -> ${rssConnected?.toFixed(0)} MB (peak ${peakRss.toFixed(0)})`);
    return {
      clients,
      connected: done.connected,
      deliveredPerSec: done.deliveredPerSec,
      alertsPerSec: rate,
      expectedPerSec: done.connected * rate,
      p50Ms: done.p50Ms,
      p99Ms: done.p99Ms,
      p999Ms: done.p999Ms,
      maxMs: done.maxMs,
      rssMbPer1kClients: rss0 !== null && rssConnected !== null && done.connected > 0 ? Math.round(((rssConnected - rss0) / (done.connected / 1000)) * 100) / 100 : null,
      gatewayRssMb: rssConnected === null ? null : Math.round(rssConnected * 10) / 10,
      gatewayRssIdleMb: rss0 === null ? null : Math.round(rss0 * 10) / 10,
      gatewayRssPeakMb: Math.round(peakRss * 10) / 10,
      clientsClosedEarly: done.closedEarly,
      connectSeconds: connectedLine.connectSeconds,
    };
  } finally {
    clearInterval(timer);
    await producer.disconnect().catch(() => undefined);
    await gw.child.stop();
  }
}
