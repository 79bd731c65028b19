/**
 * Alpaca market data v2 stock stream frames -> items. Pure.
 * Every server frame is a JSON array; data frames batch items of mixed types:
 *   [{"T":"t","S":"AAPL","i":628,"x":"K","p":162.92,"s":3,"c":["@"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"},
 *    {"T":"b","S":"SPY","o":1,"h":2,"l":0.5,"c":1.5,"v":205,"t":"2024-07-24T07:56:00Z","n":16,"vw":1.2}]
 */
import type { RawQuote } from '../../../core/source.js';
import { barCloseTs, clip, exchangeQualifiedId, fieldTypeProblem, isRecord, itemText, parseJson, rfc3339Ms } from '../frame.js';

export type AlpacaItem =
  | { kind: 'quote'; raw: RawQuote; rawText: string }
  | { kind: 'bad'; message: string; rawText: string }
  | { kind: 'success'; msg: string }
  | { kind: 'subscription'; channels: Record<string, string[]> }
  | { kind: 'error'; code: number | undefined; msg: string; rawText: string }
  | { kind: 'ignored'; type: string };

/** Bars are labelled by their start; b = minute, u = minute bar updated by a late trade, d = daily. */
const BAR_PERIOD_MS: Record<string, number> = { b: 60_000, u: 60_000, d: 86_400_000 };

/** Types we do not map (quotes, trading status, corrections, cancel errors, LULD, imbalances). */
const UNMAPPED_TYPES = new Set(['q', 's', 'c', 'x', 'l', 'i', 'n']);

export function decodeAlpacaFrame(text: string, receivedAt: number): AlpacaItem[] {
  const parsed = parseJson(text);
  if (!parsed.ok) return [{ kind: 'bad', message: parsed.message, rawText: clip(text) }];
  if (!Array.isArray(parsed.value)) return [{ kind: 'bad', message: 'frame is not a JSON array', rawText: clip(text) }];
  return parsed.value.map((item) => decodeAlpacaItem(item, receivedAt));
}

export function decodeAlpacaItem(item: unknown, receivedAt: number): AlpacaItem {
  const rawText = itemText(item);
  if (!isRecord(item)) return { kind: 'bad', message: 'item is not a JSON object', rawText };
  const type = item.T;
  if (typeof type !== 'string') return { kind: 'bad', message: 'item has no message type (field T)', rawText };

  if (type === 't') {
    const problem = fieldTypeProblem(item, { S: 'string', p: 'number', t: 'string', s: 'number?', i: 'id?' });
    if (problem) return { kind: 'bad', message: `trade: ${problem}`, rawText };
    const raw: RawQuote = { symbol: item.S, price: item.p, ts: item.t };
    if (item.s !== undefined && item.s !== null) raw.size = item.s;
    const id = exchangeQualifiedId(item.x, item.i);
    if (id !== undefined) raw.id = id;
    return { kind: 'quote', raw, rawText };
  }

  const period = BAR_PERIOD_MS[type];
  if (period !== undefined) {
    const problem = fieldTypeProblem(item, { S: 'string', c: 'number', t: 'string', v: 'number?' });
    if (problem) return { kind: 'bad', message: `bar: ${problem}`, rawText };
    const start = rfc3339Ms(item.t as string);
    if (start === undefined) return { kind: 'bad', message: 'bar: field t is not an RFC 3339 timestamp', rawText };
    const raw: RawQuote = { symbol: item.S, price: item.c, ts: barCloseTs(start, period, receivedAt) };
    if (item.v !== undefined && item.v !== null) raw.size = item.v;
    return { kind: 'quote', raw, rawText };
  }

  switch (type) {
    case 'success':
      return { kind: 'success', msg: typeof item.msg === 'string' ? item.msg : '' };
    case 'subscription': {
      const channels: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(item)) {
        if (k !== 'T' && Array.isArray(v)) channels[k] = v.filter((s): s is string => typeof s === 'string');
      }
      return { kind: 'subscription', channels };
    }
    case 'error':
      return { kind: 'error', code: typeof item.code === 'number' ? item.code : undefined, msg: typeof item.msg === 'string' ? item.msg : '', rawText };
    default:
      if (UNMAPPED_TYPES.has(type)) return { kind: 'ignored', type };
      return { kind: 'bad', message: `unknown message type "${type.slice(0, 32)}"`, rawText };
  }
}
