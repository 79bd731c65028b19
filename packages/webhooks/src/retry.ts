/**
 * When to try a failed delivery again. Exponential backoff with full jitter (a uniform draw in
 * [0, min(cap, base * 2^n))), so sinks that fail together do not retry in lockstep; a
 * receiver's Retry-After is honoured as a floor, within the cap.
 */
export interface RetryBackoff {
  baseMs: number;
  capMs: number;
}

export function retryDelay(failedAttempts: number, backoff: RetryBackoff, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(Math.max(0, failedAttempts - 1), 31);
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** exp);
  const jittered = Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
  if (retryAfterMs === undefined) return jittered;
  return Math.min(backoff.capMs, Math.max(jittered, retryAfterMs));
}

export type Outcome = { kind: 'delivered' } | { kind: 'retry'; retryAfterMs?: number } | { kind: 'reject' };

/**
 * Classifies a response. 2xx delivered; 408, 425, 429 and 5xx are worth retrying; any other
 * status (400, 401, 404, 410, redirects) will not get better by repetition: dead-letter at once.
 */
export function classifyStatus(status: number, retryAfter: string | null, nowMs: number): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const ms = parseRetryAfter(retryAfter, nowMs);
    return ms === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs: ms };
  }
  return { kind: 'reject' };
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
