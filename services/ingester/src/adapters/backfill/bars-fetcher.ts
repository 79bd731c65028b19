/**
 * Pages through a provider's history queries under its rate limit and returns every bar as a
 * history item, in no particular order (history.ts orders them). Malformed entries become
 * `parse_error` dead letters at once; a query that fails past its retries fails the backfill
 * with the query named and the credentials scrubbed. Bounded: pages per query, bars per run,
 * bytes per page, a timeout per request.
 */
import type { Logger } from '@rotation/log';
import type { DeadLetterOrigin } from '@rotation/schemas';
import { barItem, RANK, type HistoryItem } from '../../core/backfill/history.js';
import type { BackfillPlan } from '../../core/backfill/plan.js';
import { FetchError, FetchErrorCode, IngesterError, IngesterErrorCode } from '../../core/errors.js';
import type { QuoteSink } from '../../core/source.js';
import { getJson, scrubSecrets, type HttpSettings } from '../rest-http.js';
import type { BarsQuery, HistoryProvider } from './providers.js';

export interface BarsFetcherOptions {
  provider: HistoryProvider;
  http: HttpSettings;
  logger: Logger;
  maxBars: number;
  maxPagesPerQuery: number;
  /** After every page: pages and bars so far. */
  onPage?: (p: { query: string; pages: number; bars: number }) => void;
  /** Queries finished of the run's total, at the start and after each. */
  onQueries?: (done: number, total: number) => void;
}

export interface FetchedBars {
  items: HistoryItem[];
  pages: number;
  rejected: number;
}

export async function fetchBars(o: BarsFetcherOptions, plan: BackfillPlan, symbols: readonly string[], sink: QuoteSink, signal: AbortSignal): Promise<FetchedBars> {
  const out: FetchedBars = { items: [], pages: 0, rejected: 0 };
  const queries = o.provider.queries(plan, symbols);
  o.onQueries?.(0, queries.length);
  for (const [i, q] of queries.entries()) {
    if (signal.aborted) break;
    try {
      await runQuery(o, q, plan, sink, signal, out);
      o.onQueries?.(i + 1, queries.length);
    } catch (e) {
      if (!(e instanceof FetchError)) throw e;
      if (e.code === FetchErrorCode.aborted) break;
      const hint = e.code === FetchErrorCode.authFailed ? `: ${o.provider.refusalHint}` : '';
      throw new IngesterError(IngesterErrorCode.backfillFailed, scrub(o.provider, `backfill from ${o.provider.source}: ${e.message}${hint}`), { query: q.label, code: e.code, status: e.context.status }, { cause: e });
    }
  }
  return out;
}

async function runQuery(o: BarsFetcherOptions, q: BarsQuery, plan: BackfillPlan, sink: QuoteSink, signal: AbortSignal, out: FetchedBars): Promise<void> {
  const { provider, http, logger } = o;
  let url: string | undefined = q.url;
  for (let n = 0; url !== undefined; n++) {
    if (n === o.maxPagesPerQuery) throw new FetchError(FetchErrorCode.pageLimit, `${q.label}: more than ${o.maxPagesPerQuery} pages`, false);
    const body = await getJson(url, provider.headers, http, signal, (r) =>
      logger.info({ provider: provider.source, query: q.label, attempt: r.attempt, delayMs: r.delayMs, reason: scrub(provider, r.error.message) }, 'backfill: retrying a request'),
    );
    const decoded = q.decode(body);
    if (!decoded.ok) throw new FetchError(FetchErrorCode.badResponse, `${q.label}: ${decoded.message}`, false);
    out.pages += 1;
    const origin: DeadLetterOrigin = { provider: provider.source, frame: out.pages };
    for (const d of decoded.page.decoded) {
      if (d.kind === 'quote') {
        const item = barItem(d, q.resolution === 'day' ? RANK.day : RANK.minute, plan.cut);
        if (inPlan(item, q.resolution, plan)) out.items.push(item);
      } else if (d.kind === 'reject') {
        out.rejected += 1;
        await sink.reject(d.reason, d.message, origin, d.text, provider.source);
      }
    }
    if (out.items.length > o.maxBars) {
      throw new IngesterError(IngesterErrorCode.inputTooLarge, `backfill from ${provider.source}: more than ${o.maxBars} bars (INGESTER_BACKFILL_MAX_BARS); fewer minute sessions (INGESTER_BACKFILL_MINUTE_SESSIONS) or a shorter span need less`, { maxBars: o.maxBars });
    }
    o.onPage?.({ query: q.label, pages: out.pages, bars: out.items.length });
    url = decoded.page.next === undefined ? undefined : q.next(decoded.page.next);
  }
}

/** Bars the plan asked for: a provider may answer a wider range (a partial day in progress, whole days around a minute range). */
function inPlan(item: HistoryItem, resolution: BarsQuery['resolution'], plan: BackfillPlan): boolean {
  if (resolution === 'day') return plan.daily !== null && item.stamp > plan.daily.after && item.stamp <= plan.cut;
  return plan.minute !== null && item.stamp > plan.minute.from && item.stamp <= plan.minute.to;
}

export function scrub(provider: Pick<HistoryProvider, 'secrets'>, message: string): string {
  return scrubSecrets(provider.secrets, message);
}
