import type { DeadLetterOrigin, TickSource } from '@rotation/schemas';
import { IngesterError, IngesterErrorCode } from '../errors.js';
import { parseTimestamp } from '../timestamp.js';
import type { QuoteSink, RawEvent, RawQuote } from '../source.js';

type Held =
  | { kind: 'quote'; raw: RawQuote; origin: DeadLetterOrigin; rawText: string | null; source: TickSource }
  | { kind: 'event'; raw: RawEvent; origin: DeadLetterOrigin; rawText: string | null; source: TickSource };

/**
 * The stream's side of a hand-over. While the history is fetched the stream is already
 * subscribed, and what it delivers is held here in arrival order; `open(cut)` then lets it
 * through behind the backfilled bars. A print (or a cancel or correction of one) from before
 * `cut` is inside a backfilled minute bar, which already holds it: it is counted as `backfilled`
 * and not published, so nothing is counted twice. From `cut` on, the stream alone has the
 * trades. Corporate actions and rejections are not history and always pass.
 */
export class HandOver implements QuoteSink {
  readonly #target: QuoteSink;
  readonly #max: number;
  #held: Held[] | null = [];
  #cut = -Infinity;
  /** Stream records dropped because the backfill holds them. */
  covered = 0;

  constructor(target: QuoteSink, maxHeld: number) {
    this.#target = target;
    this.#max = maxHeld;
  }

  get holding(): number {
    return this.#held?.length ?? 0;
  }

  quote(raw: RawQuote, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void> {
    if (this.#held) return this.#hold({ kind: 'quote', raw, origin, rawText, source });
    if (this.#covers(raw.ts)) return this.#cover(origin);
    return this.#target.quote(raw, origin, rawText, source);
  }

  event(raw: RawEvent, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void> {
    if (this.#held) return this.#hold({ kind: 'event', raw, origin, rawText, source });
    if (raw.type !== 'corporate_action' && this.#covers(raw.ts)) return this.#cover(origin);
    return this.#target.event(raw, origin, rawText, source);
  }

  reject(...args: Parameters<QuoteSink['reject']>): void | Promise<void> {
    return this.#target.reject(...args);
  }

  skip(...args: Parameters<QuoteSink['skip']>): void {
    this.#target.skip(...args);
  }

  /** Releases what was held, in order, behind `cut`; from then on records pass straight through, `cut` still applied. */
  async open(cut: number): Promise<void> {
    this.#cut = cut;
    // Records that arrive while the held ones drain queue behind them, in order.
    while (this.#held && this.#held.length > 0) {
      const batch = this.#held;
      this.#held = [];
      for (const h of batch) await (h.kind === 'quote' ? this.#quoteNow(h) : this.#eventNow(h));
    }
    this.#held = null;
  }

  #quoteNow(h: Extract<Held, { kind: 'quote' }>): void | Promise<void> {
    if (this.#covers(h.raw.ts)) return this.#cover(h.origin);
    return this.#target.quote(h.raw, h.origin, h.rawText, h.source);
  }

  #eventNow(h: Extract<Held, { kind: 'event' }>): void | Promise<void> {
    if (h.raw.type !== 'corporate_action' && this.#covers(h.raw.ts)) return this.#cover(h.origin);
    return this.#target.event(h.raw, h.origin, h.rawText, h.source);
  }

  #hold(h: Held): void {
    if (this.#held!.length >= this.#max) {
      throw new IngesterError(
        IngesterErrorCode.inputTooLarge,
        `${this.#max} streamed records arrived while the history was being fetched (INGESTER_BACKFILL_BUFFER_MAX); raise it, or start with INGESTER_BACKFILL=false`,
        { held: this.#max },
      );
    }
    this.#held!.push(h);
  }

  /** True for a time before the cut; an unreadable time goes on, for the normaliser to reject. */
  #covers(ts: unknown): boolean {
    const t = parseTimestamp(ts);
    return t.ok && t.ts < this.#cut;
  }

  #cover(origin: DeadLetterOrigin): void {
    this.covered += 1;
    this.#target.skip('backfilled', origin);
  }
}
