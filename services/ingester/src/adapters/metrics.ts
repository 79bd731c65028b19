import { Counter, Gauge, Registry } from 'prom-client';
import { registerProcessMetrics } from '@rotation/service';
import type { DeadLetterReason } from '@rotation/schemas';
import type { PublisherObserver } from './publisher.js';

export interface IngesterMetrics {
  registry: Registry;
  observer: PublisherObserver;
  /** The producer whose buffer is reported at scrape time. */
  watchProducer(producer: { bufferedBytes: number }): void;
  /** A live feed's connection, reported at scrape time. */
  watchFeed(feed: () => FeedStatus): void;
}

type FeedStatus = { connected: boolean; reconnects: number; lastMessageAt: number | null };

/** Prometheus metrics of a long-running ingester, on its own registry (tests run several at once). */
export function createIngesterMetrics(): IngesterMetrics {
  const registry = new Registry();
  registerProcessMetrics(registry);
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
  let feed: (() => FeedStatus) | undefined;
  new Gauge({
    name: 'ingester_feed_connected',
    help: 'Live feeds: 1 while the provider websocket is open and subscribed, 0 while connecting or backing off',
    registers: [registry],
    collect() {
      if (feed) this.set(feed().connected ? 1 : 0);
    },
  });
  // A counter brought up to the source's own count at scrape time (the source sees every reconnect).
  let reconnectsCounted = 0;
  new Counter({
    name: 'ingester_feed_reconnects_total',
    help: 'Live feeds: connections opened after the first (each follows a drop, a refused handshake or a stall)',
    registers: [registry],
    collect() {
      const n = feed?.().reconnects ?? 0;
      if (n > reconnectsCounted) this.inc(n - reconnectsCounted);
      reconnectsCounted = Math.max(n, reconnectsCounted);
    },
  });
  new Gauge({
    name: 'ingester_feed_last_message_timestamp_seconds',
    help: 'Live feeds: Unix time of the last message from the provider (trades, heartbeats)',
    registers: [registry],
    collect() {
      const at = feed?.().lastMessageAt;
      if (at != null) this.set(at / 1000);
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
    watchFeed: (f) => {
      feed = f;
    },
  };
}
