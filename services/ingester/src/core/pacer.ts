/** `max` publishes as fast as the broker takes it; a factor replays event time that much faster than real time. */
export type Speed = { kind: 'max' } | { kind: 'factor'; factor: number };

export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return { kind: 'max' };
  if (text === 'realtime') return { kind: 'factor', factor: 1 };
  const n = /^\d+(\.\d+)?x?$/.test(text) ? Number(text.replace(/x$/, '')) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? { kind: 'factor', factor: n } : undefined;
}

/**
 * Paces publishing by event time: the first record sets the origin, and a record with event
 * time e is released at wall time t0 + (e - e0) / factor. Returns undefined (no promise, no
 * timer) when nothing needs waiting, which is the common case at high rates.
 */
export class Pacer {
  #origin: { event: number; wall: number } | undefined;

  constructor(
    readonly speed: Speed,
    readonly now: () => number,
    readonly sleep: (ms: number) => Promise<void>,
    /** Waits shorter than this are skipped: timers cannot do better and the next wait catches up. */
    readonly minSleepMs = 2,
  ) {}

  wait(eventTs: number): Promise<void> | undefined {
    if (this.speed.kind === 'max') return undefined;
    const wall = this.now();
    if (!this.#origin) {
      this.#origin = { event: eventTs, wall };
      return undefined;
    }
    const due = this.#origin.wall + (eventTs - this.#origin.event) / this.speed.factor;
    const ahead = due - wall;
    return ahead >= this.minSleepMs ? this.sleep(ahead) : undefined;
  }

  /** Starts over, e.g. when a looping scenario jumps back in event time. */
  reset(): void {
    this.#origin = undefined;
  }
}
