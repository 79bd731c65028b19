/**
 * At most `perMinute` requests in any 60 s: a sliding window of the last request times, so a
 * burst at start uses the allowance at once and the pace settles at the provider's limit after
 * (Alpaca and Finnhub count per minute, Polygon's free plan 5 a minute). Retries count: the
 * provider counts them too.
 */
export class RequestRateLimiter {
  readonly #perMinute: number;
  readonly #times: number[] = [];

  constructor(perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`requests per minute must be a positive integer, got ${perMinute}`);
    this.#perMinute = perMinute;
  }

  /** Milliseconds to wait at `now` before the next request may go; 0 when it may go now. */
  delay(now: number): number {
    while (this.#times.length > 0 && this.#times[0]! <= now - 60_000) this.#times.shift();
    return this.#times.length < this.#perMinute ? 0 : this.#times[0]! + 60_000 - now;
  }

  /** Records a request sent at `now`. */
  take(now: number): void {
    this.#times.push(now);
  }
}
