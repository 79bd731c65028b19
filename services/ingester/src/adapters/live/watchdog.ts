/**
 * Declares a connection dead when nothing arrived for `idleMs`. A half-open TCP connection or a
 * provider that stalls (Finnhub stops its pings but keeps the socket open) never fails on its
 * own, so silence is the only signal. With `pingIntervalMs` the owner is asked to send a
 * transport ping once the line has been quiet that long, so that a quiet market (no trades) is
 * not mistaken for a dead connection: the pong counts as activity.
 */
export interface WatchdogOptions {
  idleMs: number;
  pingIntervalMs?: number;
  onIdle: () => void;
  onPing?: () => void;
  /** While true (the sink is applying backpressure), silence is ours, not the provider's. */
  isBusy?: () => boolean;
  now?: () => number;
}

export class IdleWatchdog {
  readonly #opts: WatchdogOptions;
  readonly #now: () => number;
  #last = 0;
  #lastPing = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: WatchdogOptions) {
    if (!(opts.idleMs > 0)) throw new RangeError('watchdog: idleMs must be > 0');
    if (opts.pingIntervalMs !== undefined && !(opts.pingIntervalMs > 0)) throw new RangeError('watchdog: pingIntervalMs must be > 0');
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  start(): void {
    this.stop();
    this.#last = this.#now();
    this.#lastPing = this.#last;
    // A check every quarter period bounds the detection delay at 1.25 x idleMs.
    const period = Math.max(5, Math.min(this.#opts.idleMs, this.#opts.pingIntervalMs ?? Infinity) / 4);
    this.#timer = setInterval(() => this.#check(), period);
  }

  touch(): void {
    this.#last = this.#now();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  #check(): void {
    const now = this.#now();
    if (this.#opts.isBusy?.()) {
      this.#last = now;
      return;
    }
    const quiet = now - this.#last;
    if (quiet >= this.#opts.idleMs) {
      this.stop();
      this.#opts.onIdle();
      return;
    }
    const ping = this.#opts.pingIntervalMs;
    if (ping !== undefined && quiet >= ping && now - this.#lastPing >= ping) {
      this.#lastPing = now;
      this.#opts.onPing?.();
    }
  }
}
