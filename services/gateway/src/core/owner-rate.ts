import { TokenBucket } from './rate-limit.js';

/**
 * A token bucket per owner id, for the rules API's writes: each one is a record on the log
 * and work for every gateway and the detector. Bounded: past `maxOwners` buckets the oldest
 * is dropped (it would have refilled long ago for a quiet owner anyway).
 */
export class OwnerRateLimit {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    readonly maxOwners = 10_000,
  ) {}

  take(owner: string, now: number): boolean {
    let b = this.#buckets.get(owner);
    if (!b) {
      if (this.#buckets.size >= this.maxOwners) this.#buckets.delete(this.#buckets.keys().next().value!);
      this.#buckets.set(owner, (b = new TokenBucket(this.ratePerSec, this.burst, now)));
    }
    return b.take(now);
  }
}
