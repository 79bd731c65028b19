import { parseTimestamp } from '../timestamp.js';
import { dailyBarDate, MINUTE_BARS, type Timeframe } from './bar-time.js';
import { barQuote } from './bar-quote.js';
import type { Decoded } from './decoded.js';

/**
 * Alpaca historical bars as people save them: one REST page, several pages back to back
 * (pretty-printed or compact), one page per line (JSONL), a JSON array of pages; each page
 * multi-symbol `{"bars":{"SYM":[...]},"next_page_token":...}` or single-symbol
 * `{"bars":[...],"symbol":"SYM"}`, in either order.
 */
export interface AlpacaOptions {
  /** Symbol of single-symbol pages (overrides the page's "symbol"). */
  symbol?: string;
  /** Bar length; when absent, daily if every bar starts a day, else minute bars. */
  timeframe?: Timeframe;
}

export interface JsonDocument {
  text: string;
  /** 1-based line where the document starts. */
  line: number;
}

/** Position just past the top-level value opening at `start`, or -1 when its brackets never close. */
export function valueEnd(text: string, start: number): number {
  let depth = 0, inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth += 1;
    else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Top-level JSON values of a text holding several back to back, by bracket depth outside
 * strings. Text between documents that does not open one is returned as a document of its
 * own, for JSON.parse to reject. A document whose brackets never close (a truncated page) ends
 * at the next line that opens one at its first column, so one bad line of JSONL costs one page.
 */
export function splitJsonDocuments(text: string): JsonDocument[] {
  const docs: JsonDocument[] = [];
  let line = 1;
  let i = 0;
  const push = (start: number, end: number) => {
    docs.push({ text: text.slice(start, end), line });
    for (let k = start; k < end; k++) if (text.charCodeAt(k) === 10) line += 1;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      if (c === '\n') line += 1;
      i += 1;
      continue;
    }
    let end: number;
    if (c !== '{' && c !== '[') {
      end = i;
      while (end < text.length && text[end] !== '{' && text[end] !== '[') end += 1;
    } else {
      end = valueEnd(text, i);
      if (end === -1) {
        const next = text.indexOf('\n{', i);
        end = next === -1 ? text.length : next + 1;
      }
    }
    push(i, end);
    i = end;
  }
  return docs;
}

type Page = { value: unknown; line: number; label: string };

function isPage(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'bars' in v;
}

/**
 * The pages of a file, or one rejection. A text that is not one JSON document is taken as a
 * sequence only if at least one of its parts is a bars page; otherwise it is plain bad JSON.
 */
function readPages(text: string): { pages: Page[]; rejects: Decoded[] } {
  const fail = (message: string, line = 1, t = text): Decoded => ({ kind: 'reject', reason: 'parse_error', message, line, seq: 0, text: t });
  try {
    const whole = JSON.parse(text) as unknown;
    if (Array.isArray(whole) && whole.length > 0 && whole.every(isPage)) return { pages: whole.map((value, k) => ({ value, line: 1, label: `[${k}]: ` })), rejects: [] };
    return { pages: [{ value: whole, line: 1, label: '' }], rejects: [] };
  } catch (e) {
    const docs = splitJsonDocuments(text).map((d) => {
      try {
        return { ...d, value: JSON.parse(d.text) as unknown };
      } catch (err) {
        return { ...d, error: (err as Error).message };
      }
    });
    if (!docs.some((d) => 'value' in d && isPage(d.value))) return { pages: [], rejects: [fail(`not JSON: ${(e as Error).message}`)] };
    const pages: Page[] = [];
    const rejects: Decoded[] = [];
    docs.forEach((d, k) => {
      const label = `page ${k + 1} (line ${d.line}): `;
      if ('error' in d) rejects.push(fail(`${label}not JSON: ${d.error}`, d.line, d.text));
      else pages.push({ value: d.value, line: d.line, label });
    });
    return { pages, rejects };
  }
}

interface RawBar {
  symbol: string;
  bar: Record<string, unknown>;
  path: string;
  text: string;
}

/** One page's bars and the rejections of its malformed parts, in document order. */
function pageBars(page: Page, symbolOverride: string | undefined, out: Array<RawBar | Decoded>): void {
  const fail = (message: string, text: string, line?: number) => out.push({ kind: 'reject', reason: 'parse_error', message: `${page.label}${message}`, ...(line ? { line } : {}), seq: 0, text });
  const doc = page.value;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return void fail('expected an Alpaca bars object {"bars": ...}', JSON.stringify(doc) ?? '', page.line);
  const { bars, symbol } = doc as { bars?: unknown; symbol?: unknown };
  let groups: Array<[string, unknown, string]>;
  if (Array.isArray(bars)) {
    const sym = symbolOverride ?? (typeof symbol === 'string' ? symbol : undefined);
    if (sym === undefined) return void fail('single-symbol bars need "symbol" in the document or --symbol', JSON.stringify(doc), page.line);
    groups = [[sym, bars, 'bars']];
  } else if (typeof bars === 'object' && bars !== null) {
    groups = Object.entries(bars).map(([s, list]) => [s, list, `bars.${s}`]);
  } else if (bars === null) {
    return; // Alpaca sends "bars": null for a range without trades.
  } else return void fail('"bars" must be an array or an object of arrays', JSON.stringify(doc), page.line);
  for (const [sym, list, path] of groups) {
    if (!Array.isArray(list)) {
      fail(`${path}: expected an array of bars`, JSON.stringify(list) ?? '');
      continue;
    }
    list.forEach((bar: unknown, i) => {
      const text = JSON.stringify(bar) ?? '';
      if (typeof bar !== 'object' || bar === null || Array.isArray(bar)) fail(`${path}[${i}]: expected a bar object`, text);
      else out.push({ symbol: sym, bar: bar as Record<string, unknown>, path: `${page.label}${path}[${i}]`, text });
    });
  }
}

/** Daily when every readable bar starts a day (midnight New York, or midnight UTC); else minute bars. */
function inferTimeframe(bars: RawBar[]): Timeframe {
  let any = false;
  for (const b of bars) {
    const t = parseTimestamp(b.bar.t);
    if (!t.ok) continue;
    any = true;
    if (dailyBarDate(t.ts) === undefined) return MINUTE_BARS;
  }
  return any ? { kind: 'day' } : MINUTE_BARS;
}

/**
 * Every bar of the file becomes a quote at its close price `c`, size `v`, or a rejection that
 * names its page and JSON path; none is dropped. Records carry their position as `seq`.
 */
export function decodeAlpacaBars(text: string, options: AlpacaOptions = {}): Decoded[] {
  const { pages, rejects } = readPages(text);
  const items: Array<RawBar | Decoded> = [...rejects];
  for (const page of pages) pageBars(page, options.symbol, items);
  const timeframe = options.timeframe ?? inferTimeframe(items.filter((x): x is RawBar => 'bar' in x));
  return items.map((x, k) => ('bar' in x ? alpacaBarQuote(x, timeframe, k + 1) : { ...x, seq: k + 1 }));
}

function alpacaBarQuote(b: RawBar, timeframe: Timeframe, seq: number): Decoded {
  return barQuote({ symbol: b.symbol, t: b.bar.t, close: b.bar.c, volume: b.bar.v, path: b.path, text: b.text }, timeframe, seq);
}

/**
 * One REST page of GET /v2/stocks/bars as parsed JSON (multi-symbol or single-symbol): its
 * bars as quotes at their closes and the rejections of its malformed parts, and the page token
 * of the next page. Same rules as a saved file: a page is a page wherever it comes from.
 */
export function decodeAlpacaBarsPage(doc: unknown, timeframe: Timeframe, label: string): { decoded: Decoded[]; next: string | undefined } {
  const items: Array<RawBar | Decoded> = [];
  pageBars({ value: doc, line: 1, label }, undefined, items);
  const token = typeof doc === 'object' && doc !== null ? (doc as { next_page_token?: unknown }).next_page_token : undefined;
  return { decoded: items.map((x, k) => ('bar' in x ? alpacaBarQuote(x, timeframe, k + 1) : { ...x, seq: k + 1 })), next: typeof token === 'string' && token !== '' ? token : undefined };
}
