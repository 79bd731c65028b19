import { BatchingProducer, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { alertHistoryCodec, type Redis, type StreamEntry } from '@rotation/redis';
import type { DeadLetter } from '@rotation/schemas';
import type { DetectorKeys } from './redis-keys.js';

/**
 * Publishes what the Redis history holds but Kafka has not seen: alerts with seq above
 * `alerts:published`, then the latest snapshot. It reads from Redis, never from memory, so
 * the same call serves after a commit, after a restart, and after a broker outage.
 * Consumers dedupe alerts by seq, so publishing one twice after a crash is harmless.
 */
export class Outbox {
  readonly #kafka: Kafka;
  readonly #redis: Redis;
  readonly #keys: DetectorKeys;
  readonly #topics: { alerts: string; snapshots: string; dlq: string };
  readonly #logger: Logger;
  #producer: BatchingProducer | null = null;
  #publishedSnapshot = 0;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(kafka: Kafka, redis: Redis, keys: DetectorKeys, topics: { alerts: string; snapshots: string; dlq: string }, logger: Logger) {
    this.#kafka = kafka;
    this.#redis = redis;
    this.#keys = keys;
    this.#topics = topics;
    this.#logger = logger;
  }

  /** A failed BatchingProducer accepts nothing more: a fresh one replaces it on the next call. */
  async #producerReady(): Promise<BatchingProducer> {
    if (this.#producer && !this.#producer.failure) return this.#producer;
    if (this.#producer) await this.#producer.close().catch(() => undefined);
    const p = new BatchingProducer(this.#kafka, { logger: this.#logger, lingerMs: 2 });
    await p.connect();
    this.#producer = p;
    return p;
  }

  /** Dead letters go out before the batch commits (at least once: a crash may repeat them). */
  async deadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const p = await this.#producerReady();
    for (const dl of letters) {
      if (!p.push({ topic: this.#topics.dlq, key: dl.origin.offset ?? null, value: JSON.stringify(dl) })) await p.waitForRoom();
    }
    await p.flush();
  }

  /** Runs one publish at a time; a call during a run schedules one more run after it. */
  publish(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#publishOnce();
        } while (this.#again);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async #publishOnce(): Promise<void> {
    const k = this.#keys.shared;
    // The version key is written with the snapshot, so the snapshot is read (not parsed) only when newer.
    const [publishedText, versionText] = await this.#redis.mget(k.alertPublished, this.#keys.version);
    const from = Number(publishedText ?? 0);
    const p = await this.#producerReady();
    let last = from;
    let cursor = `${from}-1`;
    for (;;) {
      const entries = (await this.#redis.xrange(k.alertHistory, cursor, '+', 'COUNT', 1000)) as StreamEntry[];
      if (entries.length === 0) break;
      for (const entry of entries) {
        const alert = alertHistoryCodec.decode(entry);
        const json = alertHistoryCodec.rawOf(entry[1]);
        if (!alert || json === undefined) {
          this.#logger.warn({ key: k.alertHistory, id: entry[0] }, 'history entry is not a valid alert; not published');
          continue;
        }
        if (alert.seq <= from) continue;
        if (!p.push({ topic: this.#topics.alerts, key: alert.id, value: json, timestamp: Date.parse(alert.eventTime) })) await p.waitForRoom();
        last = alert.seq;
      }
      cursor = `(${entries[entries.length - 1]![0]}`;
    }
    let snapshotVersion = this.#publishedSnapshot;
    if (Number(versionText ?? 0) > this.#publishedSnapshot) {
      // Read together, the version and the snapshot are of the same commit.
      const [version, snapshotText] = await this.#redis.mget(this.#keys.version, k.snapshot);
      if (snapshotText) {
        p.push({ topic: this.#topics.snapshots, key: 'snapshot', value: snapshotText });
        snapshotVersion = Number(version ?? 0);
      }
    }
    await p.flush();
    this.#publishedSnapshot = snapshotVersion;
    if (last > from) {
      // Only this instance (the fence holder) publishes; a plain SET of a larger value is enough.
      await this.#redis.set(k.alertPublished, last);
    }
  }

  async close(): Promise<void> {
    if (this.#running) await this.#running.catch(() => undefined);
    if (this.#producer) await this.#producer.close().catch((err: unknown) => this.#logger.warn({ err }, 'producer close failed'));
    this.#producer = null;
  }
}

/**
 * Retries a publish that failed (broker outage) even when no new batch arrives: every 2 s while
 * `due()` (the active instance, not stopping). Returns what stops it.
 */
export function retryPublishes(outbox: Outbox, due: () => boolean): () => void {
  const timer = setInterval(() => {
    if (due()) void outbox.publish().catch(() => undefined);
  }, 2_000);
  timer.unref();
  return () => clearInterval(timer);
}
