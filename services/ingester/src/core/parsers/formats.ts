import { parseTimestamp } from '../timestamp.js';
import { valueEnd } from './alpaca-bars.js';
import type { Timeframe } from './bar-time.js';
import { splitCsvLine } from './csv.js';
import { dailyCsvDecoder, stooqBulkDecoder, stooqPeriodProblem, yfinanceDecoder } from './daily-csv.js';
import type { Decoded, LineDecoder } from './decoded.js';
import { decodeNdjsonLine } from './ndjson.js';
import { resolveBasis, type BasisOffer, type FileBasis, type PriceBasis } from './price-basis.js';

export { decodeAlpacaBars, type AlpacaOptions } from './alpaca-bars.js';
export { decodeNdjsonLine } from './ndjson.js';

export const FILE_FORMATS = ['tick-csv', 'ndjson', 'yahoo', 'yfinance', 'stooq', 'stooq-bulk', 'alpaca-json'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** Formats of one symbol per file, named by --symbol or the file name. */
export const ONE_SYMBOL_FORMATS: ReadonlySet<FileFormat> = new Set(['yahoo', 'yfinance', 'stooq']);

const YAHOO_HEADER = ['date', 'open', 'high', 'low', 'close', 'adj close', 'volume'];
const STOOQ_HEADER = ['date', 'open', 'high', 'low', 'close', 'volume'];
const STOOQ_BULK_HEADER = ['<ticker>', '<per>', '<date>', '<time>', '<open>', '<high>', '<low>', '<close>', '<vol>', '<openint>'];
const YFINANCE_REQUIRED = ['open', 'high', 'low', 'close', 'volume', 'dividends', 'stock splits'];
const YFINANCE_OPTIONAL = ['adj close', 'capital gains'];

export function headerFields(line: string): string[] {
  return (splitCsvLine(line.replace(/^\uFEFF/, '')) ?? []).map((f) => f.trim().toLowerCase());
}

function sameFields(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isTickCsvHeader(fields: string[]): boolean {
  return ['ts', 'symbol', 'price'].every((f) => fields.includes(f)) && fields.every((f) => ['ts', 'symbol', 'price', 'size', 'id'].includes(f));
}

/** yfinance's `to_csv()` of `Ticker.history()`: the date column first, then its own columns in any order. */
function isYfinanceHeader(fields: string[]): boolean {
  const [first, ...rest] = fields;
  return (first === 'datetime' || first === 'date') && new Set(rest).size === rest.length && YFINANCE_REQUIRED.every((f) => rest.includes(f)) && rest.every((f) => YFINANCE_REQUIRED.includes(f) || YFINANCE_OPTIONAL.includes(f));
}

/** Whether a first line is, or begins with, an Alpaca bars page (pages back to back on one line too). */
function isBarsPage(line: string): boolean {
  const end = valueEnd(line, 0);
  try {
    const v = JSON.parse(end === -1 ? line : line.slice(0, end)) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) && 'bars' in v;
  } catch {
    return false;
  }
}

/**
 * Picks the format from the file name (.gz stripped) and its first line. The header decides
 * for CSV. JSON is Alpaca bars for `.json`, for a first line that is a bars page (JSONL of
 * pages too) or opens a pretty-printed document; NDJSON ticks otherwise.
 */
export function detectFormat(fileName: string, firstLine: string): FileFormat | undefined {
  const name = fileName.toLowerCase().replace(/\.gz$/, '');
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (name.endsWith('.json')) return 'alpaca-json';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return isBarsPage(line) ? 'alpaca-json' : 'ndjson';
  // A pretty-printed document starts with a line that is not JSON on its own.
  if (line.startsWith('{')) return line === '{' || isBarsPage(line) ? 'alpaca-json' : 'ndjson';
  const fields = headerFields(line);
  if (sameFields(fields, YAHOO_HEADER)) return 'yahoo';
  if (sameFields(fields, STOOQ_HEADER)) return 'stooq';
  if (sameFields(fields, STOOQ_BULK_HEADER)) return 'stooq-bulk';
  if (isYfinanceHeader(fields)) return 'yfinance';
  if (isTickCsvHeader(fields)) return 'tick-csv';
  return undefined;
}

/**
 * The price bases a format offers. Yahoo's and yfinance's Close is split-adjusted as of the
 * download and Adj Close is also dividend-adjusted; yfinance with auto_adjust has only the
 * adjusted Close; Stooq's Close is split- and dividend-adjusted; Alpaca's adjustment is a
 * request parameter the export does not record.
 */
export function basisOffer(format: FileFormat, fields: string[]): BasisOffer {
  const src = format === 'yahoo' ? 'Yahoo' : 'yfinance';
  switch (format) {
    case 'tick-csv':
    case 'ndjson':
      return { kind: 'fixed', basis: 'unadjusted', why: `${format === 'ndjson' ? 'NDJSON' : 'tick CSV'} prints as traded` };
    case 'stooq':
    case 'stooq-bulk':
      return { kind: 'fixed', basis: 'total_return', column: format === 'stooq' ? 'close' : '<close>', why: 'Stooq Close, split- and dividend-adjusted' };
    case 'alpaca-json':
      return { kind: 'stated', default: 'unadjusted', why: 'Alpaca bars, adjustment=raw unless stated' };
    case 'yahoo':
    case 'yfinance':
      if (!fields.includes('adj close')) return { kind: 'fixed', basis: 'total_return', column: 'close', why: 'yfinance auto_adjust Close, split- and dividend-adjusted' };
      return {
        kind: 'choice',
        default: 'split_adjusted',
        options: { split_adjusted: { column: 'close', why: `${src} Close, split-adjusted` }, total_return: { column: 'adj close', why: `${src} Adj Close, split- and dividend-adjusted` } },
      };
  }
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
  /** Symbol for one-symbol daily files; required for Yahoo, yfinance and Stooq downloads. */
  symbol?: string;
  /** The requested price basis (--price-basis): picks Close or Adj Close where a file has both. */
  basis?: PriceBasis;
  /** Length of intraday bars whose files do not say it. */
  timeframe?: Timeframe;
}

/** The basis a file of this format and header is read on. */
export function fileBasis(format: FileFormat, header: string, requested: PriceBasis | undefined): FileBasis {
  return resolveBasis(basisOffer(format, headerFields(header)), requested);
}

/**
 * A decoder for the lines after the header of a line-based format. Pure: same line in,
 * same result out; never throws.
 */
export function createLineDecoder(format: Exclude<FileFormat, 'alpaca-json'>, header: string, options: DecoderOptions = {}): LineDecoder {
  const fields = headerFields(header);
  const b = resolveBasis(basisOffer(format, fields), options.basis);
  const daily = { symbol: options.symbol ?? '', priceColumn: b.column ?? 'close', basis: b.basis, ...(options.timeframe ? { timeframe: options.timeframe } : {}) };
  switch (format) {
    case 'ndjson':
      return decodeNdjsonLine;
    case 'tick-csv':
      return tickCsvDecoder(fields);
    case 'yahoo':
    case 'stooq':
      return dailyCsvDecoder(fields, daily);
    case 'yfinance':
      return yfinanceDecoder(fields, daily);
    case 'stooq-bulk':
      return stooqBulkDecoder(options.symbol);
  }
}

/** Why a whole file is refused after its first data line, before anything is published; undefined when it is fine. */
export function refuseFile(format: FileFormat, firstDataLine: string | undefined): string | undefined {
  if (format !== 'stooq-bulk' || firstDataLine === undefined) return undefined;
  const per = splitCsvLine(firstDataLine)?.[1];
  return per === undefined ? undefined : stooqPeriodProblem(per);
}

function reject(message: string, line: number, text: string): Decoded {
  return { kind: 'reject', reason: 'parse_error', message, line, seq: line, text };
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

/** The event time of a decoded quote or event for ordering; undefined when it cannot be parsed (it will be dead-lettered). */
export function eventTimeOf(d: Decoded): { ts: number; tsNanos: number } | undefined {
  if (d.kind !== 'quote' && d.kind !== 'event') return undefined;
  const t = parseTimestamp(d.raw.ts);
  return t.ok ? { ts: t.ts, tsNanos: t.tsNanos ?? 0 } : undefined;
}
