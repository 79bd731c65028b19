import { createConsumer, type Consumer, type Kafka, type Producer } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import { RuleRecord, type RuleView } from '@rotation/schemas';
import { parseRecord } from '../core/records.js';
import { RuleDirectory } from '../core/rule-directory.js';

export interface RulesServiceOptions {
  kafka: Kafka;
  /** `<ns>.rules` */
  topic: string;
  /** This instance's own group: it never commits, so every start reads the topic from the beginning. */
  groupId: string;
  redis: Redis;
  /** `<ns>:rules:last-fired` */
  lastFiredKey: string;
  logger: Logger;
  redisTimeoutMs: number;
}

/**
 * The rules API's storage: every gateway instance reads the whole compacted `<ns>.rules` into a
 * RuleDirectory at start (and follows it), and writes changes as records keyed by rule id.
 * A write is acknowledged by every in-sync replica before the API answers, and applied to
 * this instance's directory then, so a client reads its own write on the instance it wrote to;
 * other instances see it as soon as they consume it.
 */
export class RulesService {
  readonly directory = new RuleDirectory();
  readonly #options: RulesServiceOptions;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #caughtUp = false;

  constructor(options: RulesServiceOptions) {
    this.#options = options;
  }

  /** The directory holds everything the topic held at start-up: the API can answer. */
  get ready(): boolean {
    return this.#caughtUp;
  }

  async start(): Promise<void> {
    const { kafka, topic, logger } = this.#options;
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const target = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
    const reached = new Map<number, bigint>();
    const check = () => {
      if ([...target].every(([p, high]) => high === 0n || (reached.get(p) ?? -1n) + 1n >= high)) this.#caughtUp = true;
    };
    check();
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.#producer.connect();
    const consumer = createConsumer(kafka, { groupId: this.#options.groupId, logger, onFatal: (err) => logger.error({ err: err.message }, 'rules consumer stopped; the rules API answers from what it had') });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const record = parseRecord(message.value, RuleRecord);
        if (record) this.directory.apply(record);
        else logger.warn({ offset: message.offset }, 'rule record skipped: does not match RuleRecord');
        reached.set(partition, BigInt(message.offset));
        if (!this.#caughtUp) check();
      },
    });
    // Never committed, so a restart rebuilds from the start; seek anyway in case a previous
    // process of the same instance id committed.
    for (const p of target.keys()) consumer.seek({ topic, partition: p, offset: '0' });
    const deadline = Date.now() + 30_000;
    while (!this.#caughtUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    logger.info({ rules: this.directory.size, caughtUp: this.#caughtUp }, 'rules loaded from the topic');
  }

  /** Writes one change (acks from all in-sync replicas), then applies it here. */
  async write(record: RuleRecord): Promise<void> {
    if (!this.#producer) throw new Error('rules service not started');
    await this.#producer.send({ topic: this.#options.topic, acks: -1, messages: [{ key: record.id, value: JSON.stringify(record) }] });
    this.directory.apply(record);
  }

  /** When each rule last fired (the detector writes it with the alert); empty when Redis does not answer in time. */
  async lastFired(ids: readonly string[]): Promise<Map<string, RuleView['lastFired']>> {
    const out = new Map<string, RuleView['lastFired']>();
    if (ids.length === 0) return out;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), this.#options.redisTimeoutMs)));
    const values = await Promise.race([this.#options.redis.hmget(this.#options.lastFiredKey, ...ids), timeout]).catch(() => null).finally(() => clearTimeout(timer));
    ids.forEach((id, i) => {
      const raw = values?.[i];
      if (!raw) return;
      try {
        const v = JSON.parse(raw) as { eventTime: string; alertId: string; message: string };
        out.set(id, { eventTime: v.eventTime, alertId: v.alertId, message: v.message });
      } catch {
        // a value this version did not write: no last-fired shown
      }
    });
    return out;
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect().catch((err: unknown) => this.#options.logger.warn({ err }, 'rules consumer disconnect failed'));
    await this.#producer?.disconnect().catch(() => undefined);
  }
}
