import { parseTimestamp } from '../timestamp.js';
import type { RawEvent } from '../source.js';
import { dailyBarClose, isIsoDate, MINUTE_BARS, newYorkMidnight, newYorkOffsetMinutes, sessionOfDate, type Timeframe } from './bar-time.js';
import { splitCsvLine } from './csv.js';
import type { Decoded, LineDecoder } from './decoded.js';
import type { PriceBasis } from './price-basis.js';

/**
 * Daily bar files, one row per session: Yahoo's download, yfinance's `history().to_csv()`,
 * Stooq's download and its bulk `.us.txt`. Each row is one quote at the session's close
 * price, stamped at the session's close (from the XNYS calendar).
 */
export interface DailyCsvOptions {
  symbol: string;
  /** Header name (lower case) of the price column read: `close` or `adj close`. */
  priceColumn: string;
  basis: PriceBasis;
  /** Length of yfinance intraday rows (a time other than 00:00); minute bars by default. */
  timeframe?: Timeframe;
}

type Row = { ok: true; cols: string[] } | { ok: false; d: Decoded };

function reject(message: string, line: number, text: string, reason: 'parse_error' | 'invalid_tick' = 'parse_error'): Decoded {
  return { kind: 'reject', reason, message, line, seq: line, text };
}

function row(text: string, line: number, width: number): Row | undefined {
  if (text.trim() === '') return undefined;
  const cols = splitCsvLine(text);
  if (!cols) return { ok: false, d: reject('unterminated quoted field', line, text) };
  if (cols.length !== width) return { ok: false, d: reject(`expected ${width} fields, got ${cols.length}`, line, text) };
  return { ok: true, cols };
}

/** Yahoo writes "null" for a day without data (a holiday in the range); pandas writes NaN as an empty field. */
function isNullPrice(v: string): boolean {
  const t = v.trim().toLowerCase();
  return t === 'null' || t === '' || t === 'nan';
}

function sizeOf(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || isNullPrice(t) ? undefined : t;
}

/** Yahoo and Stooq downloads: `Date` YYYY-MM-DD, the chosen price column, `Volume`. */
export function dailyCsvDecoder(fields: string[], o: DailyCsvOptions): LineDecoder {
  const date = fields.indexOf('date'), price = fields.indexOf(o.priceColumn), volume = fields.indexOf('volume');
  return (text, line) => {
    const r = row(text, line, fields.length);
    if (!r?.ok) return r?.d;
    const p = r.cols[price] ?? '';
    if (p.trim() === 'null') return { kind: 'skip', reason: 'null_row', detail: 'no prices for this date', line, seq: line, text };
    const d = (r.cols[date] ?? '').trim();
    const close = dailyBarClose(d);
    if (!close.ok) return reject(`Date: ${close.message}`, line, text, 'invalid_tick');
    return { kind: 'quote', raw: { symbol: o.symbol, price: p.trim(), size: sizeOf(r.cols[volume]), ts: close.ts }, line, seq: line, text };
  };
}

const BULK_WIDTH = 10;

/** Stooq's market suffix: `.US` is what the XNYS calendar times; other markets close at other hours. */
export function stooqSymbol(ticker: string): { ok: true; symbol: string } | { ok: false; message: string } {
  const t = ticker.trim().toUpperCase();
  if (t.endsWith('.US')) return { ok: true, symbol: t.slice(0, -3) };
  const suffix = /\.([A-Z]{1,2})$/.exec(t);
  if (suffix) return { ok: false, message: `<TICKER> ${t}: a .${suffix[1]} listing; only US listings (.US) are timed by the XNYS calendar` };
  return { ok: true, symbol: t };
}

/** Why a Stooq bulk row's period cannot be read, or undefined for daily (`D`) rows. */
export function stooqPeriodProblem(per: string): string | undefined {
  const p = per.trim().toUpperCase();
  if (p === 'D') return undefined;
  // Stooq's intraday TIME is local to Stooq, not New York, and the file does not say whether it opens or closes the bar.
  return `<PER> ${p.slice(0, 8)}: only daily (D) Stooq bars are read; intraday rows do not say the time zone of <TIME> nor whether it is the bar's start or end`;
}

/** Stooq bulk: `<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>`. */
export function stooqBulkDecoder(symbolOverride?: string): LineDecoder {
  return (text, line) => {
    const r = row(text, line, BULK_WIDTH);
    if (!r?.ok) return r?.d;
    const [ticker, per, yyyymmdd, , , , , close, vol] = r.cols as [string, string, string, string, string, string, string, string, string];
    const period = stooqPeriodProblem(per);
    if (period) return reject(period, line, text);
    const s = symbolOverride ? { ok: true as const, symbol: symbolOverride } : stooqSymbol(ticker);
    if (!s.ok) return reject(s.message, line, text, 'invalid_tick');
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd.trim());
    const date = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
    if (!isIsoDate(date)) return reject(`<DATE>: "${yyyymmdd.slice(0, 20)}" is not a date YYYYMMDD`, line, text, 'invalid_tick');
    const at = dailyBarClose(date);
    if (!at.ok) return reject(`<DATE>: ${at.message}`, line, text, 'invalid_tick');
    return { kind: 'quote', raw: { symbol: s.symbol, price: close.trim(), size: sizeOf(vol), ts: at.ts }, line, seq: line, text };
  };
}

/**
 * yfinance `Datetime`: `2022-01-03 00:00:00-05:00` (a daily row: the exchange's date at
 * midnight), a plain date (older versions), or an intraday bar's start.
 */
type YfStamp = { ok: true; date: string; intradayTs?: number } | { ok: false; message: string };

function yfinanceStamp(value: string, timeframe: Timeframe): YfStamp {
  const v = value.trim();
  const date = v.slice(0, 10);
  if (!isIsoDate(date)) return { ok: false, message: `"${v.slice(0, 40)}" is not a date` };
  if (v.length === 10) return { ok: true, date };
  const m = /^\d{4}-\d{2}-\d{2}[ T](\d{2}:\d{2}:\d{2})([+-]\d{2}):(\d{2})$/.exec(v);
  if (!m) return { ok: false, message: `"${v.slice(0, 40)}" is neither YYYY-MM-DD nor YYYY-MM-DD HH:MM:SS±HH:MM` };
  if (m[1] !== '00:00:00') {
    const t = parseTimestamp(v);
    if (!t.ok) return { ok: false, message: t.message };
    return { ok: true, date, intradayTs: t.ts + (timeframe.kind === 'intraday' ? timeframe.ms : 0) };
  }
  const s = sessionOfDate(date);
  // A listing on another exchange has another offset; its close is not XNYS's.
  const offset = (m[2]!.startsWith('-') ? -1 : 1) * (Math.abs(Number(m[2])) * 60 + Number(m[3]));
  if (s.ok && offset !== newYorkOffsetMinutes(s.session)) return { ok: false, message: `"${v}": UTC offset ${m[2]}:${m[3]} is not New York's on ${date}; only XNYS sessions are timed` };
  return { ok: true, date };
}

/** The columns of a yfinance row that become corporate actions, and on which basis. */
interface ActionColumns {
  dividends: number;
  splits: number;
}

/**
 * yfinance's Dividends and Stock Splits on a row (0 = none). Its prices are split-adjusted as of
 * the download, so a split is already in them: reported as `already_adjusted`, never applied
 * again. A dividend is in the prices only on the total-return basis; on split_adjusted it is
 * published, so the detector can build total return. An action is stamped at 00:00 New York
 * of its ex-date: after every print of the session before, before any of the ex-date.
 */
export function yfinanceActions(cols: string[], c: ActionColumns, o: { symbol: string; basis: PriceBasis; date: string; line: number; text: string }): Decoded[] {
  const out: Decoded[] = [];
  const at = { line: o.line, seq: o.line, text: o.text };
  const ts = newYorkMidnight(o.date);
  for (const [name, idx] of [['Dividends', c.dividends], ['Stock Splits', c.splits]] as const) {
    const v = (cols[idx] ?? '').trim();
    if (idx < 0 || isNullPrice(v) || Number(v) === 0) continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      out.push({ kind: 'reject', reason: 'invalid_tick', message: `${name}: expected a number >= 0, got "${v.slice(0, 40)}"`, ...at });
      continue;
    }
    if (name === 'Dividends') {
      const raw: RawEvent = { type: 'corporate_action', symbol: o.symbol, action: 'dividend', exDate: o.date, amount: n, ts };
      if (o.basis === 'split_adjusted') out.push({ kind: 'event', raw, ...at });
      else out.push({ kind: 'skip', reason: 'already_adjusted', detail: `dividend ${n} on ${o.date}: the ${o.basis} prices include it`, ...at });
    } else {
      const action = n > 1 ? 'split' : 'reverse_split';
      out.push({ kind: 'skip', reason: 'already_adjusted', detail: `${action} ratio ${n} on ${o.date}: yfinance prices are split-adjusted`, ...at });
    }
  }
  return out;
}

/** yfinance `history().to_csv()`: `Datetime` (or `Date`), OHLC, `Adj Close` unless auto_adjust, Volume, Dividends, Stock Splits[, Capital Gains]. */
export function yfinanceDecoder(fields: string[], o: DailyCsvOptions): LineDecoder {
  const date = fields.includes('datetime') ? fields.indexOf('datetime') : fields.indexOf('date');
  const price = fields.indexOf(o.priceColumn), volume = fields.indexOf('volume');
  const actionCols = { dividends: fields.indexOf('dividends'), splits: fields.indexOf('stock splits') };
  const timeframe = o.timeframe ?? MINUTE_BARS;
  return (text, line) => {
    const r = row(text, line, fields.length);
    if (!r?.ok) return r?.d;
    const stamp = yfinanceStamp(r.cols[date] ?? '', timeframe);
    if (!stamp.ok) return reject(`Datetime: ${stamp.message}`, line, text, 'invalid_tick');
    const actions = yfinanceActions(r.cols, actionCols, { symbol: o.symbol, basis: o.basis, date: stamp.date, line, text });
    const with_ = (d: Decoded): Decoded => (actions.length > 0 && (d.kind === 'quote' || d.kind === 'skip') ? { ...d, actions } : d);
    const p = r.cols[price] ?? '';
    // yfinance lists an ex-date that fell on a closed day as a row without prices: the action still counts.
    if (isNullPrice(p)) return with_({ kind: 'skip', reason: 'null_row', detail: 'no prices for this date', line, seq: line, text });
    let ts = stamp.intradayTs;
    if (ts === undefined) {
      const close = dailyBarClose(stamp.date);
      if (!close.ok) return reject(`Datetime: ${close.message}`, line, text, 'invalid_tick');
      ts = close.ts;
    }
    return with_({ kind: 'quote', raw: { symbol: o.symbol, price: p.trim(), size: sizeOf(r.cols[volume]), ts }, line, seq: line, text });
  };
}
