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
import { counting } from '../../core/counting-sink.js';
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
  readonly #options: LiveBackfillOptions;
  readonly #abort = new AbortController();
  readonly #now: () => number;
  #delivered = 0;
  #report: BackfillReport | undefined;
  /** Hand-overs in order: the start's, then one per reconnect. */
  #chain: Promise<void> = Promise.resolve();
  #disconnects = 0;
  #gaps = 0;

  constructor(o: LiveBackfillOptions) {
    this.#options = o;
    this.name = o.name;
    this.#now = o.now ?? Date.now;
  }

  async run(sink: QuoteSink, control: SourceControl): Promise<void> {
    const o = this.#options;
    const hand = new HandOver(counting(sink, () => (this.#delivered += 1)), o.bufferMax);
    let subscribedAt: number | undefined;
    let gapFrom = -Infinity;
    let onSubscribed!: () => void;
    const subscribed = new Promise<void>((resolve) => (onSubscribed = resolve));
    let startDone!: () => void;
    this.#chain = new Promise<void>((resolve) => (startDone = resolve));
    const stream = o.live.start(hand, {
      subscribed: () => {
        if (subscribedAt === undefined) {
          subscribedAt = this.#now();
          onSubscribed();
          return;
        }
        const at = this.#now();
        const from = gapFrom;
        this.#chain = this.#chain.then(() => this.#fillGap(sink, control, hand, from, at));
      },
      disconnected: () => {
        // What the stream misses until it is back is fetched before it goes on (fillGap); the
        // gap starts at the newest print it had delivered.
        this.#disconnects += 1;
        gapFrom = Math.max(hand.newest, hand.cut);
        hand.hold();
        control.holdWatermarks(true);
      },
    });
    control.holdWatermarks(true);
    try {
      const ended = stream.then(() => 'ended' as const);
      const first = await Promise.race([subscribed.then(() => 'subscribed' as const), ended, sleep(o.subscribeWaitMs ?? 30_000, 'timeout' as const, { ref: false })]);
      if (first === 'ended') return;
      if (first === 'timeout') o.logger.warn({ waitedMs: o.subscribeWaitMs ?? 30_000 }, 'backfill: the stream has not subscribed yet; fetching history up to now');
      const cut = this.#cutAt(subscribedAt ?? this.#now());
      const seen = this.#disconnects;
      this.#report = await this.#backfill(sink, cut, await o.topicEnds(), 'before the stream');
      await hand.open(cut);
      if (this.#disconnects === seen) control.holdWatermarks(false);
      o.logger.info({ cut: new Date(cut).toISOString(), held: hand.covered, report: this.#report }, `backfill: streaming from ${new Date(cut).toISOString()}`);
    } catch (e) {
      control.holdWatermarks(false);
      await o.live.stop();
      throw e;
    } finally {
      startDone();
    }
    await (o.beside ? o.beside(sink, stream) : stream);
    await this.#chain;
  }

  /** The first whole minute at or after a subscription, in the feed's event time. */
  #cutAt(subscribedAt: number): number {
    return Math.ceil((subscribedAt - this.#options.feedDelayMs) / MINUTE_MS) * MINUTE_MS;
  }

  /**
   * A reconnect: the minute bars from the newest print the stream had delivered before the
   * disconnect (`from`) to the new connection's cut, then that connection's trades, held
   * meanwhile in their own segment. What came before the disconnect is out already, or goes
   * first with the open() ahead of this one.
   */
  async #fillGap(sink: QuoteSink, control: SourceControl, hand: HandOver, from: number, subscribedAt: number): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const o = this.#options;
    const seen = this.#disconnects;
    const cut = this.#cutAt(subscribedAt);
    this.#gaps += 1;
    if (Number.isFinite(from) && from < cut) {
      const report = await this.#backfill(sink, cut, () => from, 'after a reconnect');
      o.logger.info({ gapFrom: new Date(from).toISOString(), cut: new Date(cut).toISOString(), report }, `backfill: gap filled, streaming from ${new Date(cut).toISOString()}`);
    }
    await hand.open(cut);
    if (this.#disconnects === seen && !hand.held) control.holdWatermarks(false);
  }

  /** History up to `cut`: what is complete now, then, once it has settled, the minute around the cut. */
  async #backfill(sink: QuoteSink, cut: number, endOf: EndOf, why: string): Promise<BackfillReport | undefined> {
    const o = this.#options;
    const after = Math.min(...o.deps.symbols.map(endOf));
    const settled = Math.min(cut, Math.floor((this.#now() - o.feedDelayMs - o.settleMs) / MINUTE_MS) * MINUTE_MS);
    const base = { calendar: o.calendar, need: o.need, minuteSessions: o.minuteSessions };
    const plan = planBackfill({ ...base, cut: settled, ...(Number.isFinite(after) ? { after } : {}) });
    o.logger.info({ provider: o.name, plan: describe(plan), resumeAfter: Number.isFinite(after) ? new Date(after).toISOString() : null, drivenBy: o.need.drivenBy }, `backfill: fetching history ${why}`);
    try {
      const first = await runBackfill(o.deps, plan, sink, endOf, this.#abort.signal, o.requests);
      if (settled >= cut || !this.#trading(settled, cut)) return first;
      const wait = cut + o.feedDelayMs + o.settleMs - this.#now();
      if (wait > 0) await sleep(wait, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      const last = planBackfill({ ...base, cut, after: Math.max(settled, after) });
      const second = await runBackfill(o.deps, last, sink, endOf, this.#abort.signal, o.requests);
      return { ...second, bars: first.bars + second.bars, pages: first.pages + second.pages, actions: first.actions + second.actions, published: first.published + second.published, durationMs: first.durationMs + second.durationMs };
    } catch (e) {
      // Nothing of a failed fetch was published (history goes out only once complete): the stream goes on without it.
      if (!(e instanceof IngesterError) || this.#abort.signal.aborted) throw e;
      o.logger.error({ code: e.code, context: e.context }, `${e.message}; streaming without history`);
      return undefined;
    }
  }

  /** Whether anything can trade between `from` and `to` (pre-market to post-market of a session). */
  #trading(from: number, to: number): boolean {
    const s = this.#options.calendar.sessionContaining(to) ?? this.#options.calendar.sessionContaining(from + 1);
    return s !== null;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#options.live.stop();
  }

  progress(): { done: number; total: number | undefined } {
    return { done: this.#delivered, total: undefined };
  }

  feed(): ReturnType<LiveSource['status']> {
    return this.#options.live.status();
  }

  summary(): Record<string, unknown> {
    return { ...(this.#report ? { backfill: this.#report } : {}), ...(this.#gaps > 0 ? { gapsFilled: this.#gaps } : {}) };
  }
}

export function describe(p: BackfillPlan): Record<string, unknown> {
  return {
    cut: new Date(p.cut).toISOString(),
    daily: p.daily ? `${p.daily.from}..${p.daily.to}` : null,
    minute: p.minute ? `${new Date(p.minute.from).toISOString()}..${new Date(p.minute.to).toISOString()}` : null,
    actions: p.actions ? `${p.actions.from}..${p.actions.to}` : null,
  };
}
