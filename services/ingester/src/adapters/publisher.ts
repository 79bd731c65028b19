import { KafkaErrorCode, type BatchingProducer, type OutRecord } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { WATERMARK_KEY, type DeadLetterOrigin, type DeadLetterReason, type LaneWatermark, type PrintReason, type TickSource, type TopicNames, type TradeEvent } from '@rotation/schemas';
import { buildDeadLetter } from '../core/dead-letter.js';
import type { Normalizer } from '../core/normalize.js';
import { SourceMaxTs } from '../core/source-max.js';
import type { QuoteSink, RawEvent, RawQuote, SkipReason } from '../core/source.js';
import type { WatermarkClock } from '../core/watermark-clock.js';

export interface PublisherCounters {
  /** Every record a source delivered: quotes and rejections. */
  read: number;
  /** Ticks handed to the producer, acknowledged or not. */
  accepted: number;
  /** Ticks the broker acknowledged: on the topic, whatever happens to the process next. */
  published: number;
  /** Dead letters handed to the DLQ producer. */
  deadLettered: number;
  /** Dead letters dropped because the DLQ producer had failed: counted and logged, never fatal to the ticks. */
  deadLettersLost: number;
  duplicates: number;
  deadLettersByReason: Partial<Record<DeadLetterReason, number>>;
  /** Published prints that may not set a last-sale price (they stay on the topic), by reason. */
  ineligibleByReason: Partial<Record<PrintReason, number>>;
  /** Cancels, corrections and corporate actions published. */
  eventsByType: Partial<Record<TradeEvent['type'], number>>;
  /** Input skipped by design (no dead letter), by reason. */
  skippedByReason: Partial<Record<SkipReason, number>>;
}

/** Hooks for service metrics; the counters above stay the source of truth for summaries. */
export interface PublisherObserver {
  published(): void;
  deadLettered(reason: DeadLetterReason): void;
  duplicate(): void;
  ineligible?(reason: PrintReason): void;
  event?(type: TradeEvent['type']): void;
  skipped?(reason: SkipReason): void;
}

type Producer = Pick<BatchingProducer, 'push' | 'waitForRoom' | 'onAcked'>;

/** What the publisher tags its records with (OutRecord.meta): how an acknowledgement is counted, and where a replay resumes. */
export interface RecordMeta {
  kind: 'tick' | 'event' | 'watermark' | 'dead_letter';
  ts?: number;
  origin?: DeadLetterOrigin;
}

/** The newest tick or event acknowledged: a replay resumes after it. */
export interface AckedPosition {
  ts: number;
  origin: DeadLetterOrigin;
}

export interface PublisherOptions {
  producer: Producer;
  /**
   * Dead letters go through a producer of their own, so a DLQ that fails or fills up cannot
   * stop or lose ticks. Defaults to `producer` (tests).
   */
  dlqProducer?: Producer;
  normalizer: Normalizer;
  topics: Pick<TopicNames, 'ticks' | 'ticksDlq'>;
  logger: Logger;
  now?: () => number;
  observer?: PublisherObserver;
  /** Live feeds: every published tick moves the clock behind the watermark records. */
  watermarks?: WatermarkClock;
}

/**
 * The QuoteSink every source writes to: normalises, publishes ticks to `<ns>.ticks` (key =
 * symbol so one symbol stays on one partition in order, Kafka timestamp = event time) and
 * everything unusable to `<ns>.ticks.dlq`. When the producer's buffer is full the returned
 * promise holds the source until there is room again: backpressure, not unbounded buffering.
 * Being the one place ticks become records, it stamps each with the run's `sourceMaxTs`.
 */
export class TickPublisher implements QuoteSink {
  readonly counters: PublisherCounters = { read: 0, accepted: 0, published: 0, deadLettered: 0, deadLettersLost: 0, duplicates: 0, deadLettersByReason: {}, ineligibleByReason: {}, eventsByType: {}, skippedByReason: {} };
  readonly #options: PublisherOptions;
  readonly #now: () => number;
  readonly #sourceMax = new SourceMaxTs();
  readonly #dlq: Producer;
  /** The newest tick or event the broker acknowledged (records are acknowledged in order). */
  lastAcked: AckedPosition | undefined;

  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#dlq = options.dlqProducer ?? options.producer;
    options.producer.onAcked((records) => this.#acknowledged(records));
    // One producer for both: its acknowledgements are already counted above.
    if (this.#dlq !== options.producer) this.#dlq.onAcked((records) => this.#acknowledged(records));
  }

  #acknowledged(records: readonly OutRecord[]): void {
    for (const r of records) {
      const m = r.meta as RecordMeta | undefined;
      if (m?.kind === 'tick') this.counters.published += 1;
      if ((m?.kind === 'tick' || m?.kind === 'event') && m.ts !== undefined && m.origin) this.lastAcked = { ts: m.ts, origin: m.origin };
    }
  }


  /**
   * The producer refuses a record larger than a whole produce request (the broker would refuse
   * the batch it is in, and every good tick with it): that one record becomes a dead letter.
   */
  #pushOrTooLarge(record: OutRecord): boolean | 'too_large' {
    try {
      return this.#options.producer.push(record);
    } catch (err) {
      if ((err as { code?: string }).code === KafkaErrorCode.recordTooLarge) return 'too_large';
      throw err;
    }
  }

  quote(raw: RawQuote, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void> {
    this.counters.read += 1;
    const r = this.#options.normalizer.normalize(raw, source);
    if (r.kind === 'duplicate') {
      this.counters.duplicates += 1;
      this.#options.observer?.duplicate();
      return;
    }
    if (r.kind === 'rejected') return this.#deadLetter(r.reason, r.message, origin, rawText ?? JSON.stringify(raw), source);
    const tick = this.#sourceMax.stamp(r.tick);
    const record = { topic: this.#options.topics.ticks, key: tick.symbol, value: JSON.stringify(tick), timestamp: tick.ts, meta: { kind: 'tick', ts: tick.ts, origin } satisfies RecordMeta };
    const room = this.#pushOrTooLarge(record);
    if (room === 'too_large') return this.#deadLetter('too_large', `tick of ${record.value.length} characters exceeds the produce request limit`, origin, rawText ?? record.value, source);
    this.#options.watermarks?.observe(tick.ts, this.#now());
    this.counters.accepted += 1;
    this.#options.observer?.published();
    const reason = tick.eligibility?.reason;
    if (reason !== undefined) {
      this.counters.ineligibleByReason[reason] = (this.counters.ineligibleByReason[reason] ?? 0) + 1;
      this.#options.observer?.ineligible?.(reason);
    }
    return room ? undefined : this.#options.producer.waitForRoom();
  }

  /**
   * Cancels, corrections and corporate actions go to the ticks topic with key = symbol, so
   * each lands on its symbol's partition after the prints it amends. They move no watermark.
   */
  event(raw: RawEvent, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void> {
    this.counters.read += 1;
    const r = this.#options.normalizer.normalizeEvent(raw, source);
    if (r.kind === 'duplicate') {
      this.counters.duplicates += 1;
      this.#options.observer?.duplicate();
      return;
    }
    if (r.kind === 'rejected') return this.#deadLetter(r.reason, r.message, origin, rawText ?? JSON.stringify(raw), source);
    const e = this.#sourceMax.stampAmendment(r.event);
    const record = { topic: this.#options.topics.ticks, key: e.symbol, value: JSON.stringify(e), timestamp: e.ts, meta: { kind: 'event', ts: e.ts, origin } satisfies RecordMeta };
    const room = this.#pushOrTooLarge(record);
    if (room === 'too_large') return this.#deadLetter('too_large', `event of ${record.value.length} characters exceeds the produce request limit`, origin, rawText ?? record.value, source);
    this.counters.eventsByType[e.type] = (this.counters.eventsByType[e.type] ?? 0) + 1;
    this.#options.observer?.event?.(e.type);
    return room ? undefined : this.#options.producer.waitForRoom();
  }

  skip(reason: SkipReason, origin: DeadLetterOrigin): void {
    this.counters.read += 1;
    this.counters.skippedByReason[reason] = (this.counters.skippedByReason[reason] ?? 0) + 1;
    this.#options.observer?.skipped?.(reason);
    if ((this.counters.skippedByReason[reason] ?? 0) <= 3) this.#options.logger.info({ reason, origin }, 'skipped input record');
  }

  /** The newest event time published so far (what an end-of-stream watermark promises); undefined before the first tick. */
  get newestTs(): number | undefined {
    return this.#sourceMax.newest;
  }

  /**
   * One watermark record to every partition of `<ns>.ticks`: a lane only moves on records in
   * its own partition, and the partitions whose symbols are quiet are the ones that need it.
   */
  watermark(mark: LaneWatermark, partitions: number): void {
    const value = JSON.stringify(mark);
    for (let partition = 0; partition < partitions; partition++) {
      this.#options.producer.push({ topic: this.#options.topics.ticks, partition, key: WATERMARK_KEY, value, timestamp: mark.watermark, meta: { kind: 'watermark' } satisfies RecordMeta });
    }
  }

  reject(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin, rawText: string, source: TickSource): void | Promise<void> {
    this.counters.read += 1;
    return this.#deadLetter(reason, message, origin, rawText, source);
  }

  #deadLetter(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin, rawText: string, source: TickSource): void | Promise<void> {
    const letter = buildDeadLetter(reason, message, source, origin, rawText, this.#now());
    let room: boolean;
    try {
      room = this.#dlq.push({ topic: this.#options.topics.ticksDlq, key: source, value: JSON.stringify(letter), timestamp: letter.at, meta: { kind: 'dead_letter' } satisfies RecordMeta });
    } catch (err) {
      // A failed DLQ loses dead letters, never ticks: counted, logged, and the run goes on.
      this.counters.deadLettersLost += 1;
      if (this.counters.deadLettersLost === 1 || this.counters.deadLettersLost % 1000 === 0) {
        this.#options.logger.error({ err, reason, origin, deadLettersLost: this.counters.deadLettersLost }, 'dead letter not delivered: the DLQ producer has failed');
      }
      return;
    }
    this.counters.deadLettered += 1;
    this.counters.deadLettersByReason[reason] = (this.counters.deadLettersByReason[reason] ?? 0) + 1;
    this.#options.observer?.deadLettered(reason);
    if (this.counters.deadLettered <= 10 || this.counters.deadLettered % 1000 === 0) {
      // The first few and then a sample: a file of garbage must not turn into a log of garbage.
      this.#options.logger.warn({ reason, origin, message, deadLettered: this.counters.deadLettered }, 'dead-lettered input');
    }
    // A DLQ that fails while full releases the source: the next push counts the loss.
    return room ? undefined : this.#dlq.waitForRoom().catch(() => undefined);
  }
}
