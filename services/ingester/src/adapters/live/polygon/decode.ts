/**
 * Polygon.io / Massive stocks websocket frames -> items. Pure.
 * Frames are JSON arrays that may mix event types:
 *   [{"ev":"T","sym":"MSFT","x":4,"i":"12345","z":3,"p":114.125,"s":100,"c":[0,12],"t":1536036818784,"q":3681328},
 *    {"ev":"AM","sym":"SPY","v":4110,"av":9470157,"op":0.4372,"vw":0.4488,"o":0.4488,"c":0.4486,"h":0.4489,"l":0.4486,"a":0.4352,"z":685,"s":1610144640000,"e":1610144700000}]
 */
import { polygonEligibility } from '../../../core/conditions/index.js';
import type { RawQuote } from '../../../core/source.js';
import { clip, conditionCodes, exchangeQualifiedId, fieldTypeProblem, isRecord, itemText, parseJson } from '../frame.js';

export type PolygonItem =
  /** `unknown`: condition ids the table does not know (reported once per connection). */
  | { kind: 'quote'; raw: RawQuote; rawText: string; unknown?: string[] }
  | { kind: 'bad'; message: string; rawText: string }
  | { kind: 'status'; status: string; message: string; rawText: string }
  | { kind: 'ignored'; type: string };

/** Event types we do not map: quotes, limit up/down, imbalances, fair market value, launchpad value. */
const UNMAPPED_TYPES = new Set(['Q', 'LULD', 'NOI', 'FMV', 'LV', 'V']);

export function decodePolygonFrame(text: string): PolygonItem[] {
  const parsed = parseJson(text);
  if (!parsed.ok) return [{ kind: 'bad', message: parsed.message, rawText: clip(text) }];
  if (!Array.isArray(parsed.value)) return [{ kind: 'bad', message: 'frame is not a JSON array', rawText: clip(text) }];
  return parsed.value.map(decodePolygonItem);
}

export function decodePolygonItem(item: unknown): PolygonItem {
  const rawText = itemText(item);
  if (!isRecord(item)) return { kind: 'bad', message: 'item is not a JSON object', rawText };
  const ev = item.ev;
  if (typeof ev !== 'string') return { kind: 'bad', message: 'item has no event type (field ev)', rawText };
  switch (ev) {
    case 'T':
      return decodeTrade(item, rawText);
    case 'A':
    case 'AM': {
      // The close is the last trade of the window; it is known when the window ends (e).
      const problem = fieldTypeProblem(item, { sym: 'string', c: 'number', e: 'number', v: 'number?' });
      if (problem) return { kind: 'bad', message: `aggregate: ${problem}`, rawText };
      const raw: RawQuote = { symbol: item.sym, price: item.c, ts: item.e };
      if (item.v !== undefined && item.v !== null) raw.size = item.v;
      return { kind: 'quote', raw, rawText };
    }
    case 'status':
      return {
        kind: 'status',
        status: typeof item.status === 'string' ? item.status : '',
        message: typeof item.message === 'string' ? item.message : '',
        rawText,
      };
    default:
      if (UNMAPPED_TYPES.has(ev)) return { kind: 'ignored', type: ev };
      return { kind: 'bad', message: `unknown event type "${ev.slice(0, 32)}"`, rawText };
  }
}

function decodeTrade(item: Record<string, unknown>, rawText: string): PolygonItem {
  const problem = fieldTypeProblem(item, { sym: 'string', p: 'number', t: 'number', s: 'number?', i: 'id?' });
  if (problem) return { kind: 'bad', message: `trade: ${problem}`, rawText };
  const c = conditionCodes(item.c, 'c');
  if ('problem' in c) return { kind: 'bad', message: `trade: ${c.problem}`, rawText };
  const raw: RawQuote = { symbol: item.sym, price: item.p, ts: item.t };
  if (item.s !== undefined && item.s !== null) raw.size = item.s;
  const id = exchangeQualifiedId(item.x, item.i);
  if (id !== undefined) raw.id = id;
  // No `c` is a regular trade (the mock server's AMZN print without conditions).
  const { eligibility, unknown } = polygonEligibility(c.codes ?? []);
  if (c.codes !== undefined) raw.conditions = c.codes;
  raw.eligibility = eligibility;
  return unknown.length > 0 ? { kind: 'quote', raw, rawText, unknown } : { kind: 'quote', raw, rawText };
}
