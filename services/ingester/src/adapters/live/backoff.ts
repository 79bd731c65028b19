/**
 * Reconnect delays: exponential growth capped at maxMs, with FULL jitter (a uniform draw in
 * [0, cap)), so that many clients dropped at once do not reconnect in lockstep and trip the
 * provider's connection limit again. `minMs` is added on top for the connection-limit case,
 * where another process holds the slot and reconnecting at once is pointless.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  minMs: number;
}

/** Transport errors, server restarts: retry quickly, give up growing at 30 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, multiplier: 2, minMs: 0 };

/**
 * Connection limit (Alpaca 406, Polygon max_connections, HTTP 429): the slot is usually held by
 * another process of ours (a restart racing its predecessor) and is freed within seconds to a
 * minute, so wait at least 5 s and up to 2 minutes.
 */
export const DEFAULT_LIMIT_BACKOFF: BackoffPolicy = { initialMs: 5_000, maxMs: 120_000, multiplier: 2, minMs: 5_000 };

/** Delay before retry number `attempt` (0-based). `random` returns [0, 1), like Math.random. */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt));
  const r = Math.min(Math.max(random(), 0), 1);
  return policy.minMs + Math.floor(r * cap);
}

export function validatePolicy(policy: BackoffPolicy, name: string): BackoffPolicy {
  const { initialMs, maxMs, multiplier, minMs } = policy;
  if (!(initialMs > 0) || !(maxMs >= initialMs) || !(multiplier >= 1) || !(minMs >= 0)) {
    throw new RangeError(`${name}: expected initialMs > 0, maxMs >= initialMs, multiplier >= 1, minMs >= 0`);
  }
  return policy;
}

/** Counts consecutive failures; reset once a connection proved healthy. */
export class Backoff {
  #attempt = 0;
  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  get attempts(): number {
    return this.#attempt;
  }

  next(): number {
    return fullJitterDelay(this.#attempt++, this.policy, this.random);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
