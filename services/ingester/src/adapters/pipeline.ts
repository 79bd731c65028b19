import { DEFAULT_INGESTER_HTTP_PORT, type Env, type Universe } from '@rotation/config';
import { BatchingProducer, assertKafkaReachable, createKafka, setUpTopics, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { TickSource, topicNames, type DeadLetterReason } from '@rotation/schemas';
import { portsToTry } from '@rotation/service';
import { IngesterError, IngesterErrorCode } from '../core/errors.js';
import type { IngestSource } from '../core/ingest-source.js';
import { Normalizer } from '../core/normalize.js';
import { WatermarkClock } from '../core/watermark-clock.js';
import { startHealthServer, type HealthServer } from './http-server.js';
import { createIngesterMetrics, type IngesterMetrics } from './metrics.js';
import { ProgressReporter } from './progress.js';
import { deliveryReport, type DeliveryReport } from './delivery-report.js';
import { TickPublisher, type PublisherCounters } from './publisher.js';

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
  /** Ticks the broker acknowledged. */
  published: number;
  /** Ticks handed to the producer; equal to `published` when the run ends normally. */
  accepted: number;
  deadLettered: number;
  /** Dead letters dropped after the DLQ producer failed (the ticks went on). */
  deadLettersLost: number;
  duplicates: number;
  deadLettersByReason: Partial<Record<DeadLetterReason, number>>;
  /** Published prints whose conditions withhold the last sale or the volume, by reason. */
  ineligibleByReason: PublisherCounters['ineligibleByReason'];
  /** Cancels, corrections and corporate actions published. */
  eventsByType: PublisherCounters['eventsByType'];
  /** Input skipped by design (Yahoo null rows, actions a file's prices already include). */
  skippedByReason: PublisherCounters['skippedByReason'];
  durationMs: number;
  /** True when a signal ended the run before the input did. */
  stopped: boolean;
  /** The source's own account of its input, when it gives one (replay: `priceBasis`). */
  input?: Record<string, unknown>;
}

/**
 * One ingest run: topics, producer, publisher, the source, and a flush of everything
 * accepted at the end, whether the input ended, a signal stopped it, or the source failed.
 */
export class Pipeline {
  readonly #options: PipelineOptions;
  #stopped = false;
  #producers: BatchingProducer[] = [];
  #deadline: NodeJS.Timeout | undefined;
  #abandoned = false;

  constructor(options: PipelineOptions) {
    this.#options = options;
  }

  /**
   * Stop reading; run() then flushes and resolves with the summary. The flush is bounded by
   * INGESTER_SHUTDOWN_TIMEOUT_MS: past it the producers stop waiting for the broker and run()
   * rejects with an `undelivered` error that counts what was not acknowledged.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const ms = this.#options.env.INGESTER_SHUTDOWN_TIMEOUT_MS;
    this.#deadline = setTimeout(() => {
      this.#abandoned = true;
      this.#options.logger.warn({ timeoutMs: ms }, 'shutdown deadline passed: no longer waiting for the broker');
      for (const p of this.#producers) p.abandon(`shutdown deadline of ${ms} ms passed before the broker acknowledged every record`);
    }, ms);
    this.#deadline.unref();
    await this.#options.source.stop();
  }

  async run(): Promise<RunSummary> {
    const { env, logger, source } = this.#options;
    const started = Date.now();
    const kafka = this.#options.kafka ?? ingesterKafka(env, logger);
    await assertKafkaReachable(kafka, env.KAFKA_BROKERS);
    const { ticksPartitions: partitions } = await setUpTopics(kafka, env, logger);
    const tickSource = TickSource.safeParse(source.name);
    const clock = source.live && tickSource.success && env.INGESTER_WATERMARK_MS > 0 ? new WatermarkClock(env.INGESTER_WATERMARK_LAG_MS) : undefined;
    const metrics = this.#options.service ? createIngesterMetrics() : undefined;
    const [producer, dlqProducer] = await this.#connectProducers(kafka);
    metrics?.watchProducer(producer);
    const publisher = this.#publisher(producer, dlqProducer, metrics, clock);
    const watermarkTimer = tickSource.success ? startWatermarks({ env, logger, producer, publisher, clock, source: tickSource.data, partitions }, source) : undefined;
    let http: HealthServer | undefined;
    const progress = new ProgressReporter({ source, counters: publisher.counters, logger, ...(this.#options.tty ? { tty: this.#options.tty } : {}), ...(this.#options.progressLogEveryMs ? { logEveryMs: this.#options.progressLogEveryMs } : {}) });
    let failure: unknown;
    let ended = false;
    try {
      const feed = source.feed?.bind(source);
      if (metrics && feed) metrics.watchFeed(feed);
      if (metrics && env.INGESTER_HTTP_PORT !== 0) http = await this.#serveHealth(metrics, producer, feed);
      this.#options.onReady?.({ httpPort: http?.port });
      progress.start();
      logger.info({ source: source.name, namespace: env.ROTATION_NAMESPACE }, 'ingest started');
      await source.run(publisher, { holdWatermarks: (held) => clock?.hold(held, Date.now()) });
      // A run a signal cut short did not reach the end of its input, so it must not claim one.
      ended = !this.#stopped;
    } catch (e) {
      // A source held by backpressure when the deadline passed is released by the abandon: not a failure of its own.
      if (!this.#abandoned) failure = e;
    } finally {
      clearInterval(watermarkTimer);
      progress.stop();
    }
    failure = await this.#closeProducers(failure, ended && !source.live && tickSource.success ? () => endOfStream(producer, publisher, tickSource.data!, partitions, logger) : undefined);
    clearTimeout(this.#deadline);
    await http?.close();
    throwIfFailed(deliveryReport(producer, dlqProducer, publisher), failure, this.#abandoned, logger);
    return summaryOf(source, publisher.counters, Date.now() - started, this.#stopped);
  }

  /** The ticks' producer and the dead letters', connected. */
  async #connectProducers(kafka: Kafka): Promise<[BatchingProducer, BatchingProducer]> {
    const { env, logger } = this.#options;
    const producer = new BatchingProducer(kafka, { logger, maxBatchBytes: env.INGESTER_PRODUCE_MAX_BYTES });
    // Dead letters have a producer of their own: a DLQ that fails or stalls must not take the ticks with it.
    // A client of its own as well: two idempotent producers on one kafkajs client re-sent ticks
    // after a broker restart (duplicates on the ticks topic in test/chaos/broker-restart.test.ts).
    const dlqProducer = new BatchingProducer(ingesterKafka(env, logger, '-dlq'), { logger, maxBatchBytes: env.INGESTER_PRODUCE_MAX_BYTES });
    this.#producers = [producer, dlqProducer];
    // A signal during start-up: the deadline timer was armed before the producers existed.
    if (this.#abandoned) for (const p of this.#producers) p.abandon('stopped during start-up');
    await producer.connect();
    await dlqProducer.connect();
    return [producer, dlqProducer];
  }

  #publisher(producer: BatchingProducer, dlqProducer: BatchingProducer, metrics: IngesterMetrics | undefined, watermarks: WatermarkClock | undefined): TickPublisher {
    return new TickPublisher({
      producer,
      dlqProducer,
      normalizer: new Normalizer({ universe: this.#options.universe }),
      topics: topicNames(this.#options.env.ROTATION_NAMESPACE),
      logger: this.#options.logger,
      ...(metrics ? { observer: metrics.observer } : {}),
      ...(watermarks ? { watermarks } : {}),
    });
  }

  /** /healthz, /readyz and /metrics of a long-running ingester. */
  async #serveHealth(metrics: IngesterMetrics, producer: BatchingProducer, feed: IngestSource['feed']): Promise<HealthServer> {
    const http = await startHealthServer({
      ports: portsToTry(this.#options.env.INGESTER_HTTP_PORT, DEFAULT_INGESTER_HTTP_PORT),
      registry: metrics.registry,
      unhealthy: () => producer.failure?.message,
      notReady: () => (this.#stopped ? 'stopping' : feed && !feed().connected ? 'live feed not connected' : undefined),
    });
    this.#options.logger.info({ port: http.port }, 'serving /healthz, /readyz and /metrics');
    return http;
  }

  /**
   * The run's end for the producers: everything accepted is flushed even after a source failure
   * (the end-of-stream watermark first, when the input ended), and a producer failure wins. The
   * dead-letter producer's failure is logged, never the run's: its losses are counted.
   */
  async #closeProducers(failure: unknown, end: (() => Promise<void>) | undefined): Promise<unknown> {
    const [producer, dlqProducer] = this.#producers as [BatchingProducer, BatchingProducer];
    try {
      if (end) await end();
      await producer.close();
    } catch (e) {
      // A shutdown that ran out of time is reported by the delivery report, not as the producer's failure.
      if (!this.#abandoned) failure = e;
      // The end-of-stream flush may have thrown before close() ran: disconnect all the same.
      await producer.close().catch(() => undefined);
    }
    await dlqProducer.close().catch((e: unknown) => {
      if (!this.#abandoned) this.#options.logger.error({ err: e }, 'dead-letter producer failed; ticks were not affected');
    });
    return failure;
  }
}

/** A kafkajs client of the ingester's; `suffix` tells a second client's connections apart. */
function ingesterKafka(env: Env, logger: Logger, suffix = ''): Kafka {
  return createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-ingester${suffix}`, logger });
}

function summaryOf(source: IngestSource, c: PublisherCounters, durationMs: number, stopped: boolean): RunSummary {
  return {
    source: source.name,
    read: c.read,
    published: c.published,
    accepted: c.accepted,
    deadLettered: c.deadLettered,
    deadLettersLost: c.deadLettersLost,
    duplicates: c.duplicates,
    deadLettersByReason: c.deadLettersByReason,
    ineligibleByReason: c.ineligibleByReason,
    eventsByType: c.eventsByType,
    skippedByReason: c.skippedByReason,
    durationMs,
    stopped,
    ...(source.summary ? { input: source.summary() } : {}),
  };
}

/** Records the broker never acknowledged fail the run first; else the source's or the producer's failure, as an IngesterError. */
function throwIfFailed(report: DeliveryReport, failure: unknown, abandoned: boolean, logger: Logger): void {
  if (report.undelivered.total > 0) throw undeliveredError(report, failure, abandoned, logger);
  if (failure) {
    const message = failure instanceof Error ? failure.message : String(failure);
    throw failure instanceof Error && 'code' in failure ? failure : new IngesterError(IngesterErrorCode.publishFailed, message, {}, { cause: failure });
  }
}

interface WatermarkOptions {
  env: Env;
  logger: Logger;
  producer: BatchingProducer;
  publisher: TickPublisher;
  /** A live source's clock of event time. */
  clock: WatermarkClock | undefined;
  source: TickSource;
  partitions: number;
}

/** The run's watermark timer: a live source's clock, or a paced source's progress, or none. */
function startWatermarks(o: WatermarkOptions, source: IngestSource): NodeJS.Timeout | undefined {
  if (o.clock) return startLiveWatermarks(o, o.clock);
  if (source.progressWatermarks && !source.live && o.env.INGESTER_WATERMARK_MS > 0) return startProgressWatermarks(o);
  return undefined;
}

/** Live feeds: a watermark to every partition each INGESTER_WATERMARK_MS, whenever it moved. */
function startLiveWatermarks(o: WatermarkOptions, clock: WatermarkClock): NodeJS.Timeout {
  let sent = -1;
  const timer = setInterval(() => {
    const wm = clock.current(Date.now());
    if (wm === null || wm <= sent || o.producer.failure) return;
    sent = wm;
    o.publisher.watermark({ v: 1, watermark: wm, source: o.source }, o.partitions);
  }, o.env.INGESTER_WATERMARK_MS);
  timer.unref();
  o.logger.info({ everyMs: o.env.INGESTER_WATERMARK_MS, lagMs: o.env.INGESTER_WATERMARK_LAG_MS, partitions: o.partitions }, 'publishing watermarks to every ticks partition');
  return timer;
}

/**
 * A paced source in event-time order: what it published so far is all there will be up to its
 * newest event time, on every partition, so that time is a watermark for each of them.
 */
function startProgressWatermarks(o: WatermarkOptions): NodeJS.Timeout {
  let sent = -1;
  const timer = setInterval(() => {
    const wm = o.publisher.newestTs;
    if (wm === undefined || wm <= sent || o.producer.failure) return;
    sent = wm;
    o.publisher.watermark({ v: 1, watermark: wm, source: o.source }, o.partitions);
  }, o.env.INGESTER_WATERMARK_MS);
  timer.unref();
  o.logger.info({ everyMs: o.env.INGESTER_WATERMARK_MS, partitions: o.partitions }, 'paced replay: publishing its progress as watermarks to every ticks partition');
  return timer;
}

/**
 * A finite source that ran to its end says so on every partition; otherwise nothing newer
 * ever arrives and the detector never evaluates the last step. Sent only after every tick is
 * acknowledged: if a batch failed for good, the flush throws and no end is claimed for a
 * stream with a hole in it.
 */
async function endOfStream(producer: BatchingProducer, publisher: TickPublisher, source: TickSource, partitions: number, logger: Logger): Promise<void> {
  const newest = publisher.newestTs;
  if (newest === undefined) return;
  await producer.flush();
  publisher.watermark({ v: 1, watermark: newest, source, final: true }, partitions);
  await producer.flush();
  logger.info({ watermark: newest, source, partitions }, `end of stream watermark ${new Date(newest).toISOString()} to ${partitions} partitions`);
}

/**
 * The error of a run that ended with records the broker never acknowledged: each figure in the
 * message and the context, so the operator knows exactly what is on the topic and what is not.
 */
function undeliveredError(r: DeliveryReport, cause: unknown, abandoned: boolean, logger: Logger): IngesterError {
  const u = r.undelivered;
  const why = abandoned ? 'the shutdown deadline passed' : `the broker failed (${cause instanceof Error ? cause.message : String(cause)})`;
  const resume = r.resumeAfter ? `; a replay resumes after ${JSON.stringify(r.resumeAfter.origin)} (event time ${new Date(r.resumeAfter.ts).toISOString()})` : '';
  const message =
    `${why}: ${r.acknowledged.ticks} ticks acknowledged; not acknowledged: ${u.ticks} ticks, ${u.events} events, ${u.watermarks} watermarks, ${u.deadLetters} dead letters ` +
    `(${u.inFlight} of them were in flight and may be on the topic)${resume}`;
  logger.error({ delivery: r }, message);
  return new IngesterError(IngesterErrorCode.undelivered, message, { ...r }, { cause });
}
