/**
 * Child process for the latency section. For each offered rate it publishes ticks for
 * --seconds through the ingester's producer (BatchingProducer: idempotent, acks=-1, 5 ms
 * linger), event time = wall clock at push, while one websocket client subscribed to `alerts`
 * and `spreads` records when each event arrives. A consumer of <ns>.snapshots maps snapshot
 * versions (= state channel seq) to their asOf. Latency of an event = receive time - push time
 * of the tick that caused it (see latency-join.ts). Push and receive times are taken in this
 * one process on one clock.
 *
 * Hops, per sample (one per snapshot version that reached the client): push -> producer ack of
 * the cause tick (linger + broker), ack -> the snapshot record's Kafka timestamp (the detector:
 * fetch, decode, evaluate, Redis commit, outbox read; kafkajs stamps the record when the outbox
 * sends it), that timestamp -> this process's snapshot consumer receiving the record (broker +
 * fetch), that receipt -> the websocket frame arriving (gateway: its own consume of the same
 * record, state board, socket write). The detector's own phases come from its
 * detector_batch_phase_seconds histogram, scraped before and after each rate.
 */
import { Partitioners } from 'kafkajs';
import WebSocket from 'ws';
import { loadConfig } from '@rotation/config';
import { BatchingProducer, createConsumer, createKafka } from '@rotation/kafka';
import { createLogger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { metricValue } from '../detector-budget.js';
import { CauseLog } from '../latency-join.js';
import { bucketCount, bucketQuantile, diffBuckets, parseBuckets, type Buckets } from '../prom-histogram.js';
import { createHistogram, recordMs, summarize, type Histogram } from '../stats.js';
import { TickGen } from '../ticks.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const url = arg('url', '');
const seconds = Number(arg('seconds', '8'));
const partitions = Number(arg('partitions', '6'));
const fixedRates = arg('rates', '1000,10000,50000').split(',').map(Number);
const searchUp = arg('search', 'true') === 'true';
const detectorMetricsUrl = arg('detector-metrics', '');
const minSamples = Number(arg('min-samples', '0'));
const maxSeconds = Number(arg('max-seconds', String(seconds)));

const config = loadConfig();
const logger = createLogger({ name: 'bench-latency', level: config.env.LOG_LEVEL, destination: process.stderr });
const topics = topicNames(config.namespace);
const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: 'bench-latency', logger });
const stepMs = config.universe.detector.historyBucket;
const latenessMs = config.universe.detector.allowedLateness;
const symbols = config.universe.symbols;
const now = () => performance.timeOrigin + performance.now();
/**
 * Event time: the wall clock's progress, laid on a regular session (10:00 New York on a trading
 * day), not the wall clock itself. The detector moves prices only in the session, so a run after
 * the close or on a weekend had no price changes, no state events and no samples (seen at 16:28 New York).
 */
const EVENT_START_MS = Date.parse('2024-01-02T15:00:00Z');
const wallStart = Date.now();
const eventNow = () => EVENT_START_MS + (Date.now() - wallStart);

// Lane of each symbol, with the producer's own partitioner (as the detector computes its lanes).
const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
const laneOf = new Map(symbols.map((s) => [s, partitioner({ topic: topics.ticks, partitionMetadata, message: { key: s, value: null } })]));
const lanes = [...new Set(laneOf.values())].sort((a, b) => a - b);

const causes = new CauseLog(stepMs, latenessMs);
/** The same ticks by the time the producer had them acknowledged (acks come in push order per lane). */
const ackedCauses = new CauseLog(stepMs, latenessMs);
interface SnapshotSeen {
  asOf: number;
  /** The record's Kafka timestamp: kafkajs stamps it when the detector's outbox sends it. */
  sentAt: number;
  /** When this process's consumer of <ns>.snapshots had it. */
  seenAt: number;
}
const snapshots = new Map<number, SnapshotSeen>();
interface Arrival {
  at: number;
  channel: string;
  seq: number;
  eventTime?: number;
}
const arrivals: Arrival[] = [];

// Snapshot versions -> asOf, read from the topic the gateway itself consumes.
const snapConsumer = createConsumer(kafka, { groupId: `${config.namespace}.bench-latency`, logger, onFatal: (e) => logger.error({ err: e }, 'snapshot consumer') });
await snapConsumer.connect();
await snapConsumer.subscribe({ topic: topics.snapshots, fromBeginning: true });
await snapConsumer.run({
  eachMessage: async ({ message }) => {
    const seenAt = now();
    if (!message.value) return;
    const rec = JSON.parse(message.value.toString()) as { version: number; snapshot: { asOf: string | null } };
    if (rec.snapshot.asOf) snapshots.set(rec.version, { asOf: Date.parse(rec.snapshot.asOf), sentAt: Number(message.timestamp), seenAt });
  },
});

const ws = new WebSocket(url, { perMessageDeflate: false });
await new Promise<void>((resolve, reject) => {
  ws.once('error', reject);
  ws.on('message', (data) => {
    const at = now();
    const m = JSON.parse(data.toString()) as { type: string; channel?: string; seq?: number; data?: { eventTime?: string } };
    if (m.type === 'welcome') ws.send(JSON.stringify({ op: 'subscribe', id: 'lat', channels: ['alerts', 'spreads'] }));
    else if (m.type === 'subscribed') resolve();
    else if (m.type === 'event' && m.channel && m.seq !== undefined) {
      arrivals.push({ at, channel: m.channel, seq: m.seq, ...(m.channel.startsWith('alerts') && m.data?.eventTime ? { eventTime: Date.parse(m.data.eventTime) } : {}) });
    }
  });
});

const producer = new BatchingProducer(kafka, { logger });
let ackHist = createHistogram();
producer.onAcked((records) => {
  const at = now();
  for (const r of records) {
    const m = r.meta as { lane: number; ts: number; pushedAt: number };
    ackedCauses.record(m.lane, m.ts, at);
    recordMs(ackHist, at - m.pushedAt);
  }
});
await producer.connect();
const gen = new TickGen({ symbols, startMs: eventNow(), stepMs: 0, seed: 3 });

const PHASES = ['process', 'commit', 'publish'] as const;

interface DetectorScrape {
  phases: Record<string, Buckets>;
  /** Whole-batch time (s) and batches so far, and when they were read: how busy the detector was between two scrapes. */
  batchSeconds: number;
  batches: number;
  at: number;
}

async function scrapeDetector(): Promise<DetectorScrape | null> {
  if (!detectorMetricsUrl) return null;
  try {
    const text = await (await fetch(detectorMetricsUrl)).text();
    return {
      phases: Object.fromEntries(PHASES.map((p) => [p, parseBuckets(text, 'detector_batch_phase_seconds', { name: 'phase', value: p })])),
      batchSeconds: metricValue(text, 'detector_batch_duration_seconds_sum') ?? 0,
      batches: metricValue(text, 'detector_batch_duration_seconds_count') ?? 0,
      at: now(),
    };
  } catch {
    return null;
  }
}

/**
 * Batches per second and the share of the time the detector spent inside `eachBatch` between
 * two scrapes: near 1, a tick that arrives waits for the batches ahead of it (each one its own
 * Redis commit), which is where a detector hop longer than its phases goes.
 */
function detectorLoad(before: DetectorScrape | null, after: DetectorScrape | null) {
  if (!before || !after || after.at <= before.at) return null;
  const secs = (after.at - before.at) / 1000;
  const batches = after.batches - before.batches;
  const busy = after.batchSeconds - before.batchSeconds;
  return {
    batchesPerSec: Math.round(batches / secs),
    busyShare: Math.round((busy / secs) * 1000) / 1000,
    meanBatchMs: batches > 0 ? Math.round((busy / batches) * 1e6) / 1e3 : null,
  };
}

const hopOf = (h: Histogram) => {
  const s = summarize(h);
  return { samples: s.count, p50Ms: s.count ? s.p50Ms : null, p99Ms: s.count ? s.p99Ms : null, p999Ms: s.count ? s.p999Ms : null };
};

function phaseHops(b: DetectorScrape | null, a: DetectorScrape | null) {
  if (!b || !a) return {};
  const before = b.phases;
  const after = a.phases;
  const out: Record<string, { samples: number; p50Ms: number | null; p99Ms: number | null; source: string }> = {};
  const ms = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e3);
  for (const p of PHASES) {
    const d = diffBuckets(after[p]!, before[p]!);
    out[`detector_${p}`] = { samples: bucketCount(d), p50Ms: ms(bucketQuantile(d, 0.5)), p99Ms: ms(bucketQuantile(d, 0.99)), source: 'detector_batch_phase_seconds (bucket-interpolated, per batch)' };
  }
  return out;
}

async function push(rate: number, secs: number, enough: () => boolean): Promise<{ sent: number; elapsed: number }> {
  const t0 = now();
  const min = t0 + secs * 1000;
  const end = t0 + Math.max(secs, maxSeconds) * 1000;
  let sent = 0;
  while (now() < min || (now() < end && !enough())) {
    const due = Math.floor(((now() - t0) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) {
      const ts = eventNow();
      const tick = gen.next(ts);
      const pushedAt = now();
      const lane = laneOf.get(tick.symbol)!;
      causes.record(lane, ts, pushedAt);
      const room = producer.push({ topic: topics.ticks, key: tick.symbol, value: JSON.stringify(tick), timestamp: ts, meta: { lane, ts, pushedAt } });
      sent += 1;
      if (!room) await producer.waitForRoom();
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return { sent, elapsed: (now() - t0) / 1000 };
}

async function runRate(rate: number, secs = seconds, wantSamples = minSamples) {
  const first = arrivals.length;
  ackHist = createHistogram();
  const phasesBefore = await scrapeDetector();
  // Runs for secs, then on (up to --max-seconds) until the run has its samples.
  const { sent, elapsed } = await push(rate, secs, () => arrivals.length - first >= wantSamples * 1.05);
  // Right at the end of the push: the detector's load while the rate ran, not the idle wait after it.
  const pushedScrape = await scrapeDetector();
  await producer.flush();
  // Events for the last steps arrive after the last push; give them time (one step + slack).
  await new Promise((r) => setTimeout(r, stepMs + latenessMs + 2_000));
  const phasesAfter = await scrapeDetector();
  const hist = createHistogram();
  const hops = { detector: createHistogram(), outboxToTopic: createHistogram(), gateway: createHistogram() };
  let unmatched = 0;
  let events = 0;
  for (const a of arrivals.slice(first)) {
    events += 1;
    const snap = a.eventTime === undefined ? snapshots.get(a.seq) : undefined;
    const T = a.eventTime ?? snap?.asOf;
    const cause = T === undefined ? undefined : causes.causeOf(T, lanes);
    if (cause === undefined || a.at < cause) {
      unmatched += 1;
      continue;
    }
    recordMs(hist, a.at - cause);
    const acked = T === undefined ? undefined : ackedCauses.causeOf(T, lanes);
    if (snap && acked !== undefined) {
      recordMs(hops.detector, snap.sentAt - acked);
      recordMs(hops.outboxToTopic, snap.seenAt - snap.sentAt);
      recordMs(hops.gateway, a.at - snap.seenAt);
    }
  }
  const s = summarize(hist);
  const achieved = Math.round(sent / elapsed);
  const expectedSteps = Math.floor((elapsed * 1000) / stepMs);
  // Alive: at least one version every 400 ms (half of what the old 200 ms steps gave). Not a
  // share of the 20 ms steps: the outbox folds the commits made during a publish into one
  // version, so a loaded machine publishes fewer versions than it evaluates steps, by design.
  const sustained = achieved >= 0.95 * rate && s.count >= 2.5 * elapsed && s.p99Ms < 1_000;
  const row = {
    offeredTicksPerSec: rate,
    achievedTicksPerSec: achieved,
    samples: s.count,
    p50Ms: s.count ? s.p50Ms : null,
    p99Ms: s.count ? s.p99Ms : null,
    p999Ms: s.count ? s.p999Ms : null,
    maxMs: s.count ? s.maxMs : null,
    sustained,
    seconds: Math.round(elapsed * 10) / 10,
    events,
    unmatched,
    expectedSteps,
    detectorLoad: detectorLoad(phasesBefore, pushedScrape),
    hops: {
      producer: { ...hopOf(ackHist), what: 'push -> acked (BatchingProducer linger 5 ms + broker, acks=all), every tick' },
      detector: { ...hopOf(hops.detector), what: 'cause tick acked -> snapshot record stamped by the outbox send (fetch, decode, evaluate, Redis commit, outbox reads and linger)' },
      ...phaseHops(phasesBefore, phasesAfter),
      outboxToTopic: { ...hopOf(hops.outboxToTopic), what: 'snapshot record timestamp -> a consumer of <ns>.snapshots has it (produce, acks=all, fetch)' },
      gateway: { ...hopOf(hops.gateway), what: 'a consumer of <ns>.snapshots has it -> websocket frame received (the gateway consumes the same record in parallel, builds the frame, writes the socket)' },
    },
  };
  process.stderr.write(`latency ${JSON.stringify(row)}\n`);
  return row;
}

/** Waits until the detector has checkpointed every tick produced so far, so one rate's backlog does not count against the next. */
async function drain(maxMs: number): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      const end = (await admin.fetchTopicOffsets(topics.ticks)).reduce((s, p) => s + Number(p.high), 0);
      const committed = (await admin.fetchOffsets({ groupId: `${config.namespace}.detector`, topics: [topics.ticks] }))
        .flatMap((t) => t.partitions)
        .reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      if (committed >= end) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  } finally {
    await admin.disconnect();
  }
}

const rows = [];
try {
  // Warm-up (JIT, group join, first snapshot), not reported.
  await runRate(Math.min(1000, fixedRates[0] ?? 1000), Math.min(3, seconds), 0);
  await drain(30_000);
  for (const r of fixedRates) {
    rows.push(await runRate(r));
    await drain(60_000);
  }
  if (searchUp) {
    // Highest sustained rate: geometric bisection between the best sustained fixed rate and the
    // first one that was not (or x1.5 steps up when all were), two more runs.
    let lo = rows.filter((r) => r.sustained).at(-1)?.offeredTicksPerSec;
    let hi = rows.find((r) => !r.sustained && (lo === undefined || r.offeredTicksPerSec > lo))?.offeredTicksPerSec;
    for (let i = 0; i < 2 && lo !== undefined; i++) {
      const mid = hi === undefined ? Math.round(lo * 1.5) : Math.round(Math.sqrt(lo * hi));
      if (hi !== undefined && mid <= lo * 1.05) break;
      // Shorter and without a sample floor: they only locate the rate; the fixed rates carry the distributions.
      const row = await runRate(mid, Math.round(seconds * 0.75), 0);
      rows.push(row);
      await drain(60_000);
      if (row.sustained) lo = mid;
      else hi = mid;
    }
  }
} finally {
  ws.terminate();
  await producer.close().catch(() => undefined);
  await snapConsumer.disconnect().catch(() => undefined);
}
process.stdout.write(`${JSON.stringify({ rows, stepMs, latenessMs, lanes: lanes.length })}\n`, () => process.exit(0));
