import type { BatchingProducer, OutRecord } from '@rotation/kafka';
import type { AckedPosition, RecordMeta, TickPublisher } from './publisher.js';

/** What the broker acknowledged and what it did not, when a run ends. */
export interface DeliveryReport {
  acknowledged: { ticks: number; deadLetters: number };
  undelivered: { total: number; ticks: number; events: number; watermarks: number; deadLetters: number; inFlight: number };
  /** The newest tick or event acknowledged: records are acknowledged in order, so everything before it is on the topic. */
  resumeAfter?: AckedPosition;
}

type Kinds = Record<RecordMeta['kind'], number>;

function byKind(records: Iterable<OutRecord>, into: Kinds): number {
  let n = 0;
  for (const r of records) {
    const kind = (r.meta as RecordMeta | undefined)?.kind ?? 'tick';
    into[kind] += 1;
    n += 1;
  }
  return n;
}

/** Counts the producers' unacknowledged records by kind (from the publisher's tags). */
export function deliveryReport(producer: Pick<BatchingProducer, 'unacknowledged'>, dlqProducer: Pick<BatchingProducer, 'unacknowledged' | 'acked'>, publisher: Pick<TickPublisher, 'counters' | 'lastAcked'>): DeliveryReport {
  const kinds: Kinds = { tick: 0, event: 0, watermark: 0, dead_letter: 0 };
  let inFlight = 0;
  for (const p of [producer, dlqProducer]) {
    const u = p.unacknowledged();
    inFlight += byKind(u.inFlight, kinds);
    byKind(u.queued, kinds);
  }
  // Dead letters the publisher dropped after the DLQ producer failed never reached a queue.
  kinds.dead_letter += publisher.counters.deadLettersLost;
  const total = kinds.tick + kinds.event + kinds.watermark + kinds.dead_letter;
  return {
    acknowledged: { ticks: publisher.counters.published, deadLetters: dlqProducer.acked },
    undelivered: { total, ticks: kinds.tick, events: kinds.event, watermarks: kinds.watermark, deadLetters: kinds.dead_letter, inFlight },
    ...(publisher.lastAcked ? { resumeAfter: publisher.lastAcked } : {}),
  };
}
