/**
 * Alpaca market data v2 stock stream frames -> items. Pure.
 * Every server frame is a JSON array; data frames batch items of mixed types:
 *   [{"T":"t","S":"AAPL","i":628,"x":"K","p":162.92,"s":3,"c":["@"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"},
 *    {"T":"b","S":"SPY","o":1,"h":2,"l":0.5,"c":1.5,"v":205,"t":"2024-07-24T07:56:00Z","n":16,"vw":1.2}]
 * Cancels and corrections come with trades, unasked:
 *   {"T":"x","S":"DJT","i":4868,"x":"D","p":36.18,"s":31800,"a":"C","z":"C","t":"..."}
 *   {"T":"c","S":"AAPL","x":"Q","oi":1532,"op":144.6,"os":25,"oc":["@"],"ci":1533,"cp":144.46,"cs":25,"cc":["@"],"z":"C","t":"..."}
 */
import { alpacaEligibility } from '../../../core/conditions/index.js';
import type { RawEvent, RawQuote } from '../../../core/source.js';
import { barCloseTs, clip, conditionCodes, dailyBarCloseTs, exchangeQualifiedId, fieldTypeProblem, isRecord, itemText, parseJson, rfc3339Ms } from '../frame.js';

export type AlpacaItem =
  /** `unknown`: condition codes the table does not know (reported once per connection). */
  | { kind: 'quote'; raw: RawQuote; rawText: string; unknown?: string[] }
  | { kind: 'event'; raw: RawEvent; rawText: string; unknown?: string[] }
  | { kind: 'bad'; message: string; rawText: string }
  | { kind: 'success'; msg: string }
  | { kind: 'subscription'; channels: Record<string, string[]> }
  | { kind: 'error'; code: number | undefined; msg: string; rawText: string }
  | { kind: 'ignored'; type: string };

/** Minute bars are labelled by their start; b = minute, u = minute bar updated by a late trade (d, daily: dailyBarCloseTs). */
const MINUTE_BARS = new Set(['b', 'u']);

/** Types we do not map (quotes, trading status, LULD, imbalances, news). */
const UNMAPPED_TYPES = new Set(['q', 's', 'l', 'i', 'n']);

/** Alpaca's cancel action `a`: C cancel, E error; both take the print back. */
const CANCEL_ACTIONS: Record<string, 'cancel' | 'error'> = { C: 'cancel', E: 'error' };

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

  if (type === 't') return decodeTrade(item, rawText);
  if (type === 'x') return decodeCancel(item, rawText);
  if (type === 'c') return decodeCorrection(item, rawText);
  if (MINUTE_BARS.has(type) || type === 'd') return decodeBar(item, type, rawText, receivedAt);

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

function decodeTrade(item: Record<string, unknown>, rawText: string): AlpacaItem {
  const problem = fieldTypeProblem(item, { S: 'string', p: 'number', t: 'string', s: 'number?', i: 'id?' });
  if (problem) return { kind: 'bad', message: `trade: ${problem}`, rawText };
  const c = conditionCodes(item.c, 'c');
  if ('problem' in c) return { kind: 'bad', message: `trade: ${c.problem}`, rawText };
  const raw: RawQuote = { symbol: item.S, price: item.p, ts: item.t };
  if (item.s !== undefined && item.s !== null) raw.size = item.s;
  const id = exchangeQualifiedId(item.x, item.i);
  if (id !== undefined) raw.id = id;
  const { eligibility, unknown } = alpacaEligibility(c.codes ?? [], item.z);
  if (c.codes !== undefined) raw.conditions = c.codes;
  raw.eligibility = eligibility;
  return unknown.length > 0 ? { kind: 'quote', raw, rawText, unknown } : { kind: 'quote', raw, rawText };
}

/** A cancel names the print by the same exchange-qualified id as the trade had. */
function decodeCancel(item: Record<string, unknown>, rawText: string): AlpacaItem {
  const problem = fieldTypeProblem(item, { S: 'string', t: 'string', p: 'number', s: 'number?', i: 'id?' });
  if (problem) return { kind: 'bad', message: `cancel: ${problem}`, rawText };
  const id = exchangeQualifiedId(item.x, item.i);
  if (id === undefined) return { kind: 'bad', message: 'cancel: field i (the cancelled trade id) is missing', rawText };
  const raw: Extract<RawEvent, { type: 'cancel' }> = { type: 'cancel', symbol: item.S, ts: item.t, id, price: item.p };
  if (item.s !== undefined && item.s !== null) raw.size = item.s;
  if (item.a !== undefined && item.a !== null) {
    const action = typeof item.a === 'string' ? CANCEL_ACTIONS[item.a] : undefined;
    if (action === undefined) return { kind: 'bad', message: 'cancel: field a must be "C" (cancel) or "E" (error)', rawText };
    raw.action = action;
  }
  return { kind: 'event', raw, rawText };
}

/** The original (oi/op/os/oc) no longer counts; the corrected print (ci/cp/cs/cc) does, if eligible. */
function decodeCorrection(item: Record<string, unknown>, rawText: string): AlpacaItem {
  const problem = fieldTypeProblem(item, { S: 'string', t: 'string', op: 'number', os: 'number?', oi: 'id?', cp: 'number', cs: 'number?', ci: 'id?' });
  if (problem) return { kind: 'bad', message: `correction: ${problem}`, rawText };
  const id = exchangeQualifiedId(item.x, item.oi);
  if (id === undefined) return { kind: 'bad', message: 'correction: field oi (the original trade id) is missing', rawText };
  const oc = conditionCodes(item.oc, 'oc');
  if ('problem' in oc) return { kind: 'bad', message: `correction: ${oc.problem}`, rawText };
  const cc = conditionCodes(item.cc, 'cc');
  if ('problem' in cc) return { kind: 'bad', message: `correction: ${cc.problem}`, rawText };
  const { eligibility, unknown } = alpacaEligibility(cc.codes ?? [], item.z);
  const corrected: Extract<RawEvent, { type: 'correction' }>['corrected'] = { price: item.cp, eligibility };
  const correctedId = exchangeQualifiedId(item.x, item.ci);
  if (correctedId !== undefined) corrected.id = correctedId;
  if (item.cs !== undefined && item.cs !== null) corrected.size = item.cs;
  if (cc.codes !== undefined) corrected.conditions = cc.codes;
  const raw: Extract<RawEvent, { type: 'correction' }> = { type: 'correction', symbol: item.S, ts: item.t, id, price: item.op, corrected };
  if (item.os !== undefined && item.os !== null) raw.size = item.os;
  if (oc.codes !== undefined) raw.conditions = oc.codes;
  return unknown.length > 0 ? { kind: 'event', raw, rawText, unknown } : { kind: 'event', raw, rawText };
}

/**
 * Bars carry their start. A minute bar is known at its end; a daily bar at its session's close
 * on the exchange calendar. Either is capped at the receipt (a bar of a period still running).
 */
function decodeBar(item: Record<string, unknown>, type: string, rawText: string, receivedAt: number): AlpacaItem {
  const problem = fieldTypeProblem(item, { S: 'string', c: 'number', t: 'string', v: 'number?' });
  if (problem) return { kind: 'bad', message: `bar: ${problem}`, rawText };
  const start = rfc3339Ms(item.t as string);
  if (start === undefined) return { kind: 'bad', message: 'bar: field t is not an RFC 3339 timestamp', rawText };
  const ts = type === 'd' ? dailyBarCloseTs(start, receivedAt) : barCloseTs(start, 60_000, receivedAt);
  if (ts === undefined) return { kind: 'bad', message: `daily bar: no XNYS session on the date of ${String(item.t)}`, rawText };
  const raw: RawQuote = { symbol: item.S, price: item.c, ts };
  if (item.v !== undefined && item.v !== null) raw.size = item.v;
  return { kind: 'quote', raw, rawText };
}
