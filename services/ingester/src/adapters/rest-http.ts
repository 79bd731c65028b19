/**
 * One JSON GET with the limits a background fetch needs: a timeout that covers headers and body,
 * a body size limit, no redirects, and retries with full-jitter backoff for what a retry can fix
 * (timeouts, connection errors, 429 and 5xx). Everything else fails at once with its reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl } from '@rotation/log';
import { FetchError, FetchErrorCode } from '../core/errors.js';
import { fullJitterDelay, type BackoffPolicy } from './live/backoff.js';

export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal; redirect: 'error' }) => Promise<Response>;

export interface HttpSettings {
  fetch: FetchLike;
  /** Per attempt, from the request to the last byte of the body. */
  timeoutMs: number;
  /** Per response body. */
  maxBytes: number;
  /** Attempts after the first, for retryable failures. */
  retries: number;
  backoff: BackoffPolicy;
  /** Longest wait a Retry-After header may ask for. */
  maxRetryAfterMs: number;
  random: () => number;
  /** Awaited before every attempt, retries included: a rate limiter's turn. */
  beforeAttempt?: (signal: AbortSignal) => Promise<void>;
}

export const HTTP_DEFAULTS: Omit<HttpSettings, 'fetch'> = {
  // The APIs answer in well under a second; 10 s is a stalled connection, not a slow page.
  timeoutMs: 10_000,
  // 1000 actions of a few hundred bytes are ~0.5 MiB; 8 MiB is not a page of corporate actions.
  maxBytes: 8 * 1024 * 1024,
  retries: 3,
  // Rate limits (Polygon's free plan: 5 requests a minute) need waits of seconds, not milliseconds.
  backoff: { initialMs: 2_000, maxMs: 60_000, multiplier: 2, minMs: 0 },
  maxRetryAfterMs: 60_000,
  random: Math.random,
};

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  error: FetchError;
}

/** Resolves with the parsed body; rejects with a FetchError, `aborted` once `signal` fires. */
export async function getJson(url: string, headers: Record<string, string>, s: HttpSettings, signal: AbortSignal, onRetry?: (n: RetryNotice) => void): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      await s.beforeAttempt?.(signal);
      return await attemptOnce(url, headers, s, signal);
    } catch (e) {
      const error = e instanceof FetchError ? e : new FetchError(FetchErrorCode.network, (e as Error).message, true, {}, { cause: e });
      if (!error.retryable || attempt >= s.retries || signal.aborted) throw error;
      const retryAfter = typeof error.context.retryAfterMs === 'number' ? Math.min(error.context.retryAfterMs, s.maxRetryAfterMs) : 0;
      const delayMs = Math.max(retryAfter, fullJitterDelay(attempt, s.backoff, s.random));
      onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw aborted(url);
    }
  }
}

async function attemptOnce(url: string, headers: Record<string, string>, s: HttpSettings, outer: AbortSignal): Promise<unknown> {
  if (outer.aborted) throw aborted(url);
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, s.timeoutMs);
  const onAbort = () => ac.abort();
  outer.addEventListener('abort', onAbort, { once: true });
  const where = redactUrl(url);
  try {
    // No redirects: the key headers must not follow a Location to another host.
    const res = await s.fetch(url, { headers: { accept: 'application/json', ...headers }, signal: ac.signal, redirect: 'error' });
    if (!res.ok) throw await statusError(res, where);
    const text = await readLimited(res, s.maxBytes, where);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new FetchError(FetchErrorCode.badResponse, `${where}: body is not JSON (${(e as Error).message})`, false);
    }
  } catch (e) {
    if (e instanceof FetchError) throw e;
    if (outer.aborted) throw aborted(url);
    if (timedOut) throw new FetchError(FetchErrorCode.timeout, `${where}: no complete answer within ${s.timeoutMs} ms`, true);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new FetchError(FetchErrorCode.network, `${where}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, true, {}, { cause: e });
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onAbort);
  }
}

async function statusError(res: Response, where: string): Promise<FetchError> {
  // A little of the body says why (Alpaca: {"message":"forbidden."}); more is never needed.
  const detail = (await readLimited(res, 512, where, true).catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
  const message = `${where}: HTTP ${res.status}${detail ? ` ${detail}` : ''}`;
  if (res.status === 401 || res.status === 403) return new FetchError(FetchErrorCode.authFailed, message, false, { status: res.status });
  const retryable = res.status === 429 || res.status >= 500;
  const retryAfterMs = retryAfter(res.headers.get('retry-after'));
  return new FetchError(FetchErrorCode.httpStatus, message, retryable, { status: res.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}

function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Reads the body as UTF-8, giving up (and cancelling the download) past `maxBytes`, or with
 * `prefix` keeping only the first `maxBytes` (an error page's opening words).
 */
async function readLimited(res: Response, maxBytes: number, where: string, prefix = false): Promise<string> {
  const tooLarge = () => new FetchError(FetchErrorCode.tooLarge, `${where}: body over ${maxBytes} bytes`, false, { maxBytes });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes && !prefix) {
    // Not awaited: giving up on the body must not wait for the peer.
    void res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => undefined);
      if (!prefix) throw tooLarge();
      chunks.push(value.subarray(0, value.byteLength - (total - maxBytes)));
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function aborted(url: string): FetchError {
  return new FetchError(FetchErrorCode.aborted, `${redactUrl(url)}: stopped`, false);
}

/** A message with every credential replaced by [redacted], before it can reach a log line. */
export function scrubSecrets(secrets: readonly string[], message: string): string {
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * A next-page URL followed only by its path and query, on the configured host (as Polygon's own
 * client does): a key sent in a header never follows a URL to a host it was not configured for.
 */
export function onConfiguredHost(baseUrl: string, label: string): (nextUrl: string) => string {
  return (nextUrl) => {
    let u: URL;
    try {
      u = new URL(nextUrl, baseUrl);
    } catch {
      throw new FetchError(FetchErrorCode.badResponse, `${label}: next_url is not a URL`, false);
    }
    return new URL(`${u.pathname}${u.search}`, baseUrl).toString();
  };
}
