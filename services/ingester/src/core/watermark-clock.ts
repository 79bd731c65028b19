/**
 * The event time up to which a live source has delivered everything, for the watermark
 * records the pipeline publishes (see `LaneWatermark`).
 *
 * Event time follows the feed, not the local clock: a delayed feed (Alpaca `delayed_sip` runs
 * 15 minutes behind) would otherwise see every tick arrive "late". While ticks flow, the
 * watermark is the newest tick's event time minus `lagMs`; when the feed goes quiet (nothing
 * trades), it keeps advancing at wall-clock pace from there, so the last steps before a pause
 * still get evaluated. It never moves backwards.
 */
export class WatermarkClock {
  readonly #lagMs: number;
  #newestTs: number | null = null;
  #seenAtWall = 0;
  #last: number | null = null;
  #held = false;

  /** `lagMs`: how far behind the newest tick a tick may still arrive (exchange/feed jitter). */
  constructor(lagMs: number) {
    this.#lagMs = lagMs;
  }

  /** A tick with event time `ts` was published at wall time `nowWall`. */
  observe(ts: number, nowWall: number): void {
    if (this.#newestTs === null || ts > this.#newestTs) {
      this.#newestTs = ts;
      this.#seenAtWall = nowWall;
    }
  }

  /**
   * While held (a backfill publishes history, or waits for the provider), the watermark follows
   * the published ticks only: advancing at wall-clock pace would promise the detector that
   * history still to come is complete. Released, idle time counts from the release.
   */
  hold(held: boolean, nowWall: number): void {
    if (this.#held && !held) this.#seenAtWall = nowWall;
    this.#held = held;
  }

  /** The watermark at wall time `nowWall`, or null before the first tick. */
  current(nowWall: number): number | null {
    if (this.#newestTs === null) return null;
    const idle = this.#held ? 0 : Math.max(0, nowWall - this.#seenAtWall);
    const wm = Math.floor(this.#newestTs + idle - this.#lagMs);
    this.#last = this.#last === null ? wm : Math.max(this.#last, wm);
    return this.#last;
  }
}
