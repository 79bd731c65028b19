import type { RawEvent } from '../source.js';

/** A corporate action as a source decoded it; the normaliser checks its values. */
export type RawCorporateAction = Extract<RawEvent, { type: 'corporate_action' }>;

/**
 * One page of a provider's corporate-actions response, decoded. An entry the decoder cannot
 * read is a `problem` (a dead letter with its reason), never an exception: the other entries of
 * the page still go through. `text` is the entry as JSON, what a dead letter shows as input.
 * `next` is the provider's continuation (Alpaca page token, Polygon next_url); undefined: last page.
 */
export interface DecodedActionsPage {
  actions: Array<{ raw: RawCorporateAction; text: string }>;
  problems: Array<{ message: string; text: string }>;
  next: string | undefined;
}

/** A body that is not the documented shape at all: the page (not an entry) is unusable. */
export type DecodePageResult = { ok: true; page: DecodedActionsPage } | { ok: false; message: string };

/** The schema keeps ids to 64 characters. Polygon's are "E" + 64 hex digits: the digest identifies the action. */
export const MAX_ACTION_ID = 64;

export function actionId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_ACTION_ID ? value.slice(-MAX_ACTION_ID) : value;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A positive finite number, or the reason it is not one (for a ratio's two legs). */
export function positive(entry: Record<string, unknown>, key: string): number | string {
  const v = entry[key];
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  return `${key}: expected a positive number, got ${truncated(v)}`;
}

export function truncated(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/** The entry as a dead letter shows it; bounded so one huge entry cannot bloat a message. */
export function entryText(entry: unknown): string {
  const s = JSON.stringify(entry) ?? String(entry);
  return s.length > 8192 ? s.slice(0, 8192) : s;
}
