import { createConsumer, type Consumer, type EachBatchPayload, type Kafka, type KafkaError } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Metrics } from './metrics.js';

export interface KafkaSourceOptions {
  kafka: Kafka;
  groupId: string;
  alertsTopic: string;
  snapshotsTopic: string;
  logger: Logger;
  metrics: Metrics;
  onAlert: (value: Buffer | null) => Promise<void>;
  onSnapshot: (value: Buffer | null) => void;
  /** The consumer joined again after kafkajs restarted it (records may have been skipped). */
  onRejoin: () => void;
  onFatal: (error: KafkaError) => void;
}

const YIELD_EVERY = 64;

export type StartOffsets = Array<{ topic: string; partition: number; offset: string }>;

/**
 * Each gateway instance reads both topics on its own (its own consumer group),
 * so any instance can serve any client. Start-up order avoids a blind spot: take the topics'
 * end offsets first, then load Redis (which is at least that new, because the detector writes
 * Redis before it produces), then consume from those offsets.
 */
export class KafkaSource {
  readonly #options: KafkaSourceOptions;
  #consumer: Consumer | undefined;
  #running = false;

  constructor(options: KafkaSourceOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** End offsets of both topics; retried because a just-created topic's metadata can lag. */
  async endOffsets(attempts = 5): Promise<StartOffsets> {
    for (let i = 1; ; i++) {
      try {
        return await this.#endOffsets();
      } catch (error) {
        if (i >= attempts) throw error;
        this.#options.logger.warn({ err: (error as Error).message, attempt: i }, 'reading end offsets failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * i));
      }
    }
  }

  async #endOffsets(): Promise<StartOffsets> {
    const admin = this.#options.kafka.admin();
    await admin.connect();
    try {
      const out: StartOffsets = [];
      for (const topic of [this.#options.alertsTopic, this.#options.snapshotsTopic]) {
        for (const p of await admin.fetchTopicOffsets(topic)) out.push({ topic, partition: p.partition, offset: p.high });
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }

  async start(from: StartOffsets): Promise<void> {
    const { logger, metrics } = this.#options;
    const consumer = createConsumer(this.#options.kafka, {
      groupId: this.#options.groupId,
      logger,
      onFatal: (error) => {
        this.#running = false;
        metrics.kafkaUp.set(0);
        this.#options.onFatal(error);
      },
    });
    this.#consumer = consumer;
    let joins = 0;
    let deferredSeeks: StartOffsets = [];
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Before the first fetch of the session: the seeks run() could not take yet.
      for (const o of deferredSeeks) consumer.seek(o);
      deferredSeeks = [];
      if (joins++ > 0) this.#options.onRejoin();
      this.#running = true;
      metrics.kafkaUp.set(1);
    });
    consumer.on(consumer.events.STOP, () => {
      this.#running = false;
      metrics.kafkaUp.set(0);
    });
    consumer.on(consumer.events.CRASH, () => {
      this.#running = false;
      metrics.kafkaUp.set(0);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.#options.alertsTopic, this.#options.snapshotsTopic], fromBeginning: false });
    await consumer.run({
      // Offsets are committed only so that kafkajs, when it restarts a crashed consumer,
      // continues where it was; at start-up the explicit seek below decides the position.
      autoCommit: true,
      eachBatchAutoResolve: true,
      eachBatch: (payload) => this.#batch(payload),
    });
    // kafkajs creates the consumer group inside run() without waiting for it; on a loaded
    // machine it may not exist yet ("Consumer group was not initialized"), and the seeks then
    // wait for the join, which comes before any fetch.
    try {
      for (const o of from) consumer.seek(o);
    } catch (err) {
      if (!/not initialized/i.test((err as Error).message)) throw err;
      deferredSeeks = from;
    }
  }

  async #batch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const isAlerts = batch.topic === this.#options.alertsTopic;
    let pending: Promise<void> | undefined;
    let n = 0;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      if (isAlerts) pending = this.#options.onAlert(message.value);
      else this.#options.onSnapshot(message.value);
      // A large batch (catch-up after a stall) is fanned out in slices with an event-loop
      // turn between them, so sockets flush and healthy clients' buffers drain instead of
      // the whole batch landing in every buffer at once.
      if (++n % YIELD_EVERY === 0) {
        await pending;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    // Alerts are forwarded in order by the hub; waiting here keeps the consumer from running
    // ahead of a slow gap fill.
    if (pending) await pending;
    if (isAlerts) {
      const now = Date.now();
      for (const m of batch.messages.slice(0, n)) this.#options.metrics.alertLatency.observe(Math.max(0, now - Number(m.timestamp)) / 1000);
    }
    this.#options.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    await heartbeat();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#consumer?.disconnect().catch((err: unknown) => this.#options.logger.warn({ err }, 'consumer disconnect failed'));
  }
}
