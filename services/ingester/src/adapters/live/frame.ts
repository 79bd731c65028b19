/** Helpers shared by the providers' frame decoders. Pure. */
import { getCalendar } from '@rotation/calendar';

/** A raw text kept for a dead letter; the DLQ truncates too, this keeps memory bounded first. */
export const RAW_TEXT_LIMIT = 8192;

export function clip(text: string): string {
  return text.length > RAW_TEXT_LIMIT ? text.slice(0, RAW_TEXT_LIMIT) : text;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: `frame is not JSON: ${(e as Error).message}` };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON text of one item for a dead letter or a tick's raw input; never throws. */
export function itemText(item: unknown): string {
  try {
    return clip(JSON.stringify(item) ?? String(item));
  } catch {
    return '[unserialisable item]';
  }
}

/**
 * Checks the JSON types of an item's fields (values are the normaliser's business: a negative
 * price is a well-formed item that fails validation later, with the tick schema's message).
 * Returns the first problem as "field X must be a Y", or undefined.
 */
export function fieldTypeProblem(
  item: Record<string, unknown>,
  spec: Record<string, 'string' | 'number' | 'number?' | 'id?'>,
): string | undefined {
  for (const [field, kind] of Object.entries(spec)) {
    const v = item[field];
    switch (kind) {
      case 'string':
        if (typeof v !== 'string' || v.length === 0) return `field ${field} must be a non-empty string`;
        break;
      case 'number':
        if (typeof v !== 'number') return `field ${field} must be a number`;
        break;
      case 'number?':
        if (v !== undefined && v !== null && typeof v !== 'number') return `field ${field} must be a number`;
        break;
      case 'id?':
        if (v !== undefined && v !== null && typeof v !== 'number' && typeof v !== 'string') return `field ${field} must be a number or a string`;
        break;
    }
  }
  return undefined;
}

/**
 * A provider trade id qualified by its exchange: trade ids are unique per exchange (SIP
 * practice), so two venues may reuse one; the pair is unique.
 */
export function exchangeQualifiedId(exchange: unknown, id: unknown): string | undefined {
  if (id === undefined || id === null || id === '') return undefined;
  return exchange === undefined || exchange === null || exchange === '' ? String(id) : `${String(exchange)}-${String(id)}`;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i;

/** Epoch ms of an RFC 3339 timestamp (sub-millisecond digits dropped), or undefined. */
export function rfc3339Ms(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Event time of a bar's close: the bar's end, or when it was received if that is earlier (a
 * daily bar is re-sent while its day is still running; its close is the price as of now, and
 * a future timestamp would make every later trade look late to the detector).
 */
export function barCloseTs(startMs: number, periodMs: number, receivedAt: number): number {
  return Math.min(startMs + periodMs, receivedAt);
}

/** The most condition codes a print may carry (the tick schema's limit). */
const MAX_CONDITIONS = 16;

/**
 * A print's sale conditions as strings (Alpaca sends letters, Polygon numbers, Finnhub numeric
 * strings): undefined when the field is absent, a problem text when it is not a list of codes.
 */
export function conditionCodes(value: unknown, field: string): { codes: string[] | undefined } | { problem: string } {
  if (value === undefined || value === null) return { codes: undefined };
  const problem = { problem: `field ${field} must be a list of at most ${MAX_CONDITIONS} condition codes` };
  if (!Array.isArray(value) || value.length > MAX_CONDITIONS) return problem;
  const codes: string[] = [];
  for (const c of value) {
    if (typeof c === 'string' && c.length > 0 && c.length <= 8) codes.push(c);
    else if (typeof c === 'number' && Number.isInteger(c) && c >= 0) codes.push(String(c));
    else return problem;
  }
  return { codes };
}

const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
const HALF_DAY_MS = 12 * 3_600_000;

/**
 * Event time of a daily bar: the close of its session on the exchange calendar (13:00 ET on an
 * early close), or when it was received if that is earlier (the bar of a session still running
 * is the price as of now). Never the bar's start: the close is not known then. The session's
 * date is read half a day after the label, so a bar labelled at New York midnight (Alpaca) or at
 * UTC midnight lands on the same date. Undefined when the exchange was closed that day.
 */
export function dailyBarCloseTs(startMs: number, receivedAt: number): number | undefined {
  const date = NEW_YORK_DATE.format(startMs + HALF_DAY_MS);
  let close: number | undefined;
  try {
    close = getCalendar('XNYS').sessionOn(date)?.close;
  } catch {
    // A date outside the calendar's years: no session we can vouch for.
    return undefined;
  }
  return close === undefined ? undefined : Math.min(close, receivedAt);
}
