import type { Logger } from '@rotation/log';
import type { SharedKeys } from '@rotation/redis';
import type { RuleCatalog } from '@rotation/schemas';
import { historyPage, historyRange, parseHistoryQuery } from '../core/history-query.js';
import type { RedisStore } from './redis-store.js';
import type { Reply } from './json-body.js';

export const HISTORY_PATH = '/api/v1/history';

export interface HistoryRoutesOptions {
  store: RedisStore;
  keys: SharedKeys;
  /** The universe's windows, pairs, symbols and sectors: what a query may name. */
  catalog: RuleCatalog;
  logger: Logger;
}


/**
 * `GET /api/v1/history`: one series' recorded points (docs/websocket-api.md#history), read
 * from the streams the detector writes with each snapshot. Authorised by the caller (like
 * every /api route); answers 400 naming each bad parameter, 503 when Redis does not answer.
 */
export async function handleHistory(search: string, o: HistoryRoutesOptions, reply: Reply): Promise<void> {
  const parsed = parseHistoryQuery(search, o.catalog);
  if (!parsed.ok) return reply(400, { error: parsed.error, issues: parsed.issues });
  const q = parsed.query;
  const key = q.series === 'rrg' ? o.keys.historyRrg : o.keys.historyWindow(q.window!);
  const range = historyRange(q);
  let entries: Array<[string, string]>;
  try {
    entries = await o.store.historyRange(key, range.start, range.end, range.count);
  } catch (error) {
    o.logger.warn({ err: (error as Error).message, key }, 'history read failed');
    return reply(503, { error: 'history is unavailable right now' }, { 'retry-after': '2' });
  }
  const { page, skipped } = historyPage(q, entries, range.limit);
  if (skipped > 0) o.logger.warn({ key, skipped }, 'history entries that do not match their schema were skipped');
  reply(200, page);
}
