import type { SnapshotRecord } from '@rotation/schemas';
import type { SequencedAlert } from './alert-log.js';

/** Where the shared alert history stands: its epoch and the highest seq safe to forward. */
export interface HistoryPosition {
  epoch: string;
  head: number;
}

/**
 * The reads the hub makes of the history the detector writes (Redis in production): enough to
 * start, to fill a gap Kafka left, to replay a resume that memory no longer reaches, and to
 * notice an epoch change. Any read may fail or time out; the hub then serves what it has.
 */
export interface HistoryReader {
  position(): Promise<HistoryPosition>;
  /** The newest `count` alerts, oldest first. */
  tail(count: number): Promise<SequencedAlert[]>;
  /** Alerts with fromSeq <= seq <= toSeq (or to the end), oldest first, at most `count`. */
  range(fromSeq: number, toSeq: number | undefined, count: number): Promise<SequencedAlert[]>;
  snapshot(): Promise<SnapshotRecord | undefined>;
}
