/**
 * Corporate actions from a file (`pnpm ingest actions <file>`), one record per line:
 *   CSV with a header:  symbol,action,ex_date,ratio,amount   (optional columns: id, ts)
 *                       NVDA,split,2024-06-10,10,
 *                       SPY,dividend,2024-06-21,,1.7588
 *   NDJSON, the CorporateAction record without v and source:
 *                       {"symbol":"NVDA","action":"split","exDate":"2024-06-10","ratio":10}
 * `ts` (when the action was published) defaults to the time of the run. Values are checked by
 * the normaliser like any other source's; this only decodes.
 */
import { CorporateActionKind, type DeadLetterReason } from '@rotation/schemas';
import { splitCsvLine } from '../parsers/csv.js';
import { isRecord, truncated, type RawCorporateAction } from './decoded.js';

export type ActionLine = { kind: 'action'; raw: RawCorporateAction } | { kind: 'reject'; reason: DeadLetterReason; message: string };

export interface ActionFileDecoder {
  format: 'csv' | 'ndjson';
  /** CSV: the first line was the header and carries no record. */
  headerConsumed: boolean;
  /** undefined for blank lines. */
  decode(text: string): ActionLine | undefined;
}

const CSV_COLUMNS = ['symbol', 'action', 'ex_date', 'ratio', 'amount', 'id', 'ts'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED_CSV: readonly CsvColumn[] = ['symbol', 'action', 'ex_date'];
const NDJSON_KEYS = new Set(['type', 'v', 'symbol', 'action', 'exDate', 'ratio', 'amount', 'id', 'ts']);

/** Picks the format from the first non-blank line; a message when it is neither. */
export function actionFileDecoder(firstLine: string, nowMs: number): { ok: true; decoder: ActionFileDecoder } | { ok: false; message: string } {
  const first = stripBom(firstLine).trim();
  if (first.startsWith('{')) return { ok: true, decoder: { format: 'ndjson', headerConsumed: false, decode: (t) => decodeJsonLine(t, nowMs) } };
  const header = splitCsvLine(first)?.map((c) => c.trim().toLowerCase());
  const unknown = header?.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c)) ?? [];
  const missing = REQUIRED_CSV.filter((c) => !header?.includes(c));
  if (!header || unknown.length > 0 || missing.length > 0 || new Set(header).size !== header.length) {
    const why = !header ? 'unreadable header' : unknown.length > 0 ? `unknown column ${unknown[0]}` : missing.length > 0 ? `missing column ${missing[0]}` : 'a column appears twice';
    return { ok: false, message: `expected a CSV header with ${REQUIRED_CSV.join(',')},ratio,amount (optional id, ts) or NDJSON objects: ${why}` };
  }
  const columns = header as CsvColumn[];
  return { ok: true, decoder: { format: 'csv', headerConsumed: true, decode: (t) => decodeCsvLine(t, columns, nowMs) } };
}

function decodeCsvLine(text: string, columns: readonly CsvColumn[], nowMs: number): ActionLine | undefined {
  if (text.trim() === '') return undefined;
  const fields = splitCsvLine(text);
  if (!fields) return { kind: 'reject', reason: 'parse_error', message: 'unterminated quote' };
  if (fields.length !== columns.length) return { kind: 'reject', reason: 'parse_error', message: `expected ${columns.length} columns, got ${fields.length}` };
  const row: Partial<Record<CsvColumn, string>> = {};
  columns.forEach((c, i) => {
    const v = fields[i]!.trim();
    if (v !== '') row[c] = v;
  });
  const action = actionKind(row.action);
  if (typeof action !== 'string') return action;
  return { kind: 'action', raw: build(row.symbol, action, row.ex_date, row.ratio, row.amount, row.id, row.ts ?? nowMs) };
}

function decodeJsonLine(text: string, nowMs: number): ActionLine | undefined {
  const t = stripBom(text).trim();
  if (t === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (e) {
    return { kind: 'reject', reason: 'parse_error', message: `not JSON: ${(e as Error).message}` };
  }
  if (!isRecord(value)) return { kind: 'reject', reason: 'parse_error', message: 'expected a JSON object' };
  const extra = Object.keys(value).find((k) => !NDJSON_KEYS.has(k));
  if (extra !== undefined) {
    const hint = extra === 'source' ? ' (a file\'s actions are published with source "replay")' : '';
    return { kind: 'reject', reason: 'invalid_tick', message: `unknown key ${truncated(extra)}${hint}` };
  }
  if (value.type !== undefined && value.type !== 'corporate_action') return { kind: 'reject', reason: 'invalid_tick', message: `type: expected "corporate_action", got ${truncated(value.type)}` };
  if (value.v !== undefined && value.v !== 1) return { kind: 'reject', reason: 'invalid_tick', message: `v: expected 1, got ${truncated(value.v)}` };
  const action = actionKind(value.action);
  if (typeof action !== 'string') return action;
  return { kind: 'action', raw: build(value.symbol, action, value.exDate, value.ratio, value.amount, value.id, value.ts ?? nowMs) };
}

function actionKind(value: unknown): CorporateActionKind | ActionLine {
  if (typeof value === 'string' && isKind(value)) return value;
  return { kind: 'reject', reason: 'invalid_tick', message: `action: expected ${CorporateActionKind.options.join(', ')}, got ${truncated(value)}` };
}

function isKind(value: string): value is CorporateActionKind {
  return (CorporateActionKind.options as readonly string[]).includes(value);
}

function build(symbol: unknown, action: CorporateActionKind, exDate: unknown, ratio: unknown, amount: unknown, id: unknown, ts: unknown): RawCorporateAction {
  const raw: RawCorporateAction = { type: 'corporate_action', symbol, action, exDate, ts };
  if (ratio !== undefined) raw.ratio = ratio;
  if (amount !== undefined) raw.amount = amount;
  if (id !== undefined) raw.id = id;
  return raw;
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
