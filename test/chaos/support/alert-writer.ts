/**
 * Writes alerts exactly as the detector's commit + outbox do (docs/redis-keys.md): one MULTI
 * that appends `<seq>-0` to the history stream and advances `alerts:seq`, then the record on
 * `<ns>.alerts` (key = alert id, value = alert JSON with seq), then `alerts:published`. It lets
 * the gateway tests control the alert stream's pace without running analytics.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { Redis } from '@rotation/redis';
import { sharedKeys } from '@rotation/redis';
import { topicNames, type Alert } from '@rotation/schemas';

export class AlertWriter {
  readonly written: Alert[] = [];
  #producer: Producer;
  readonly #keys: ReturnType<typeof sharedKeys>;
  readonly #topic: string;

  constructor(
    kafka: Kafka,
    private readonly redis: Redis,
    ns: string,
  ) {
    this.#producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.#keys = sharedKeys(ns);
    this.#topic = topicNames(ns).alerts;
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
    await this.redis.set(this.#keys.alertEpoch, randomUUID(), 'NX');
  }

  async write(i: number): Promise<Alert> {
    const seq = (this.written.at(-1)?.seq ?? Number((await this.redis.get(this.#keys.alertSeq)) ?? 0)) + 1;
    const eventTime = new Date(Date.UTC(2024, 0, 2, 15) + i * 60_000).toISOString();
    const alert: Alert = {
      id: `a_chaos_${i}`,
      kind: 'spread_zscore',
      severity: 'info',
      subject: 'IWM/SPY',
      window: '1d',
      eventTime,
      message: `IWM/SPY spread z-score test alert #${i}`,
      metrics: { zScore: 2 + i / 1000 },
      seq,
    };
    const json = JSON.stringify(alert);
    await this.redis.multi().xadd(this.#keys.alertHistory, `${seq}-0`, 'a', json).set(this.#keys.alertSeq, seq).exec();
    await this.#producer.send({ topic: this.#topic, acks: -1, messages: [{ key: alert.id, value: json, timestamp: String(Date.parse(eventTime)) }] });
    await this.redis.set(this.#keys.alertPublished, seq);
    this.written.push(alert);
    return alert;
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}
