/**
 * A token bucket per connection: `ratePerSec` tokens per second, up to `burst`. Time is
 * passed in so the logic is testable without clocks.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }
  take(now: number): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSec);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export type Verdict = 'ok' | 'rate_limited' | 'abuse';

export interface CommandLimiterOptions {
  ratePerSec: number;
  /** Bucket size; defaults to twice the rate. */
  burst?: number;
  /** Strikes (rate-limited or malformed frames) within `windowMs` that close the connection. */
  abuseStrikes?: number;
  windowMs?: number;
}

/**
 * Rate limit plus "sustained abuse": a client over its rate gets `rate_limited` errors; one
 * that keeps going (or keeps sending garbage) collects strikes in a sliding window and is
 * closed. A well-behaved client that slips once never comes near the threshold.
 */
export class CommandLimiter {
  readonly #bucket: TokenBucket;
  readonly #strikes: number[] = [];
  readonly #maxStrikes: number;
  readonly #windowMs: number;
  constructor(options: CommandLimiterOptions, now: number) {
    this.#bucket = new TokenBucket(options.ratePerSec, options.burst ?? options.ratePerSec * 2, now);
    this.#maxStrikes = options.abuseStrikes ?? 20;
    this.#windowMs = options.windowMs ?? 10_000;
  }

  /** Call once per inbound frame, before parsing it. */
  admit(now: number): Verdict {
    if (this.#bucket.take(now)) return 'ok';
    return this.strike(now) ? 'abuse' : 'rate_limited';
  }

  /** Records a malformed frame or a refused command; true when the connection should be closed. */
  strike(now: number): boolean {
    this.#strikes.push(now);
    while (this.#strikes.length > 0 && this.#strikes[0]! <= now - this.#windowMs) this.#strikes.shift();
    return this.#strikes.length >= this.#maxStrikes;
  }
}
