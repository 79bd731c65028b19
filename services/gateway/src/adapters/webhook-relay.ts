import { createConsumer, type Consumer, type EachBatchPayload, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import { Alert } from '@rotation/schemas';
import { WebhookDispatcher, type DeadLetterEntry, type SinkConfig } from '@rotation/webhooks';
import { CommitTracker, type SettleToken } from '../core/commit-tracker.js';
import { parseRecord } from '../core/records.js';
import type { Metrics } from './metrics.js';

export interface WebhookRelayOptions {
  kafka: Kafka;
  /** `<ns>.alerts` */
  topic: string;
  /** `<ns>.webhooks`: one group for every gateway, so each alert is posted by one of them. */
  groupId: string;
  /** The sinks to start with (WEBHOOKS_FILE's, the API's); `upsert` and `remove` change them. */
  sinks: readonly SinkConfig[];
  /** WEBHOOKS_ALLOW_PRIVATE_TARGETS: sinks may reach loopback, private and link-local addresses. */
  allowPrivateTargets?: boolean;
  redis: Redis;
  /** Redis stream that keeps dead letters (`<ns>:webhooks:dlq`). */
  deadLetterKey: string;
  logger: Logger;
  metrics: Metrics;
  /** How often settled offsets are committed. */
  commitIntervalMs?: number;
  /** Alerts owed to sinks before consumption pauses. */
  maxOutstanding?: number;
  /** How long close() lets sinks drain. */
  drainTimeoutMs?: number;
}

const DLQ_MAXLEN = 10_000;

/**
 * Posts every alert on `<ns>.alerts` to the configured webhook sinks and commits an alert's
 * offset only once every sink is done with it (delivered, or dead-lettered into Redis). A
 * crash or a rebalance therefore re-posts what was not finished (at least once: receivers
 * dedupe on X-Rotation-Delivery) and never skips an alert. A new group starts at the end of the
 * topic: turning webhooks on does not post the whole history.
 */
export class WebhookRelay {
  readonly #options: Required<Omit<WebhookRelayOptions, 'logger'>> & { logger: Logger };
  readonly #tracker = new CommitTracker();
  readonly #tokens = new WeakMap<Alert, SettleToken>();
  /** Alerts whose dead letter could not be written: never committed, so re-posted after a restart. */
  readonly #unrecorded = new WeakSet<Alert>();
  readonly #dispatcher: WebhookDispatcher;
  #consumer: Consumer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;

  constructor(options: WebhookRelayOptions) {
    this.#options = { commitIntervalMs: 500, maxOutstanding: 10_000, drainTimeoutMs: 10_000, allowPrivateTargets: false, ...options, logger: options.logger.child({ component: 'webhooks' }) };
    this.#dispatcher = new WebhookDispatcher({
      sinks: options.sinks,
      logger: this.#options.logger,
      allowPrivateTargets: this.#options.allowPrivateTargets,
      deadLetter: (entry) => this.#recordDeadLetter(entry),
      onSettled: (alert, how, sink) => {
        this.#options.metrics.webhookAlerts.inc({ sink, outcome: how });
        const token = this.#tokens.get(alert);
        if (token && !this.#unrecorded.has(alert)) this.#tracker.settle(token);
      },
    });
  }

  get sinks(): string[] {
    return this.#dispatcher.sinkNames;
  }

  /** A sink added or changed while running: alerts consumed from now on go to it as configured. */
  upsert(config: SinkConfig): void {
    this.#dispatcher.upsert(config);
  }

  /** A sink deleted while running: what it held is dead-lettered as `removed` and committed past. */
  remove(name: string): Promise<boolean> {
    return this.#dispatcher.remove(name);
  }

  async start(): Promise<void> {
    const consumer = createConsumer(this.#options.kafka, {
      groupId: this.#options.groupId,
      logger: this.#options.logger,
      onFatal: (err) => this.#options.logger.error({ err: err.message }, 'webhook consumer stopped for good; alerts are not posted until restart'),
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      // The consumer re-reads from the committed offsets: what was in flight will come again.
      this.#tracker.reset();
      this.#options.logger.info({ assigned: e.payload.memberAssignment[this.#options.topic] ?? [] }, 'webhook relay joined');
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.#options.topic, fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.#eachBatch(p) });
    this.#timer = setInterval(() => void this.#commit(), this.#options.commitIntervalMs);
    this.#timer.unref();
    this.#options.logger.info({ sinks: this.sinks, group: this.#options.groupId }, 'webhook relay started');
  }

  /** Stops consuming, lets the sinks drain, commits what they finished. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      clearInterval(this.#timer);
      // Commits need a member of the group: pause and drain first, leave the group last.
      this.#consumer?.pause([{ topic: this.#options.topic }]);
      await this.#dispatcher.close(this.#options.drainTimeoutMs);
      await this.#commit();
      await this.#consumer?.disconnect().catch((err: unknown) => this.#options.logger.warn({ err }, 'webhook consumer disconnect failed'));
    })();
    return this.#stopped;
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || this.#stopping) return;
      const alert = parseRecord(message.value, Alert);
      if (!alert) {
        this.#options.metrics.badRecords.inc({ topic: batch.topic });
        this.#options.logger.warn({ partition: batch.partition, offset: message.offset }, 'record on the alerts topic is not an Alert; not posted');
        this.#tracker.add(batch.partition, message.offset, 0);
      } else {
        const results = this.#dispatcher.push(alert);
        const owed = Object.values(results).filter((r) => r === 'queued' || r === 'queue_full').length;
        this.#tokens.set(alert, this.#tracker.add(batch.partition, message.offset, owed));
      }
      payload.resolveOffset(message.offset);
      // A sink far behind holds the commit; stop reading rather than grow without bound.
      while (this.#tracker.outstanding >= this.#options.maxOutstanding && payload.isRunning() && !this.#stopping) {
        await new Promise((r) => setTimeout(r, 200));
        await payload.heartbeat();
      }
    }
  }

  async #commit(): Promise<void> {
    for (const [sink, s] of Object.entries(this.#dispatcher.stats())) this.#options.metrics.webhookQueued.set({ sink }, s.queued);
    const commits = this.#tracker.takeCommits();
    if (commits.length === 0 || !this.#consumer) return;
    await this.#consumer
      .commitOffsets(commits.map((c) => ({ topic: this.#options.topic, ...c })))
      .catch((err: unknown) => this.#options.logger.warn({ err: (err as Error).message }, 'webhook offset commit failed; those alerts may be posted again after a restart'));
  }

  /**
   * Dead letters go to a Redis stream (no URL, header or secret in them). Alerts left at
   * shutdown are not dead letters: they stay uncommitted and are posted after the restart.
   * A write that keeps failing leaves the alert uncommitted too.
   */
  async #recordDeadLetter(entry: DeadLetterEntry): Promise<void> {
    if (entry.reason === 'shutdown') return;
    for (let attempt = 1; ; attempt++) {
      try {
        await withTimeout(this.#options.redis.xadd(this.#options.deadLetterKey, 'MAXLEN', '~', String(DLQ_MAXLEN), '*', 'e', JSON.stringify(entry)), 2_000);
        return;
      } catch (err) {
        if (this.#stopping || attempt >= 30) {
          this.#unrecorded.add(entry.alert);
          this.#options.logger.error({ alertId: entry.alert.id, sink: entry.sink, err: (err as Error).message }, 'dead letter not recorded; the alert stays uncommitted');
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2_000)));
      }
    }
  }
}


function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e as Error)),
    );
  });
}
