/**
 * Pages through a provider's corporate-action queries and hands every action to the sink:
 * `sink.event()` for each decoded action (the normaliser validates and de-duplicates), a
 * `parse_error` dead letter for each entry the decoder could not read. Bounded: pages per query,
 * bytes per page, a timeout per request. A failed query is reported and the next one runs; a
 * rejected key ends the round (every query would fail the same way).
 */
import type { Logger } from '@rotation/log';
import type { DeadLetterOrigin } from '@rotation/schemas';
import type { ActionWindow } from '../../core/corporate-actions/window.js';
import { FetchError, FetchErrorCode } from '../../core/errors.js';
import type { QuoteSink } from '../../core/source.js';
import { getJson, scrubSecrets, type HttpSettings } from '../rest-http.js';
import type { ActionsProvider, ActionsQuery } from './query.js';

export interface FetcherOptions {
  provider: ActionsProvider;
  http: HttpSettings;
  logger: Logger;
  /** Each page's fetch time becomes its actions' `ts`. */
  now: () => number;
  /** Pages per query; a query with more ends with FETCH_PAGE_LIMIT after publishing what it read. */
  maxPages: number;
}

export interface FetchFailure {
  query: string;
  code: FetchErrorCode;
  message: string;
}

export interface FetchReport {
  window: ActionWindow;
  queries: number;
  pages: number;
  /** Handed to sink.event(); the publisher's counters say how many were new. */
  actions: number;
  /** Entries dead-lettered as parse_error. */
  rejected: number;
  failures: FetchFailure[];
}

export class CorporateActionsFetcher {
  readonly #options: FetcherOptions;
  /** Pages fetched by this fetcher: a dead letter's `frame`, to find the page in the logs. */
  #pageSeq = 0;

  constructor(options: FetcherOptions) {
    this.#options = options;
  }

  get source(): ActionsProvider['source'] {
    return this.#options.provider.source;
  }

  /** Never rejects on a provider failure (that is in the report); only if the sink throws. */
  async fetch(sink: QuoteSink, window: ActionWindow, signal: AbortSignal): Promise<FetchReport> {
    const queries = this.#options.provider.queries(window);
    const report: FetchReport = { window, queries: queries.length, pages: 0, actions: 0, rejected: 0, failures: [] };
    for (const query of queries) {
      if (signal.aborted) break;
      try {
        await this.#runQuery(query, sink, report, signal);
      } catch (e) {
        if (!(e instanceof FetchError)) throw e;
        if (e.code === FetchErrorCode.aborted) break;
        report.failures.push({ query: query.label, code: e.code, message: this.scrub(e.code === FetchErrorCode.authFailed ? `${e.message}: ${this.#options.provider.credentialHint}` : e.message) });
        if (e.code === FetchErrorCode.authFailed) break;
      }
    }
    return report;
  }

  /** Removes every credential from a message before it can reach a log line. */
  scrub(message: string): string {
    return scrubSecrets(this.#options.provider.secrets, message);
  }

  async #runQuery(query: ActionsQuery, sink: QuoteSink, report: FetchReport, signal: AbortSignal): Promise<void> {
    const { provider, http, logger, now, maxPages } = this.#options;
    let url: string | undefined = query.url;
    for (let n = 0; url !== undefined; n++) {
      if (n === maxPages) throw new FetchError(FetchErrorCode.pageLimit, `${query.label}: more than ${maxPages} pages; the rest is not fetched`, false);
      const body = await getJson(url, provider.headers, http, signal, (r) =>
        logger.info({ provider: provider.source, query: query.label, attempt: r.attempt, delayMs: r.delayMs, reason: this.scrub(r.error.message) }, 'corporate actions: retrying a request'),
      );
      const decoded = query.decode(body, now());
      if (!decoded.ok) throw new FetchError(FetchErrorCode.badResponse, `${query.label}: ${decoded.message}`, false);
      report.pages += 1;
      const origin: DeadLetterOrigin = { provider: provider.source, frame: this.#pageSeq++ };
      for (const a of decoded.page.actions) {
        report.actions += 1;
        await sink.event(a.raw, origin, a.text, provider.source);
      }
      for (const p of decoded.page.problems) {
        report.rejected += 1;
        await sink.reject('parse_error', p.message, origin, p.text, provider.source);
      }
      url = decoded.page.next === undefined ? undefined : query.next(decoded.page.next);
    }
  }
}
