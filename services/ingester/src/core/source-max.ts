import type { Tick } from '@rotation/schemas';

/**
 * The running maximum event time of the ticks one run has published, in publish order and
 * across all symbols, stamped on each tick as `sourceMaxTs`. The detector judges lateness
 * against this stamp instead of against what one partition happens to have seen, so the same
 * input gives the same dead letters on 1, 2 or 6 partitions. One instance lives as long as the
 * run: a looping synthetic run keeps its maximum across passes.
 */
export class SourceMaxTs {
  /** Event times are >= 0 (EpochMs), so -1 means "nothing published yet" without a union. */
  #max = -1;

  /** Stamps `tick` in place: it is serialised right after, and a copy per tick would be garbage. */
  stamp(tick: Tick): Tick {
    if (tick.ts > this.#max) this.#max = tick.ts;
    tick.sourceMaxTs = this.#max;
    return tick;
  }

  /**
   * A cancel or correction carries its print's (older) event time, a corporate action the time
   * it was published: each is stamped with the newest so far (or its own time when that is
   * newer), so the detector judges it against the source's progress, and it moves nothing.
   */
  stampAmendment<T extends { ts: number; sourceMaxTs?: number }>(event: T): T {
    event.sourceMaxTs = Math.max(this.#max, event.ts);
    return event;
  }

  /** The newest event time stamped so far; undefined before the first tick. */
  get newest(): number | undefined {
    return this.#max < 0 ? undefined : this.#max;
  }
}
