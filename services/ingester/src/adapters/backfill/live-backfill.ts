/**
 * A live feed that starts with its history: the stream subscribes first and is held, the
 * history up to the hand-over minute is fetched and published in event-time order, then the
 * stream goes on from that minute. The cut is the first whole minute at or after the
 * subscription (in the feed's event time: a delayed feed is 15 minutes behind): every trade from
 * it on comes through the stream, every trade before it is inside a fetched minute bar. The
 * minute bars around the cut are asked for once that minute has ended and settled. While the
 * history goes out the watermarks follow it instead of the clock.
 */
import type { Logger } from '@rotation/log';
import { setTimeout as sleep } from 'node:timers/promises';
import { HandOver } from '../../core/backfill/hand-over.js';
import { planBackfill, type BackfillPlan } from '../../core/backfill/plan.js';
import type { IngestSource, SourceControl } from '../../core/ingest-source.js';
import { IngesterError } from '../../core/errors.js';
import type { QuoteSink } from '../../core/source.js';
import type { LiveSource } from '../live/connection.js';
import { runBackfill, type BackfillReport, type BackfillSetup } from './backfill.js';
import type { EndOf } from './resume-points.js';

const MINUTE_MS = 60_000;

export interface LiveBackfillOptions extends BackfillSetup {
  name: string;
  live: LiveSource;
  /** Where the ticks topic's history ends, per symbol. */
  topicEnds: () => Promise<EndOf>;
  /** Runs beside the stream once the history is out (corporate actions refresher). */
  beside?: (sink: QuoteSink, stream: Promise<void>) => Promise<void>;
  logger: Logger;
  now?: () => number;
  /** Longest wait for the stream's subscription before the history is fetched anyway. */
  subscribeWaitMs?: number;
}

export class LiveBackfillSource implements IngestSource {
  readonly name: string;
  readonly live = true;
  readonly #o: LiveBackfillOptions;
  readonly #abort = new AbortController();
  #delivered = 0;
  #report: BackfillReport | undefined;

  constructor(o: LiveBackfillOptions) {
    this.#o = o;
    this.name = o.name;
  }

  async run(sink: QuoteSink, control: SourceControl): Promise<void> {
    const o = this.#o;
    const now = o.now ?? Date.now;
    const hand = new HandOver(counting(sink, () => (this.#delivered += 1)), o.bufferMax);
    let subscribedAt: number | undefined;
    let onSubscribed!: () => void;
    const subscribed = new Promise<void>((resolve) => (onSubscribed = resolve));
    const stream = o.live.start(hand, {
      subscribed: () => {
        subscribedAt ??= now();
        onSubscribed();
      },
    });
    control.holdWatermarks(true);
    try {
      const ended = stream.then(() => 'ended' as const);
      const first = await Promise.race([subscribed.then(() => 'subscribed' as const), ended, sleep(o.subscribeWaitMs ?? 30_000, 'timeout' as const, { ref: false })]);
      if (first === 'ended') return;
      if (first === 'timeout') o.logger.warn({ waitedMs: o.subscribeWaitMs ?? 30_000 }, 'backfill: the stream has not subscribed yet; fetching history up to now');
      const cut = Math.ceil(((subscribedAt ?? now()) - o.feedDelayMs) / MINUTE_MS) * MINUTE_MS;
      await this.#backfill(sink, cut, now);
      await hand.open(cut);
      o.logger.info({ cut: new Date(cut).toISOString(), held: hand.covered, report: this.#report }, `backfill: streaming from ${new Date(cut).toISOString()}`);
    } catch (e) {
      await o.live.stop();
      throw e;
    } finally {
      control.holdWatermarks(false);
    }
    await (o.beside ? o.beside(sink, stream) : stream);
  }

  /** History up to `cut`: what is complete now, then, once it has settled, the minute around the cut. */
  async #backfill(sink: QuoteSink, cut: number, now: () => number): Promise<void> {
    const o = this.#o;
    const endOf = await o.topicEnds();
    const after = Math.min(...o.deps.symbols.map(endOf));
    const settled = Math.min(cut, Math.floor((now() - o.feedDelayMs - o.settleMs) / MINUTE_MS) * MINUTE_MS);
    const base = { calendar: o.calendar, need: o.need, minuteSessions: o.minuteSessions };
    const plan = planBackfill({ ...base, cut: settled, ...(Number.isFinite(after) ? { after } : {}) });
    o.logger.info({ provider: o.name, plan: describe(plan), resumeAfter: Number.isFinite(after) ? new Date(after).toISOString() : null, drivenBy: o.need.drivenBy }, 'backfill: fetching history before the stream');
    try {
      const first = await runBackfill(o.deps, plan, sink, endOf, this.#abort.signal, o.requests);
      this.#report = first;
      if (settled < cut && this.#trading(settled, cut)) {
        const wait = cut + o.feedDelayMs + o.settleMs - now();
        if (wait > 0) await sleep(wait, undefined, { signal: this.#abort.signal }).catch(() => undefined);
        const last = planBackfill({ ...base, cut, after: Math.max(settled, after) });
        const second = await runBackfill(o.deps, last, sink, endOf, this.#abort.signal, o.requests);
        this.#report = { ...second, bars: first.bars + second.bars, pages: first.pages + second.pages, actions: first.actions + second.actions, published: first.published + second.published, durationMs: first.durationMs + second.durationMs };
      }
    } catch (e) {
      // Nothing of a failed fetch was published (history goes out only once complete): the stream goes on without it.
      if (!(e instanceof IngesterError) || this.#abort.signal.aborted) throw e;
      o.logger.error({ code: e.code, context: e.context }, `${e.message}; streaming without history`);
    }
  }

  /** Whether anything can trade between `from` and `to` (pre-market to post-market of a session). */
  #trading(from: number, to: number): boolean {
    const s = this.#o.calendar.sessionContaining(to) ?? this.#o.calendar.sessionContaining(from + 1);
    return s !== null;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#o.live.stop();
  }

  progress(): { done: number; total: number | undefined } {
    return { done: this.#delivered, total: undefined };
  }

  summary(): Record<string, unknown> {
    return this.#report ? { backfill: this.#report } : {};
  }
}

function counting(sink: QuoteSink, count: () => void): QuoteSink {
  return {
    quote: (...a) => (count(), sink.quote(...a)),
    reject: (...a) => (count(), sink.reject(...a)),
    event: (...a) => (count(), sink.event(...a)),
    skip: (...a) => sink.skip(...a),
  };
}

export function describe(p: BackfillPlan): Record<string, unknown> {
  return {
    cut: new Date(p.cut).toISOString(),
    daily: p.daily ? `${p.daily.from}..${p.daily.to}` : null,
    minute: p.minute ? `${new Date(p.minute.from).toISOString()}..${new Date(p.minute.to).toISOString()}` : null,
    actions: p.actions ? `${p.actions.from}..${p.actions.to}` : null,
  };
}
