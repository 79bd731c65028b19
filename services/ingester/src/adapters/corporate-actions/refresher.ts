/**
 * Corporate actions beside a live stream: fetched once at start, then every `refreshMs`, so an
 * action announced while the feed runs is still published before its ex-date. The stream's first
 * record waits for the start-up fetch at most `waitMs`: actions that arrive by then are on each
 * symbol's partition ahead of its first trade; a slow API delays nothing for longer. A failed
 * fetch is a warning with its reason and never ends the feed.
 */
import type { Logger } from '@rotation/log';
import { actionWindow } from '../../core/corporate-actions/window.js';
import type { QuoteSink } from '../../core/source.js';
import type { CorporateActionsFetcher, FetchReport } from './fetcher.js';

export interface RefresherOptions {
  fetcher: Pick<CorporateActionsFetcher, 'fetch' | 'scrub' | 'source'>;
  logger: Logger;
  now: () => number;
  lookbackDays: number;
  lookaheadDays: number;
  /** 0: fetch at start only. */
  refreshMs: number;
  waitMs: number;
  /** Every finished round, failed or not (tests, metrics). */
  onRound?: (outcome: { report?: FetchReport; error?: string }) => void;
}

export class CorporateActionsRefresher {
  readonly #options: RefresherOptions;
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RefresherOptions) {
    this.#options = options;
  }

  /**
   * Runs `stream` with a sink that holds its records until the first fetch is done or `waitMs`
   * passed, fetching actions into `sink` meanwhile and on every refresh; stops refreshing (and
   * waits for a fetch in progress) when the stream ends.
   */
  async around(sink: QuoteSink, stream: (sink: QuoteSink) => Promise<void>): Promise<void> {
    const first = this.#round(sink);
    const gate = this.#bounded(first);
    void first.then(() => {
      if (this.#stopped || this.#options.refreshMs === 0) return;
      this.#timer = setInterval(() => {
        if (!this.#inFlight) void this.#round(sink);
      }, this.#options.refreshMs);
      // A refresh must never keep a stopping process alive.
      this.#timer.unref();
    });
    try {
      await stream(heldUntil(sink, gate));
    } finally {
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#inFlight;
  }

  #bounded(first: Promise<void>): Promise<void> {
    if (this.#options.waitMs === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#options.logger.warn({ provider: this.#options.fetcher.source, waitMs: this.#options.waitMs }, 'corporate actions: not fetched in time; the stream goes on and they are published when they arrive');
        resolve();
      }, this.#options.waitMs);
      void first.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #round(sink: QuoteSink): Promise<void> {
    const { fetcher, logger, now, lookbackDays, lookaheadDays, onRound } = this.#options;
    const provider = fetcher.source;
    const window = actionWindow(now(), lookbackDays, lookaheadDays);
    const run = fetcher.fetch(sink, window, this.#abort.signal).then(
      (report) => {
        if (this.#abort.signal.aborted) {
          logger.info({ provider, pages: report.pages, actions: report.actions }, 'corporate actions: fetch stopped with the stream');
          return;
        }
        for (const f of report.failures) logger.warn({ provider, query: f.query, code: f.code, reason: f.message }, 'corporate actions: fetch failed; trying again at the next refresh');
        const { failures, ...counts } = report;
        logger.info({ provider, ...counts, failed: failures.length }, 'corporate actions fetched');
        onRound?.({ report });
      },
      (e: unknown) => {
        // The sink failed (a publisher that cannot publish): the stream will meet it too.
        const error = fetcher.scrub(e instanceof Error ? e.message : String(e));
        logger.warn({ provider, reason: error }, 'corporate actions: round failed');
        onRound?.({ error });
      },
    );
    this.#inFlight = run.finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }
}

/** A sink whose records wait for `gate` until it has opened, then pass straight through. */
export function heldUntil(sink: QuoteSink, gate: Promise<void>): QuoteSink {
  let open = false;
  void gate.then(() => {
    open = true;
  });
  // Sources await what each call returns, so held records keep their order.
  const hold =
    <A extends unknown[]>(f: (...args: A) => void | Promise<void>) =>
    (...args: A): void | Promise<void> =>
      open ? f(...args) : gate.then(() => f(...args));
  return {
    quote: hold((...a: Parameters<QuoteSink['quote']>) => sink.quote(...a)),
    reject: hold((...a: Parameters<QuoteSink['reject']>) => sink.reject(...a)),
    event: hold((...a: Parameters<QuoteSink['event']>) => sink.event(...a)),
    skip: (...a) => sink.skip(...a),
  };
}
