/**
 * Reconnect delays: exponential backoff with FULL jitter, a uniform draw in
 * [0, min(cap, base * 2^attempt)). Full jitter (rather than "delay ± 10 %") is what spreads a
 * crowd of clients out after a gateway restart, so they do not come back in one thundering wave.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's draw. */
  baseMs: number;
  /** Largest ceiling, however many attempts failed. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The ceiling of the draw for `attempt` (0 = first retry). */
export function backoffCeiling(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  // 2^31 * base overflows nothing in a double, but clamping the exponent keeps Infinity out.
  const exp = Math.min(Math.max(0, Math.floor(attempt)), 31);
  return Math.min(opts.capMs, opts.baseMs * 2 ** exp);
}

/** `random` returns [0, 1) like Math.random; tests pass a fixed sequence. */
export function backoffDelay(attempt: number, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(attempt, opts));
}

export function validateBackoff(opts: BackoffOptions): BackoffOptions {
  if (!Number.isFinite(opts.baseMs) || opts.baseMs <= 0) throw new RangeError(`backoff.baseMs must be > 0 (got ${opts.baseMs})`);
  if (!Number.isFinite(opts.capMs) || opts.capMs < opts.baseMs) throw new RangeError(`backoff.capMs must be >= baseMs (got ${opts.capMs})`);
  return opts;
}
