/**
 * Text mode prints a state channel at most once per interval, so alerts (printed at once) are
 * not scrolled away by spreads blocks arriving every second. The first value of a channel is
 * printed at once; later ones are held, their changed row keys merged, and released when the
 * interval since that channel's last print has passed. Pure: the caller brings the clock and
 * the timer.
 */
export interface Release<T> {
  value: T;
  /** Row keys changed since the channel was last printed. */
  changed: string[];
  first: boolean;
}

interface Held<T> {
  value: T;
  changed: Set<string>;
}

export class StateThrottle<T> {
  readonly #intervalMs: number;
  readonly #lastPrinted = new Map<string, number>();
  readonly #held = new Map<string, Held<T>>();

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** An update arrived: what to print now, or undefined when it is held for later. */
  offer(channel: string, value: T, changed: readonly string[], now: number): Release<T> | undefined {
    const last = this.#lastPrinted.get(channel);
    const held = this.#held.get(channel);
    const keys = new Set([...(held?.changed ?? []), ...changed]);
    if (last === undefined || now - last >= this.#intervalMs) {
      this.#held.delete(channel);
      this.#lastPrinted.set(channel, now);
      return { value, changed: [...keys], first: last === undefined };
    }
    this.#held.set(channel, { value, changed: keys });
    return undefined;
  }

  /** Milliseconds until the earliest held value is due, or undefined when nothing is held. */
  nextDueIn(now: number): number | undefined {
    let due: number | undefined;
    for (const channel of this.#held.keys()) {
      const wait = Math.max(0, this.#lastPrinted.get(channel)! + this.#intervalMs - now);
      due = due === undefined ? wait : Math.min(due, wait);
    }
    return due;
  }

  /** The held values that are due now, by channel. */
  release(now: number): Array<Release<T> & { channel: string }> {
    const out: Array<Release<T> & { channel: string }> = [];
    for (const [channel, held] of this.#held) {
      if (now - this.#lastPrinted.get(channel)! < this.#intervalMs) continue;
      this.#held.delete(channel);
      this.#lastPrinted.set(channel, now);
      out.push({ channel, value: held.value, changed: [...held.changed], first: false });
    }
    return out;
  }
}
