/**
 * Child process: produce for a fixed wall time and print {"ticks", "seconds", "ticksPerSec"}.
 *   --mode bare      kafkajs producer, idempotent, acks=-1, one request in flight, batches of
 *                    --batch pre-serialised records: the client's ceiling with the ingester's batching
 *   --mode ingester  the ingester's own Pipeline with its SyntheticSource at --speed max
 *                    (normalise + TickPublisher + BatchingProducer), stopped after --seconds
 * Runs in its own process so both modes get a fresh V8 and one core each to themselves.
 */
import { loadConfig } from '@rotation/config';
import { createKafka, ensureTopics, topicLayoutFromEnv } from '@rotation/kafka';
import { createLogger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import type { Producer } from 'kafkajs';
import type { Pipeline as PipelineClass } from '@rotation/ingester';
import type { IngestSource } from '@rotation/ingester';
import { TickGen, recordPool } from '../ticks.js';
import { sendBatchesFor } from './timed-batches.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const mode = arg('mode', 'bare');
const seconds = Number(arg('seconds', '8'));
const batch = Number(arg('batch', '4000'));
/** With --count: produce exactly this many freshly generated ticks (event time always advancing), then stop. */
const count = Number(arg('count', '0'));
const stepMs = Number(arg('step-ms', '250'));

const config = loadConfig();
const logger = createLogger({ name: `bench-produce-${mode}`, level: config.env.LOG_LEVEL, destination: process.stderr });
const topics = topicNames(config.namespace);
const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: `bench-${mode}`, logger });

async function bare(): Promise<{ ticks: number; seconds: number }> {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config.namespace, topicLayoutFromEnv(config.env), logger);
  await admin.disconnect();
  const pool = recordPool(config.universe.symbols, 20_000);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  if (count > 0) return fill(producer);
  const run = await sendBatchesFor(pool, batch, seconds, (messages) => producer.sendBatch({ acks: -1, topicMessages: [{ topic: topics.ticks, messages }] }));
  await producer.disconnect();
  return run;
}

async function fill(producer: Producer): Promise<{ ticks: number; seconds: number }> {
  const gen = new TickGen({ symbols: config.universe.symbols, startMs: Date.parse('2024-01-02T14:30:00Z'), stepMs, seed: 11 });
  const t0 = performance.now();
  let sent = 0;
  while (sent < count) {
    const n = Math.min(batch, count - sent);
    const messages = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = gen.next();
      messages[i] = { key: t.symbol, value: JSON.stringify(t), timestamp: String(t.ts) };
    }
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: topics.ticks, messages }] });
    sent += n;
  }
  const elapsed = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return { ticks: sent, seconds: elapsed };
}

async function ingester(): Promise<{ ticks: number; seconds: number; path: string }> {
  // Imported by path at run time: the bench must still start while a service is being written.
  const pipelineUrl = new URL('../../../services/ingester/src/adapters/pipeline.js', import.meta.url).href;
  const syntheticUrl = new URL('../../../services/ingester/src/adapters/synthetic-source.js', import.meta.url).href;
  const { Pipeline } = (await import(pipelineUrl)) as { Pipeline: typeof PipelineClass };
  const { SyntheticSource } = (await import(syntheticUrl)) as { SyntheticSource: new (o: Record<string, unknown>) => IngestSource };
  const scenariosUrl = new URL('../../../services/ingester/src/core/synthetic/scenarios.js', import.meta.url).href;
  const { SCENARIO_NAMES } = (await import(scenariosUrl)) as { SCENARIO_NAMES: readonly string[] };
  const source = new SyntheticSource({
    universe: config.universe,
    scenario: arg('scenario', SCENARIO_NAMES[0] ?? 'none'),
    seed: 7,
    durationMs: 30 * 86_400_000,
    ratePerSec: 50,
    startMs: Date.parse('2024-01-02T14:30:00Z'),
    speed: { kind: 'max' },
    loop: true,
  });
  let t0 = 0;
  const pipeline = new Pipeline({
    env: config.env,
    universe: config.universe,
    logger,
    source,
    onReady: () => {
      t0 = performance.now();
      setTimeout(() => void pipeline.stop(), seconds * 1000);
    },
  });
  const summary = await pipeline.run();
  // run() resolves after the producer flushed everything accepted: every tick counted is acked.
  return { ticks: summary.published, seconds: (performance.now() - t0) / 1000, path: 'Pipeline + SyntheticSource (pnpm ingest synthetic --speed max)' };
}

try {
  const r = mode === 'ingester' ? await ingester() : await bare();
  process.stdout.write(`${JSON.stringify({ ...r, ticksPerSec: Math.round(r.ticks / r.seconds) })}\n`, () => process.exit(0));
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`, () => process.exit(1));
}
