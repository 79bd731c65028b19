/**
 * `ingest backfill`: a provider's history for a span, alone, as a finite source (its end is a
 * final watermark, so the detector evaluates through the last bar). What the ticks topic
 * already holds is not fetched again: the same command run twice publishes once.
 */
import type { ExchangeCalendar } from '@rotation/calendar';
import type { Logger } from '@rotation/log';
import { planBackfill } from '../../core/backfill/plan.js';
import type { IngestSource } from '../../core/ingest-source.js';
import type { QuoteSink } from '../../core/source.js';
import { runBackfill, type BackfillReport, type BackfillSetup } from './backfill.js';
import { describe } from './live-backfill.js';
import type { EndOf } from './resume-points.js';

export interface HistorySourceOptions extends Omit<BackfillSetup, 'bufferMax'> {
  name: string;
  from: string;
  /** Last New York date of the span, inclusive; default: up to now. */
  to?: string;
  topicEnds: () => Promise<EndOf>;
  logger: Logger;
  now?: () => number;
}

export class HistorySource implements IngestSource {
  readonly name: string;
  readonly #options: HistorySourceOptions;
  readonly #abort = new AbortController();
  #report: BackfillReport | undefined;
  #queries = { done: 0, total: undefined as number | undefined };

  constructor(o: HistorySourceOptions) {
    this.#options = o;
    this.name = o.name;
  }

  async run(sink: QuoteSink): Promise<void> {
    const o = this.#options;
    const now = (o.now ?? Date.now)();
    const settled = Math.floor((now - o.feedDelayMs - o.settleMs) / 60_000) * 60_000;
    // The span ends after the --to date's post-market, or now when that is later than now.
    const toEnd = o.to === undefined ? settled : Math.min(settled, endOfDate(o.calendar, o.to));
    const endOf = await o.topicEnds();
    const after = Math.min(...o.deps.symbols.map(endOf));
    const plan = planBackfill({ calendar: o.calendar, need: o.need, minuteSessions: o.minuteSessions, cut: toEnd, fromDate: o.from, ...(Number.isFinite(after) ? { after } : {}) });
    o.logger.info({ provider: o.name, plan: describe(plan), resumeAfter: Number.isFinite(after) ? new Date(after).toISOString() : null }, 'backfill: fetching history');
    const deps = { ...o.deps, onQueries: (done: number, total: number) => (this.#queries = { done, total }) };
    this.#report = await runBackfill(deps, plan, sink, endOf, this.#abort.signal, o.requests);
  }

  stop(): void {
    this.#abort.abort();
  }

  /** History queries done of the plan's (the bar on a terminal); pages within a query are not known ahead. */
  progress(): { done: number; total: number | undefined } {
    return this.#queries;
  }

  summary(): Record<string, unknown> {
    return this.#report ? { backfill: this.#report } : {};
  }
}

/** The end of a date's session (post-market), or that date's end in New York terms when it has none. */
function endOfDate(cal: ExchangeCalendar, date: string): number {
  const s = cal.sessionOn(date);
  if (s) return s.postClose;
  const next = cal.nextCloseAfter(Date.parse(`${date}T00:00:00Z`) + 86_400_000);
  return next ? next.preOpen : Date.parse(`${date}T23:59:59Z`);
}
