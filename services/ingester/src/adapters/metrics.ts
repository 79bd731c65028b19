import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeadLetterReason } from '@rotation/schemas';
import type { PublisherObserver } from './publisher.js';

export interface IngesterMetrics {
  registry: Registry;
  observer: PublisherObserver;
  /** The producer whose buffer is reported at scrape time. */
  watchProducer(producer: { bufferedBytes: number }): void;
}

/** Prometheus metrics of a long-running ingester, on its own registry (tests run several at once). */
export function createIngesterMetrics(): IngesterMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ingester_' });
  const published = new Counter({ name: 'ingester_ticks_published_total', help: 'Ticks accepted for <ns>.ticks', registers: [registry] });
  const deadLetters = new Counter({ name: 'ingester_dead_letters_total', help: 'Records sent to <ns>.ticks.dlq, by reason', labelNames: ['reason'], registers: [registry] });
  const duplicates = new Counter({ name: 'ingester_duplicates_total', help: 'Ticks dropped as provider duplicates', registers: [registry] });
  const ineligible = new Counter({ name: 'ingester_ineligible_prints_total', help: 'Published prints whose conditions withhold the last sale or the volume, by reason', labelNames: ['reason'], registers: [registry] });
  const events = new Counter({ name: 'ingester_trade_events_total', help: 'Cancels, corrections and corporate actions published to <ns>.ticks, by type', labelNames: ['type'], registers: [registry] });
  const skipped = new Counter({ name: 'ingester_skipped_records_total', help: 'Input records skipped by design (no dead letter), by reason', labelNames: ['reason'], registers: [registry] });
  let producer: { bufferedBytes: number } | undefined;
  new Gauge({
    name: 'ingester_producer_buffered_bytes',
    help: 'Bytes accepted by the producer and not yet acknowledged by the broker',
    registers: [registry],
    collect() {
      this.set(producer?.bufferedBytes ?? 0);
    },
  });
  return {
    registry,
    observer: {
      published: () => published.inc(),
      deadLettered: (reason: DeadLetterReason) => deadLetters.inc({ reason }),
      duplicate: () => duplicates.inc(),
      ineligible: (reason) => ineligible.inc({ reason }),
      event: (type) => events.inc({ type }),
      skipped: (reason) => skipped.inc({ reason }),
    },
    watchProducer: (p) => {
      producer = p;
    },
  };
}
