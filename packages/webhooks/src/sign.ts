import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-rotation-signature';
export const TIMESTAMP_HEADER = 'x-rotation-timestamp';

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`). The timestamp (Unix seconds)
 * is inside the MAC so a captured request cannot be replayed later with a fresh timestamp.
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyInput {
  secret: string;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  /** Unix seconds now. */
  nowSec: number;
  /** Largest accepted clock difference. Default 300 s. */
  toleranceSec?: number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'bad_timestamp' | 'stale' | 'mismatch' };

/** What a receiver does (documented in docs/webhooks.md); exported for receivers written in TypeScript and for tests. */
export function verifySignature(i: VerifyInput): VerifyResult {
  if (!i.signature || !i.timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(i.timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const ts = Number(i.timestamp);
  if (Math.abs(i.nowSec - ts) > (i.toleranceSec ?? 300)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signBody(i.secret, ts, i.body));
  const given = Buffer.from(i.signature);
  // Constant time, so the comparison does not leak how many leading characters matched.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
