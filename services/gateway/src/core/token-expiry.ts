/** setTimeout fires at once for delays over 2^31-1 ms (24.8 days); longer waits are re-armed. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export type ExpiryStep = { kind: 'expired' } | { kind: 'wait'; ms: number };

/**
 * What an open connection does about its token's expiry at `nowMs`: close now, or check again
 * after `ms`. `graceMs` matches the clock tolerance of the upgrade check, so a token accepted
 * at the upgrade is not closed the same instant (which would make a client loop).
 */
export function expiryStep(expiresAtMs: number, nowMs: number, graceMs: number): ExpiryStep {
  const left = expiresAtMs + graceMs - nowMs;
  if (left <= 0) return { kind: 'expired' };
  return { kind: 'wait', ms: Math.min(left, MAX_TIMER_MS) };
}
