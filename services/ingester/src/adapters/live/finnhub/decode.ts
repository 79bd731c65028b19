/**
 * Finnhub trades websocket frames -> items. Pure. Frames are single JSON objects:
 *   {"type":"trade","data":[{"s":"AAPL","p":7296.89,"t":1575526691134,"v":0.011467,"c":["1","12"]}]}
 *   {"type":"ping"}    {"type":"error","msg":"Subscribing to too many symbols"}
 */
import { finnhubEligibility } from '../../../core/conditions/index.js';
import type { RawQuote } from '../../../core/source.js';
import { clip, conditionCodes, fieldTypeProblem, isRecord, itemText, parseJson } from '../frame.js';

export type FinnhubItem =
  /** `unknown`: condition codes the table does not know (reported once per connection). */
  | { kind: 'quote'; raw: RawQuote; rawText: string; unknown?: string[] }
  | { kind: 'bad'; message: string; rawText: string }
  | { kind: 'ping' }
  | { kind: 'error'; msg: string; rawText: string }
  | { kind: 'ignored'; type: string };

/** News and other types a trades connection may carry; not prices. */
const UNMAPPED_TYPES = new Set(['news']);

export function decodeFinnhubFrame(text: string): FinnhubItem[] {
  const parsed = parseJson(text);
  if (!parsed.ok) return [{ kind: 'bad', message: parsed.message, rawText: clip(text) }];
  const msg = parsed.value;
  if (!isRecord(msg)) return [{ kind: 'bad', message: 'frame is not a JSON object', rawText: clip(text) }];
  switch (msg.type) {
    case 'ping':
      return [{ kind: 'ping' }];
    case 'error':
      return [{ kind: 'error', msg: typeof msg.msg === 'string' ? msg.msg : '', rawText: clip(text) }];
    case 'trade':
      if (!Array.isArray(msg.data)) return [{ kind: 'bad', message: 'trade frame: field data must be an array', rawText: clip(text) }];
      return msg.data.map(decodeFinnhubTrade);
    default:
      if (typeof msg.type === 'string' && UNMAPPED_TYPES.has(msg.type)) return [{ kind: 'ignored', type: msg.type }];
      return [{ kind: 'bad', message: typeof msg.type === 'string' ? `unknown message type "${msg.type.slice(0, 32)}"` : 'frame has no message type (field type)', rawText: clip(text) }];
  }
}

/** v = 0 marks a price update without a trade: kept, with size 0, since the price is real. */
export function decodeFinnhubTrade(item: unknown): FinnhubItem {
  const rawText = itemText(item);
  if (!isRecord(item)) return { kind: 'bad', message: 'trade is not a JSON object', rawText };
  const problem = fieldTypeProblem(item, { s: 'string', p: 'number', t: 'number', v: 'number?' });
  if (problem) return { kind: 'bad', message: `trade: ${problem}`, rawText };
  const c = conditionCodes(item.c, 'c');
  if ('problem' in c) return { kind: 'bad', message: `trade: ${c.problem}`, rawText };
  const raw: RawQuote = { symbol: item.s, price: item.p, ts: item.t };
  if (item.v !== undefined && item.v !== null) raw.size = item.v;
  const { eligibility, unknown } = finnhubEligibility(c.codes ?? []);
  if (c.codes !== undefined) raw.conditions = c.codes;
  raw.eligibility = eligibility;
  return unknown.length > 0 ? { kind: 'quote', raw, rawText, unknown } : { kind: 'quote', raw, rawText };
}
