import type { Env, Universe } from '@rotation/config';
import { BatchingProducer, assertKafkaReachable, createKafka, ensureTopics, topicLayoutFromEnv, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { TickSource, topicNames, WATERMARK_KEY, type DeadLetterReason, type LaneWatermark } from '@rotation/schemas';
import { IngesterError, IngesterErrorCode } from '../core/errors.js';
import type { IngestSource } from '../core/ingest-source.js';
import { Normalizer } from '../core/normalize.js';
import { WatermarkClock } from '../core/watermark-clock.js';
import { startHealthServer, type HealthServer } from './http-server.js';
import { createIngesterMetrics } from './metrics.js';
import { ProgressReporter } from './progress.js';
import { TickPublisher } from './publisher.js';

/**
 * How far behind the newest tick a live tick may still arrive (trades are reported a little
 * out of order across symbols and connections). The detector's allowed lateness comes on top.
 */
export const WATERMARK_LAG_MS = 2_000;

export interface PipelineOptions {
  env: Env;
  universe: Universe;
  logger: Logger;
  source: IngestSource;
  /** Long-running mode: serve /healthz and /metrics on env.INGESTER_HTTP_PORT (0 = off). */
  service?: boolean;
  /** Progress bar stream (a TTY); progress log lines when absent. */
  tty?: NodeJS.WriteStream;
  progressLogEveryMs?: number;
  /** Override for tests; created from env otherwise. */
  kafka?: Kafka;
  /** Called once the pipeline is ready (topics exist, producer connected, HTTP port bound). */
  onReady?: (info: { httpPort: number | undefined }) => void;
}

export interface RunSummary {
  source: string;
  read: number;
  published: number;
  deadLettered: number;
  duplicates: number;
  deadLettersByReason: Partial<Record<DeadLetterReason, number>>;
  durationMs: number;
  /** True when a signal ended the run before the input did. */
  stopped: boolean;
}

/**
 * One ingest run: topics, producer, publisher, the source, and a flush of everything
 * accepted at the end, whether the input ended, a signal stopped it, or the source failed.
 */
export class Pipeline {
  readonly #o: PipelineOptions;
  #stopped = false;

  constructor(options: PipelineOptions) {
    this.#o = options;
  }

  /** Stop reading; run() then flushes and resolves with the summary. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#o.source.stop();
  }

  async run(): Promise<RunSummary> {
    const { env, logger, source } = this.#o;
    const started = Date.now();
    const kafka = this.#o.kafka ?? createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-ingester`, logger });
    await assertKafkaReachable(kafka, env.KAFKA_BROKERS);
    const topics = topicNames(env.ROTATION_NAMESPACE);
    const admin = kafka.admin();
    await admin.connect();
    let ticksPartitions: number;
    try {
      await ensureTopics(admin, env.ROTATION_NAMESPACE, topicLayoutFromEnv(env), logger);
      const meta = await admin.fetchTopicMetadata({ topics: [topics.ticks] });
      ticksPartitions = meta.topics[0]?.partitions.length ?? env.KAFKA_TICKS_PARTITIONS;
    } finally {
      await admin.disconnect();
    }
    const liveSource = source.live ? TickSource.safeParse(source.name) : undefined;
    const watermarks = liveSource?.success && env.INGESTER_WATERMARK_MS > 0 ? new WatermarkClock(WATERMARK_LAG_MS) : undefined;
    const metrics = this.#o.service ? createIngesterMetrics() : undefined;
    const producer = new BatchingProducer(kafka, { logger });
    await producer.connect();
    metrics?.watchProducer(producer);
    const publisher = new TickPublisher({
      producer,
      normalizer: new Normalizer({ universe: this.#o.universe }),
      topics,
      logger,
      ...(metrics ? { observer: metrics.observer } : {}),
      ...(watermarks ? { watermarks } : {}),
    });
    let watermarkTimer: NodeJS.Timeout | undefined;
    if (watermarks && liveSource?.success) {
      const src = liveSource.data;
      let sent = -1;
      watermarkTimer = setInterval(() => {
        const wm = watermarks.current(Date.now());
        if (wm === null || wm <= sent || producer.failure) return;
        sent = wm;
        const value = JSON.stringify({ v: 1, watermark: wm, source: src } satisfies LaneWatermark);
        for (let partition = 0; partition < ticksPartitions; partition++) {
          producer.push({ topic: topics.ticks, partition, key: WATERMARK_KEY, value, timestamp: wm });
        }
      }, env.INGESTER_WATERMARK_MS);
      watermarkTimer.unref();
      logger.info({ everyMs: env.INGESTER_WATERMARK_MS, lagMs: WATERMARK_LAG_MS, partitions: ticksPartitions }, 'publishing watermarks to every ticks partition');
    }
    let http: HealthServer | undefined;
    const progress = new ProgressReporter({ source, counters: publisher.counters, logger, ...(this.#o.tty ? { tty: this.#o.tty } : {}), ...(this.#o.progressLogEveryMs ? { logEveryMs: this.#o.progressLogEveryMs } : {}) });
    let failure: unknown;
    try {
      if (metrics && env.INGESTER_HTTP_PORT !== 0) {
        http = await startHealthServer({ port: env.INGESTER_HTTP_PORT, registry: metrics.registry, unhealthy: () => producer.failure?.message });
        logger.info({ port: http.port }, 'serving /healthz and /metrics');
      }
      this.#o.onReady?.({ httpPort: http?.port });
      progress.start();
      logger.info({ source: source.name, namespace: env.ROTATION_NAMESPACE }, 'ingest started');
      await source.run(publisher);
    } catch (e) {
      failure = e;
    } finally {
      clearInterval(watermarkTimer);
      progress.stop();
    }
    // Everything accepted is flushed even after a source failure; a producer failure wins.
    try {
      await producer.close();
    } catch (e) {
      failure = e;
    }
    await http?.close();
    if (failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      throw failure instanceof Error && 'code' in failure ? failure : new IngesterError(IngesterErrorCode.publishFailed, message, {}, { cause: failure });
    }
    const c = publisher.counters;
    return {
      source: source.name,
      read: c.read,
      published: c.published,
      deadLettered: c.deadLettered,
      duplicates: c.duplicates,
      deadLettersByReason: c.deadLettersByReason,
      durationMs: Date.now() - started,
      stopped: this.#stopped,
    };
  }
}
