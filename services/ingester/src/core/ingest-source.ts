import type { QuoteSink } from './source.js';

/** What the pipeline lets a source steer. */
export interface SourceControl {
  /** A live source backfilling history: the watermarks follow published ticks only while held. */
  holdWatermarks(held: boolean): void;
}

/** What the pipeline runs: replay, synthetic or a live feed, behind one shape. */
export interface IngestSource {
  readonly name: string;
  /** A live feed: the pipeline publishes watermark records beside its ticks. */
  readonly live?: boolean;
  /**
   * A paced source that delivers in event-time order (a replay not at max speed): while it
   * runs, the pipeline publishes the newest event time it published as a watermark to every
   * partition, so partitions none of its symbols hash to (a file of a few symbols) do not hold
   * the detector back until the end-of-stream watermark.
   */
  readonly progressWatermarks?: boolean;
  /** Resolves when the input is exhausted or stop() was called; rejects on a fatal error. */
  run(sink: QuoteSink, control: SourceControl): Promise<void>;
  /** Stop reading; run() resolves soon after, once the record in hand is delivered. */
  stop(): void | Promise<void>;
  /** For progress display: records delivered and, when known, the total to deliver. */
  progress(): { done: number; total: number | undefined };
  /** What the source says about its input for the run summary (replay: the price basis it read). */
  summary?(): Record<string, unknown>;
  /** Live feeds: the connection's state, for metrics and readiness. */
  feed?(): { connected: boolean; reconnects: number; lastMessageAt: number | null };
}
