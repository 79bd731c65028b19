import type { RawEvent, RawQuote } from '../source.js';
import type { Decoded } from './decoded.js';

/**
 * NDJSON is also how a recorded `<ns>.ticks` topic comes back: ticks with `tsNanos`,
 * `conditions` and `eligibility`, and records with a `type` (cancel, correction,
 * corporate_action) in the schemas' field names. `v`, `source` and `sourceMaxTs` are the
 * pipeline's to set and are ignored; values are checked once, by the normaliser.
 */
const EVENT_TYPES = new Set(['cancel', 'correction', 'corporate_action']);
const MAX_EPOCH_MS = 253_402_300_799_999;

function reject(message: string, line: number, text: string, reason: 'parse_error' | 'invalid_tick' = 'parse_error'): Decoded {
  return { kind: 'reject', reason, message, line, seq: line, text };
}

/**
 * A tick record keeps sub-millisecond time in `tsNanos` beside epoch-ms `ts`; the normaliser
 * reads it from RFC 3339 digits, so the two are joined into one 9-digit timestamp.
 */
export function joinNanos(ts: unknown, tsNanos: unknown): { ok: true; ts: unknown } | { ok: false; message: string } {
  if (tsNanos === undefined || tsNanos === null) return { ok: true, ts };
  if (typeof tsNanos !== 'number' || !Number.isInteger(tsNanos) || tsNanos < 0 || tsNanos > 999_999) {
    return { ok: false, message: `tsNanos: expected an integer 0..999999, got ${JSON.stringify(tsNanos)?.slice(0, 40)}` };
  }
  const ms = typeof ts === 'number' ? ts : typeof ts === 'string' && /^\d{1,16}$/.test(ts.trim()) ? Number(ts.trim()) : undefined;
  if (ms === undefined) return { ok: false, message: 'tsNanos: only beside ts in epoch milliseconds' };
  // An impossible ts stays as it is, for the normaliser to name the problem.
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) return { ok: true, ts };
  return { ok: true, ts: `${new Date(ms).toISOString().slice(0, -1)}${String(tsNanos).padStart(6, '0')}Z` };
}

export function decodeNdjsonLine(text: string, line: number): Decoded | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return reject(`not JSON: ${(e as Error).message}`, line, text);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('expected a JSON object per line', line, text);
  const o = value as Record<string, unknown>;
  if (o.type !== undefined) return decodeEventObject(o, line, text);
  if (o.watermark !== undefined && o.symbol === undefined) return reject('a watermark record, not a tick: a replay ends its stream with a watermark of its own', line, text);
  const t = joinNanos(o.ts, o.tsNanos);
  if (!t.ok) return reject(t.message, line, text, 'invalid_tick');
  const raw: RawQuote = { symbol: o.symbol, price: o.price, size: o.size, ts: t.ts, id: o.id };
  // Shapes are the normaliser's to check (isPrintConditions / isPrintEligibility).
  if (o.conditions !== undefined) raw.conditions = o.conditions as string[];
  if (o.eligibility !== undefined) raw.eligibility = o.eligibility as RawQuote['eligibility'];
  return { kind: 'quote', raw, line, seq: line, text };
}

/** A cancel, correction or corporate action line, as the schemas name the fields. */
function decodeEventObject(o: Record<string, unknown>, line: number, text: string): Decoded {
  if (typeof o.type !== 'string' || !EVENT_TYPES.has(o.type)) {
    return reject(`type: expected "cancel", "correction" or "corporate_action" (or no type for a tick), got ${JSON.stringify(o.type)?.slice(0, 40)}`, line, text);
  }
  const t = joinNanos(o.ts, o.type === 'corporate_action' ? undefined : o.tsNanos);
  if (!t.ok) return reject(t.message, line, text, 'invalid_tick');
  let raw: RawEvent;
  // Enumerated fields (action, conditions, eligibility) are passed as found: the normaliser's schema check names a bad value.
  if (o.type === 'cancel') {
    raw = { type: 'cancel', symbol: o.symbol, ts: t.ts, id: o.id, price: o.price, size: o.size };
    if (o.action !== undefined) raw.action = o.action as 'cancel' | 'error';
  } else if (o.type === 'correction') {
    const c = o.corrected;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return reject('corrected: expected an object with the corrected print', line, text);
    const k = c as Record<string, unknown>;
    const corrected: Extract<RawEvent, { type: 'correction' }>['corrected'] = { id: k.id, price: k.price, size: k.size };
    if (k.conditions !== undefined) corrected.conditions = k.conditions as string[];
    if (k.eligibility !== undefined) corrected.eligibility = k.eligibility as RawQuote['eligibility'];
    raw = { type: 'correction', symbol: o.symbol, ts: t.ts, id: o.id, price: o.price, size: o.size, corrected };
    if (o.conditions !== undefined) raw.conditions = o.conditions as string[];
  } else {
    raw = { type: 'corporate_action', symbol: o.symbol, action: o.action as 'split', exDate: o.exDate, ratio: o.ratio, amount: o.amount, id: o.id, ts: t.ts };
  }
  return { kind: 'event', raw, line, seq: line, text };
}
