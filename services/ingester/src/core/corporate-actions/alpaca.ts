/**
 * Alpaca market data `GET /v1/corporate-actions` (docs.alpaca.markets/reference/corporateactions-1),
 * one page at a time. The body groups actions by type:
 *   {"corporate_actions":{
 *      "forward_splits":[{"id","symbol","cusip","new_rate":2,"old_rate":1,"ex_date":"2023-08-22","process_date",...}],
 *      "reverse_splits":[{"id","symbol","old_cusip","new_cusip","new_rate":1,"old_rate":50,"ex_date",...}],
 *      "cash_dividends":[{"id","symbol","cusip","rate":0.125,"special":false,"foreign":false,"ex_date",...}]},
 *    "next_page_token":"MDA3..."|null}
 * Lists of other types (unit splits, mergers, ...) are not asked for and are ignored if sent.
 */
import type { CorporateActionKind } from '@rotation/schemas';
import { actionId, entryText, isRecord, positive, type DecodePageResult, type DecodedActionsPage, type RawCorporateAction } from './decoded.js';

/** The request's `types` values, and the response list each one comes back in. */
export const ALPACA_ACTION_TYPES = ['forward_split', 'reverse_split', 'cash_dividend'] as const;
const LISTS: ReadonlyArray<{ list: string; action: CorporateActionKind }> = [
  { list: 'forward_splits', action: 'split' },
  { list: 'reverse_splits', action: 'reverse_split' },
  { list: 'cash_dividends', action: 'dividend' },
];

/** `fetchedAt` becomes each action's `ts`: when this source published it to us. */
export function decodeAlpacaActionsPage(body: unknown, fetchedAt: number): DecodePageResult {
  if (!isRecord(body)) return { ok: false, message: 'expected a JSON object' };
  const groups = body.corporate_actions ?? {};
  if (!isRecord(groups)) return { ok: false, message: 'corporate_actions: expected an object of lists' };
  const token = body.next_page_token;
  if (token !== undefined && token !== null && typeof token !== 'string') return { ok: false, message: 'next_page_token: expected a string or null' };
  const page: DecodedActionsPage = { actions: [], problems: [], next: typeof token === 'string' && token.length > 0 ? token : undefined };
  for (const { list, action } of LISTS) {
    const entries = groups[list] ?? [];
    if (!Array.isArray(entries)) return { ok: false, message: `corporate_actions.${list}: expected a list` };
    entries.forEach((entry: unknown, i) => {
      const decoded = decodeEntry(entry, action, fetchedAt);
      if (typeof decoded === 'string') page.problems.push({ message: `alpaca ${list}[${i}]: ${decoded}`, text: entryText(entry) });
      else page.actions.push({ raw: decoded, text: entryText(entry) });
    });
  }
  return { ok: true, page };
}

/** Symbol and dates are left to the normaliser; only what the ratio needs is checked here. */
function decodeEntry(entry: unknown, action: CorporateActionKind, ts: number): RawCorporateAction | string {
  if (!isRecord(entry)) return 'expected an object';
  const raw: RawCorporateAction = { type: 'corporate_action', symbol: entry.symbol, action, exDate: entry.ex_date, ts };
  if (action === 'dividend') {
    raw.amount = entry.rate;
  } else {
    const newRate = positive(entry, 'new_rate');
    const oldRate = positive(entry, 'old_rate');
    if (typeof newRate === 'string') return newRate;
    if (typeof oldRate === 'string') return oldRate;
    // new_rate new shares for every old_rate old ones: 2 for 1 is a ratio of 2, 1 for 50 of 0.02.
    raw.ratio = newRate / oldRate;
  }
  const id = actionId(entry.id);
  if (id !== undefined) raw.id = id;
  return raw;
}
