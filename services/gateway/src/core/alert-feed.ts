import type { SequencedAlert } from './alert-log.js';
import type { HistoryPosition } from './history-reader.js';

/** Where an AlertFeed hands alerts on: the hub's fan-out. */
export interface AlertSink {
  /** The next alert in seq order. */
  forward(alert: SequencedAlert): void;
  /** The history started over (a new epoch): reload and resync, before anything after it is forwarded. */
  restart(): Promise<void>;
}

/**
 * The gateway's one source of alerts: every seq handed on once, in order, whichever path it
 * came by, one step at a time. The hub fans out what the feed hands it and knows nothing of
 * Kafka offsets, duplicates or gaps.
 */
export interface AlertFeed {
  /** A record of `<ns>.alerts`; resolves once it, and anything it needed first, was handed on. */
  offer(value: Buffer | null): Promise<void>;
  /** The history's position as a probe read it: an epoch change, or alerts the records have not brought yet. */
  reconcile(position: HistoryPosition): Promise<void>;
  /** Resolves once nothing offered or reconciled is still being handed on (shutdown, tests). */
  idle(): Promise<void>;
}
