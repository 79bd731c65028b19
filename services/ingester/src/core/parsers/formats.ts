import { parseTimestamp } from '../timestamp.js';
import { splitCsvLine } from './csv.js';
import type { Decoded, LineDecoder } from './decoded.js';
import { usMarketCloseUtc } from './market-close.js';

export const FILE_FORMATS = ['tick-csv', 'ndjson', 'yahoo', 'stooq', 'alpaca-json'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

const YAHOO_HEADER = ['date', 'open', 'high', 'low', 'close', 'adj close', 'volume'];
const STOOQ_HEADER = ['date', 'open', 'high', 'low', 'close', 'volume'];

function headerFields(line: string): string[] {
  return (splitCsvLine(line.replace(/^\uFEFF/, '')) ?? []).map((f) => f.trim().toLowerCase());
}

function sameFields(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isTickCsvHeader(fields: string[]): boolean {
  return ['ts', 'symbol', 'price'].every((f) => fields.includes(f)) && fields.every((f) => ['ts', 'symbol', 'price', 'size', 'id'].includes(f));
}

/**
 * Picks the format from the file name (.gz stripped) and its first line. The header decides
 * for CSV; JSON is an Alpaca bars document for `.json` or when the first line opens one,
 * NDJSON otherwise.
 */
export function detectFormat(fileName: string, firstLine: string): FileFormat | undefined {
  const name = fileName.toLowerCase().replace(/\.gz$/, '');
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'alpaca-json';
  if (line.startsWith('{')) {
    try {
      const v = JSON.parse(line) as unknown;
      return typeof v === 'object' && v !== null && 'bars' in v ? 'alpaca-json' : 'ndjson';
    } catch {
      // A pretty-printed document starts with a line that is not JSON on its own.
      return line === '{' ? 'alpaca-json' : 'ndjson';
    }
  }
  const fields = headerFields(line);
  if (sameFields(fields, YAHOO_HEADER)) return 'yahoo';
  if (sameFields(fields, STOOQ_HEADER)) return 'stooq';
  if (isTickCsvHeader(fields)) return 'tick-csv';
  return undefined;
}

/**
 * The symbol a one-symbol daily file is for, from names like `iwm.us.csv`, `IWM.csv`,
 * `SPY.csv.gz`, `data/brk-b.us.txt`. The `.us` market suffix is Stooq's.
 */
export function symbolFromFileName(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.gz$/i, '').replace(/\.(csv|txt)$/i, '').replace(/\.us$/i, '');
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$/.test(stem) ? stem.toUpperCase() : undefined;
}

export interface DecoderOptions {
  /** Symbol for one-symbol daily files; required for Yahoo and Stooq. */
  symbol?: string;
}

/**
 * A decoder for the lines after the header of a line-based format. Pure: same line in,
 * same result out; never throws.
 */
export function createLineDecoder(format: Exclude<FileFormat, 'alpaca-json'>, header: string, options: DecoderOptions = {}): LineDecoder {
  switch (format) {
    case 'ndjson':
      return decodeNdjsonLine;
    case 'tick-csv':
      return tickCsvDecoder(headerFields(header));
    case 'yahoo':
    case 'stooq':
      return dailyCsvDecoder(headerFields(header), options.symbol ?? '');
  }
}

function reject(message: string, line: number, text: string, reason: 'parse_error' | 'invalid_tick' = 'parse_error'): Decoded {
  return { kind: 'reject', reason, message, line, seq: line, text };
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
  return { kind: 'quote', raw: { symbol: o.symbol, price: o.price, size: o.size, ts: o.ts, id: o.id }, line, seq: line, text };
}

function tickCsvDecoder(fields: string[]): LineDecoder {
  const ts = fields.indexOf('ts'), symbol = fields.indexOf('symbol'), price = fields.indexOf('price');
  const size = fields.indexOf('size'), id = fields.indexOf('id');
  return (text, line) => {
    if (text.trim() === '') return undefined;
    const cols = splitCsvLine(text);
    if (!cols) return reject('unterminated quoted field', line, text);
    if (cols.length !== fields.length) return reject(`expected ${fields.length} fields (${fields.join(',')}), got ${cols.length}`, line, text);
    return {
      kind: 'quote',
      raw: { ts: cols[ts], symbol: cols[symbol], price: cols[price], size: size >= 0 ? cols[size] : undefined, id: id >= 0 ? cols[id] : undefined },
      line,
      seq: line,
      text,
    };
  };
}

function dailyCsvDecoder(fields: string[], symbol: string): LineDecoder {
  const date = fields.indexOf('date'), close = fields.indexOf('close'), volume = fields.indexOf('volume');
  return (text, line) => {
    if (text.trim() === '') return undefined;
    const cols = splitCsvLine(text);
    if (!cols) return reject('unterminated quoted field', line, text);
    if (cols.length !== fields.length) return reject(`expected ${fields.length} fields, got ${cols.length}`, line, text);
    const d = cols[date] ?? '';
    const ts = usMarketCloseUtc(d);
    if (ts === undefined) return reject(`Date: "${d.slice(0, 40)}" is not a calendar date YYYY-MM-DD`, line, text, 'invalid_tick');
    // Volume "null" (Yahoo's placeholder) is treated as unknown size, not a bad record.
    const v = cols[volume]?.trim();
    return { kind: 'quote', raw: { symbol, price: cols[close]?.trim(), size: v === 'null' ? undefined : v, ts }, line, seq: line, text };
  };
}

/**
 * An Alpaca historical bars document, multi-symbol `{"bars":{"SYM":[...]}}` or single-symbol
 * `{"bars":[...],"symbol":"SYM"}`. Each bar becomes a quote at its close price, timed at the
 * bar's start `t` as Alpaca stamps it (the file does not say the bar length). Records carry
 * their position as `seq`; JSON has no meaningful line per bar, the message names the path.
 */
export function decodeAlpacaBars(text: string, symbolOverride?: string): Decoded[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return [{ kind: 'reject', reason: 'parse_error', message: `not JSON: ${(e as Error).message}`, line: 1, seq: 1, text }];
  }
  const out: Decoded[] = [];
  const fail = (message: string): Decoded[] => [{ kind: 'reject', reason: 'parse_error', message, line: 1, seq: 1, text }];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('expected an Alpaca bars object {"bars": ...}');
  const { bars, symbol } = doc as { bars?: unknown; symbol?: unknown };
  let groups: Array<[string, unknown, string]>;
  if (Array.isArray(bars)) {
    const sym = symbolOverride ?? (typeof symbol === 'string' ? symbol : undefined);
    if (sym === undefined) return fail('single-symbol bars need "symbol" in the document or --symbol');
    groups = [[sym, bars, 'bars']];
  } else if (typeof bars === 'object' && bars !== null) {
    groups = Object.entries(bars).map(([s, list]) => [s, list, `bars.${s}`]);
  } else if (bars === null) {
    return out; // Alpaca sends "bars": null for a range without trades.
  } else return fail('"bars" must be an array or an object of arrays');
  let seq = 0;
  for (const [sym, list, path] of groups) {
    if (!Array.isArray(list)) {
      seq += 1;
      out.push({ kind: 'reject', reason: 'parse_error', message: `${path}: expected an array of bars`, seq, text: JSON.stringify(list) ?? '' });
      continue;
    }
    list.forEach((bar: unknown, i) => {
      seq += 1;
      const barText = JSON.stringify(bar) ?? '';
      if (typeof bar !== 'object' || bar === null || Array.isArray(bar)) {
        out.push({ kind: 'reject', reason: 'parse_error', message: `${path}[${i}]: expected a bar object`, seq, text: barText });
        return;
      }
      const b = bar as Record<string, unknown>;
      out.push({ kind: 'quote', raw: { symbol: sym, price: b.c, size: b.v, ts: b.t }, seq, text: barText });
    });
  }
  return out;
}

/** The event time of a decoded quote for ordering; undefined when it cannot be parsed (it will be dead-lettered). */
export function eventTimeOf(d: Decoded): { ts: number; tsNanos: number } | undefined {
  if (d.kind !== 'quote') return undefined;
  const t = parseTimestamp(d.raw.ts);
  return t.ok ? { ts: t.ts, tsNanos: t.tsNanos ?? 0 } : undefined;
}
