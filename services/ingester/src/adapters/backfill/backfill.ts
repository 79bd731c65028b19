/**
 * One backfill: corporate actions for the span (so the history lands on one price basis), then
 * the bars, then everything published in event-time order through the sink every source uses.
 * Records the topic already has (`endOf`, from its tail) are not published again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExchangeCalendar } from '@rotation/calendar';
import type { HistoryNeed } from '@rotation/config';
import type { Logger } from '@rotation/log';
import type { DeadLetterOrigin } from '@rotation/schemas';
import { actionItem, selectHistory, type HistoryItem } from '../../core/backfill/history.js';
import type { BackfillPlan } from '../../core/backfill/plan.js';
import { RequestRateLimiter } from '../../core/backfill/rate-limit.js';
import { FetchError, FetchErrorCode } from '../../core/errors.js';
import type { QuoteSink } from '../../core/source.js';
import type { CorporateActionsFetcher } from '../corporate-actions/fetcher.js';
import type { HttpSettings } from '../rest-http.js';
import { fetchBars, scrub } from './bars-fetcher.js';
import type { HistoryProvider } from './providers.js';

export interface BackfillDeps {
  provider: HistoryProvider;
  http: HttpSettings;
  calendar: ExchangeCalendar;
  symbols: readonly string[];
  logger: Logger;
  maxBars: number;
  maxPagesPerQuery: number;
  /** Corporate actions of the span; absent: none fetched (a provider without the endpoint). */
  actions?: Pick<CorporateActionsFetcher, 'fetch'>;
  /** History queries finished of the total (a progress bar). */
  onQueries?: (done: number, total: number) => void;
}

/** Everything a backfill runs with, built once from the environment (index.ts). */
export interface BackfillSetup {
  deps: BackfillDeps;
  requests: () => number;
  calendar: ExchangeCalendar;
  need: HistoryNeed;
  minuteSessions: number;
  /** How far the feed's event time runs behind the clock (delayed feeds: 15 minutes). */
  feedDelayMs: number;
  settleMs: number;
  bufferMax: number;
}

export interface BackfillReport {
  /** HTTP requests sent, retries included. */
  requests: number;
  pages: number;
  /** Bars fetched inside the plan. */
  bars: number;
  actions: number;
  /** Bars and actions handed to the sink (the rest the topic already had). */
  published: number;
  durationMs: number;
}

/** A rate limiter's turn before every request, and the count of requests sent. */
export function rateLimited(http: HttpSettings, perMinute: number, logger: Logger, now: () => number = Date.now): { http: HttpSettings; requests: () => number } {
  const limiter = new RequestRateLimiter(perMinute);
  let requests = 0;
  const beforeAttempt = async (signal: AbortSignal) => {
    for (let d = limiter.delay(now()); d > 0; d = limiter.delay(now())) {
      if (d >= 1_000) logger.info({ waitMs: d, perMinute }, 'backfill: waiting for the provider rate limit');
      await sleep(d, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw new FetchError(FetchErrorCode.aborted, 'backfill stopped', false);
    }
    limiter.take(now());
    requests += 1;
  };
  return { http: { ...http, beforeAttempt }, requests: () => requests };
}

/** Collects the actions a fetcher hands to its sink as history items; rejections go on to `sink`. */
function actionCollector(sink: QuoteSink, calendar: ExchangeCalendar, items: HistoryItem[], origin: DeadLetterOrigin): QuoteSink {
  return {
    quote: (...a) => sink.quote(...a),
    reject: (...a) => sink.reject(...a),
    skip: (...a) => sink.skip(...a),
    event: (raw, o, text, source) => {
      const item = raw.type === 'corporate_action' ? actionItem(raw, text ?? JSON.stringify(raw), calendar) : undefined;
      if (item) items.push(item);
      // What the calendar cannot place goes on as it is, for the normaliser to judge.
      else return sink.event(raw, o ?? origin, text, source);
    },
  };
}

export async function runBackfill(d: BackfillDeps, plan: BackfillPlan, sink: QuoteSink, endOf: (symbol: string) => number, signal: AbortSignal, requests: () => number): Promise<BackfillReport> {
  const started = Date.now();
  const { provider, logger } = d;
  const actionItems: HistoryItem[] = [];
  if (d.actions && plan.actions) {
    const report = await d.actions.fetch(actionCollector(sink, d.calendar, actionItems, { provider: provider.source }), { start: plan.actions.from, end: plan.actions.to }, signal);
    for (const f of report.failures) logger.warn({ provider: provider.source, query: f.query, reason: scrub(provider, f.message) }, 'backfill: corporate actions not fetched; a split inside the history will be held by the split guard until its action arrives');
  }
  const bars = await fetchBars(
    {
      provider,
      http: d.http,
      logger,
      maxBars: d.maxBars,
      maxPagesPerQuery: d.maxPagesPerQuery,
      onPage: (p) => logger.debug({ provider: provider.source, ...p }, 'backfill: page'),
      ...(d.onQueries ? { onQueries: d.onQueries } : {}),
    },
    plan,
    d.symbols,
    sink,
    signal,
  );
  const selected = selectHistory([...bars.items, ...actionItems], plan.cut, endOf);
  const origin: DeadLetterOrigin = { provider: provider.source };
  for (const item of selected) {
    if (signal.aborted) break;
    const r = item.record;
    await (r.kind === 'quote' ? sink.quote(r.raw, origin, r.text, provider.source) : sink.event(r.raw, origin, r.text, provider.source));
  }
  return { requests: requests(), pages: bars.pages, bars: bars.items.length, actions: actionItems.length, published: selected.length, durationMs: Date.now() - started };
}
