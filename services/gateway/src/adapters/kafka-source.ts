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
  readonly #o: KafkaSourceOptions;
  #consumer: Consumer | undefined;
  #running = false;

  constructor(options: KafkaSourceOptions) {
    this.#o = options;
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
        this.#o.logger.warn({ err: (error as Error).message, attempt: i }, 'reading end offsets failed; retrying');
        await new Promise((r) => setTimeout(r, 250 * i));
      }
    }
  }

  async #endOffsets(): Promise<StartOffsets> {
    const admin = this.#o.kafka.admin();
    await admin.connect();
    try {
      const out: StartOffsets = [];
      for (const topic of [this.#o.alertsTopic, this.#o.snapshotsTopic]) {
        for (const p of await admin.fetchTopicOffsets(topic)) out.push({ topic, partition: p.partition, offset: p.high });
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }

  async start(from: StartOffsets): Promise<void> {
    const { logger, metrics } = this.#o;
    const consumer = createConsumer(this.#o.kafka, {
      groupId: this.#o.groupId,
      logger,
      onFatal: (error) => {
        this.#running = false;
        metrics.kafkaUp.set(0);
        this.#o.onFatal(error);
      },
    });
    this.#consumer = consumer;
    let joins = 0;
    let deferredSeeks: StartOffsets = [];
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Before the first fetch of the session: the seeks run() could not take yet.
      for (const o of deferredSeeks) consumer.seek(o);
      deferredSeeks = [];
      if (joins++ > 0) this.#o.onRejoin();
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
    await consumer.subscribe({ topics: [this.#o.alertsTopic, this.#o.snapshotsTopic], fromBeginning: false });
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
    const isAlerts = batch.topic === this.#o.alertsTopic;
    let pending: Promise<void> | undefined;
    let n = 0;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      if (isAlerts) pending = this.#o.onAlert(message.value);
      else this.#o.onSnapshot(message.value);
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
      for (const m of batch.messages.slice(0, n)) this.#o.metrics.alertLatency.observe(Math.max(0, now - Number(m.timestamp)) / 1000);
    }
    this.#o.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    await heartbeat();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#consumer?.disconnect().catch((err: unknown) => this.#o.logger.warn({ err }, 'consumer disconnect failed'));
  }
}
