/**
 * Pure bookkeeping for the latency run, unit-tested.
 *
 * The detector evaluates the event-time step ending at T once every lane's watermark
 * (newest tick time - allowed lateness L) is past T. So the tick that CAUSES the evaluation of
 * T is, on the slowest lane, the first tick with ts > T + L; its push time is the start of the
 * latency of every websocket event produced for T (a state event whose snapshot has asOf = T,
 * or an alert with eventTime = T).
 */
export class CauseLog {
  readonly #stepMs: number;
  readonly #latenessMs: number;
  readonly #lastTs = new Map<number, number>();
  /** step index k -> lane -> push time of that lane's first tick with ts > k*stepMs + L */
  readonly #first = new Map<number, Map<number, number>>();

  constructor(stepMs: number, latenessMs: number) {
    this.#stepMs = stepMs;
    this.#latenessMs = latenessMs;
  }

  /** Ticks of one lane must be recorded in push order (ts never decreasing within a lane). */
  record(lane: number, ts: number, pushedAt: number): void {
    const prev = this.#lastTs.get(lane);
    this.#lastTs.set(lane, ts);
    // Steps k whose threshold k*B + L lies in [prev, ts): this tick is the lane's first past them.
    const hi = Math.floor((ts - this.#latenessMs - 1) / this.#stepMs);
    const lo = prev === undefined ? hi : Math.floor((prev - this.#latenessMs - 1) / this.#stepMs) + 1;
    for (let k = Math.max(lo, hi - 1000); k <= hi; k++) {
      let lanes = this.#first.get(k);
      if (!lanes) this.#first.set(k, (lanes = new Map()));
      if (!lanes.has(lane)) lanes.set(lane, pushedAt);
    }
  }

  /** Push time of the tick that let step T be evaluated, or undefined if some lane never passed it. */
  causeOf(T: number, lanes: readonly number[]): number | undefined {
    const k = Math.floor(T / this.#stepMs);
    const firsts = this.#first.get(k);
    if (!firsts) return undefined;
    let cause = -Infinity;
    for (const l of lanes) {
      const t = firsts.get(l);
      if (t === undefined) return undefined;
      cause = Math.max(cause, t);
    }
    return cause;
  }
}
