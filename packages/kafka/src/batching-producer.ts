import { Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from '@rotation/log';
import { KafkaError, KafkaErrorCode } from './errors.js';

export interface OutRecord {
  topic: string;
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
  /** Event time, used as the Kafka record timestamp. */
  timestamp?: number;
  /** An explicit partition (watermark records go to every partition); else the key decides. */
  partition?: number;
  /** The caller's own: never sent, handed back by `onAcked` and `unacknowledged()`. */
  meta?: unknown;
}

/**
 * The broker's default message.max.bytes is 1,048,588 and it applies to each partition's record
 * batch; kafkajs checks nothing before sending. A request no larger than this (records counted
 * with their framing) leaves room for the 61-byte batch header of every partition in it.
 */
export const DEFAULT_MAX_BATCH_BYTES = 1_000_000;

/** Worst case of a record's framing in a v2 record batch: length, attributes, timestamp and offset deltas, key, value and header-count varints. */
const RECORD_OVERHEAD_BYTES = 40;

/** What one record adds to a produce request, uncompressed: UTF-8 bytes, not string length (a U+FFFD is 3 bytes). */
export function recordBytes(r: Pick<OutRecord, 'key' | 'value' | 'headers'>): number {
  let n = RECORD_OVERHEAD_BYTES + (typeof r.value === 'string' ? Buffer.byteLength(r.value, 'utf8') : r.value.byteLength);
  if (r.key !== null) n += Buffer.byteLength(r.key, 'utf8');
  for (const k in r.headers) n += 10 + Buffer.byteLength(k, 'utf8') + Buffer.byteLength(r.headers[k]!, 'utf8');
  return n;
}

/** Cuts a queue's head into the next batch: at most `maxRecords`, at most `maxBytes` (at least one record). */
export function takeBatch<T>(queue: T[], sizes: number[], maxRecords: number, maxBytes: number): { batch: T[]; bytes: number } {
  let n = 0;
  let bytes = 0;
  while (n < queue.length && n < maxRecords && (n === 0 || bytes + sizes[n]! <= maxBytes)) bytes += sizes[n++]!;
  sizes.splice(0, n);
  return { batch: queue.splice(0, n), bytes };
}

export interface BatchingProducerOptions {
  /** Records per produce request; large enough that the request, not the call, is the cost. */
  maxBatchRecords?: number;
  /** Bytes per produce request (records with their framing); keep below the broker's message.max.bytes. */
  maxBatchBytes?: number;
  /** How long a partial batch waits for company before it is sent. */
  lingerMs?: number;
  /** Bytes accepted but not yet acknowledged; above this `push` says "wait". */
  maxBufferedBytes?: number;
  /**
   * How long one batch may keep failing with transient errors (broker down, connection
   * refused, leader moving) before the producer gives up for good. kafkajs' own retries last
   * about 10 s; a broker restart takes longer than that.
   */
  deliveryTimeoutMs?: number;
  logger: Logger;
}

/**
 * An idempotent, acks=all producer that batches records and keeps exactly one produce request
 * in flight. One request at a time is deliberate: kafkajs' idempotent producer can reorder
 * sequence numbers when sends to one partition overlap, and one large request per linger
 * period is already close to the client's ceiling.
 *
 * Backpressure is stream-like: `push` returns false once `maxBufferedBytes` are waiting, and
 * `waitForRoom()` resolves when the buffer has drained below half of that.
 */
export class BatchingProducer {
  readonly #producer: Producer;
  readonly #logger: Logger;
  readonly #maxBatchRecords: number;
  readonly #lingerMs: number;
  readonly #maxBufferedBytes: number;
  readonly #deliveryTimeoutMs: number;
  readonly #maxBatchBytes: number;
  readonly #ackListeners: Array<(records: readonly OutRecord[]) => void> = [];
  #queue: OutRecord[] = [];
  /** recordBytes of each queued record, computed once at push. */
  #sizes: number[] = [];
  #inFlight: OutRecord[] = [];
  #abandoned: KafkaError | undefined;
  #onAbandon: (() => void) | undefined;
  readonly #abandonSignal = new Promise<void>((resolve) => (this.#onAbandon = resolve));
  #queuedBytes = 0;
  #inFlightBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #roomWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  #failure: KafkaError | undefined;
  #closed = false;
  #connected = false;
  /** Records acknowledged by the broker since start. */
  acked = 0;
  /** Produce requests completed since start. */
  requests = 0;

  constructor(kafka: Kafka, options: BatchingProducerOptions) {
    this.#producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Named explicitly (murmur2, Java-compatible): the detector computes its lanes with the
      // same partitioner, and naming it silences kafkajs' "switched default" warning.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.#logger = options.logger;
    this.#maxBatchRecords = options.maxBatchRecords ?? 4_000;
    this.#lingerMs = options.lingerMs ?? 5;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.#maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  }

  /** Calls `listener` with every batch the broker acknowledged, in order: what "published" may count. */
  onAcked(listener: (records: readonly OutRecord[]) => void): void {
    this.#ackListeners.push(listener);
  }

  /** Whether a record can ever be sent: one larger than a whole batch is refused by `push`. */
  fits(record: Pick<OutRecord, 'key' | 'value' | 'headers'>): boolean {
    return recordBytes(record) <= this.#maxBatchBytes;
  }

  /** Records accepted and not acknowledged: `inFlight` may or may not be on the topic, `queued` is not. */
  unacknowledged(): { queued: readonly OutRecord[]; inFlight: readonly OutRecord[] } {
    return { queued: this.#queue, inFlight: this.#inFlight };
  }

  /**
   * Stops waiting for the broker (a bounded shutdown): pending and future waits reject, and
   * `flush` and `close` return at once. What was not acknowledged stays in `unacknowledged()`.
   */
  abandon(reason: string): void {
    if (this.#abandoned) return;
    this.#abandoned = new KafkaError(KafkaErrorCode.abandoned, reason, { queued: this.#queue.length, inFlight: this.#inFlight.length });
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#roomWaiters.splice(0)) w.reject(this.#abandoned);
    this.#onAbandon?.();
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
    this.#connected = true;
  }

  get bufferedBytes(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  /** The error that stopped the producer, if any. A failed producer accepts nothing more. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Accepts one record. Returns false when the caller should `await waitForRoom()` before the
   * next push (the record itself is accepted either way). Throws once the producer has failed.
   */
  push(record: OutRecord): boolean {
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw this.#abandoned ?? new KafkaError(KafkaErrorCode.closed, 'producer is closed');
    const size = recordBytes(record);
    if (size > this.#maxBatchBytes) {
      throw new KafkaError(KafkaErrorCode.recordTooLarge, `record of ${size} bytes exceeds the ${this.#maxBatchBytes}-byte batch limit`, { topic: record.topic, bytes: size });
    }
    this.#queue.push(record);
    this.#sizes.push(size);
    this.#queuedBytes += size;
    if (this.#queue.length >= this.#maxBatchRecords || this.#queuedBytes >= this.#maxBatchBytes) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#lingerMs);
    return this.bufferedBytes < this.#maxBufferedBytes;
  }

  /** push + waitForRoom, for callers that produce one record at a time. */
  async send(record: OutRecord): Promise<void> {
    if (!this.push(record)) await this.waitForRoom();
  }

  waitForRoom(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#abandoned) return Promise.reject(this.#abandoned);
    if (this.bufferedBytes < this.#maxBufferedBytes / 2) return Promise.resolve();
    return new Promise((resolve, reject) => this.#roomWaiters.push({ resolve, reject }));
  }

  /** Resolves when every record pushed so far is acknowledged by the broker. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#sending) {
      if (this.#failure) throw this.#failure;
      if (this.#abandoned) throw this.#abandoned;
      if (!this.#sending) this.#kick();
      await Promise.race([this.#sending, this.#abandonSignal]);
    }
    if (this.#failure) throw this.#failure;
    if (this.#abandoned) throw this.#abandoned;
  }

  /** Flushes what was accepted, then disconnects. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed && !this.#abandoned) return;
    try {
      if (!this.#abandoned) await this.flush();
    } finally {
      this.#closed = true;
      if (this.#timer) clearTimeout(this.#timer);
      if (this.#connected) {
        this.#connected = false;
        // An abandoned producer's broker is presumably gone: disconnecting must not wait on it.
        const disconnect = this.#producer.disconnect();
        if (this.#abandoned) await Promise.race([disconnect.catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
        else await disconnect;
      }
    }
    if (this.#abandoned) throw this.#abandoned;
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#sending || this.#queue.length === 0 || this.#failure || this.#abandoned) return;
    // The failure is kept in #failure and rethrown to whoever flushes or pushes next; the
    // promise itself must not reject unobserved when a linger timer started it.
    this.#sending = this.#drain()
      .catch(() => undefined)
      .finally(() => {
        this.#sending = undefined;
        if (this.#queue.length > 0 && !this.#failure && !this.#abandoned) this.#kick();
      });
  }

  async #drain(): Promise<void> {
    const { batch, bytes } = takeBatch(this.#queue, this.#sizes, this.#maxBatchRecords, this.#maxBatchBytes);
    this.#inFlight = batch;
    const byTopic = new Map<string, Message[]>();
    for (const r of batch) {
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({
        key: r.key,
        value: r.value,
        ...(r.headers ? { headers: r.headers } : {}),
        ...(r.timestamp !== undefined ? { timestamp: String(r.timestamp) } : {}),
        ...(r.partition !== undefined ? { partition: r.partition } : {}),
      });
    }
    this.#queuedBytes -= bytes;
    this.#inFlightBytes += bytes;
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.#sendWithRetry(topicMessages, batch.length);
      // Acknowledged after an abandon is still acknowledged, but it was already reported as
      // "in flight, may be on the topic": counting it now would change a figure already given.
      if (this.#abandoned) return;
      this.#inFlight = [];
      this.acked += batch.length;
      this.requests += 1;
      for (const l of this.#ackListeners) l(batch);
    } catch (cause) {
      if (this.#abandoned) throw this.#abandoned;
      this.#failure = new KafkaError(
        KafkaErrorCode.sendFailed,
        `produce failed after retries: ${(cause as Error).message}`,
        { records: batch.length, topics: [...byTopic.keys()] },
        { cause },
      );
      this.#logger.error({ err: cause, records: batch.length }, 'produce failed; producer stopped');
      for (const w of this.#roomWaiters.splice(0)) w.reject(this.#failure);
      throw this.#failure;
    } finally {
      this.#inFlightBytes -= bytes;
    }
    if (this.#abandoned) return;
    if (this.bufferedBytes < this.#maxBufferedBytes / 2) for (const w of this.#roomWaiters.splice(0)) w.resolve();
  }

  /**
   * Sends one batch, resending the same batch after transient failures until the delivery
   * timeout. Resending is safe with the idempotent producer: kafkajs advances its sequence
   * numbers only on success, so a batch the broker did write before the connection dropped
   * comes back as a duplicate the broker discards, and nothing else is sent in between.
   */
  async #sendWithRetry(topicMessages: TopicMessages[], records: number): Promise<void> {
    const deadline = Date.now() + this.#deliveryTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#producer.sendBatch({ acks: -1, topicMessages });
        if (attempt > 1) this.#logger.info({ attempt, records }, 'produce succeeded again after a transient failure');
        return;
      } catch (err) {
        const remaining = deadline - Date.now();
        if (!isTransient(err) || remaining <= 0 || this.#closed) throw err;
        const backoff = Math.min(remaining, fullJitter(attempt, 250, 5_000));
        this.#logger.warn({ err: (err as Error).message, attempt, records, retryInMs: backoff }, 'produce failed transiently; resending the same batch');
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }
}

const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSNumberOfRetriesExceeded',
]);

/**
 * Whether an error is worth resending for: a connection-level kafkajs error or a protocol
 * error the broker marks retriable (leader moved, not enough replicas), looking through
 * kafkajs' wrapping (`originalError`, `cause`). A record too large or an authorization error
 * is not.
 */
export function isTransient(err: unknown): boolean {
  for (let e = err as { name?: string; retriable?: boolean; type?: string; originalError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError') {
      // Only as transient as what kafkajs gave up on.
      e = (e.originalError ?? e.cause) as typeof e;
      continue;
    }
    if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
    if (e.name === 'KafkaJSProtocolError') return e.retriable === true;
    return false;
  }
  return false;
}

function fullJitter(attempt: number, baseMs: number, capMs: number): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 10)));
}
