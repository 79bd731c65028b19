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
 *
 * A reconnect holds again (`hold()`): what the stream delivered before the disconnect stays in
 * its own segment, ahead of the gap's bars, and each `open()` releases one segment, so the
 * order is old trades, the gap's bars, new trades.
 */
export class HandOver implements QuoteSink {
  readonly #target: QuoteSink;
  readonly #max: number;
  #segments: Held[][] | null = [[]];
  #heldCount = 0;
  #cut = -Infinity;
  #newest = -Infinity;
  /** Stream records dropped because the backfill holds them. */
  covered = 0;

  constructor(target: QuoteSink, maxHeld: number) {
    this.#target = target;
    this.#max = maxHeld;
  }

  /** Records held, in every segment. */
  get holding(): number {
    return this.#heldCount;
  }

  /** True while a segment waits for an open(), even an empty one. */
  get held(): boolean {
    return this.#segments !== null;
  }

  /** The newest print time the stream has delivered, held or passed (-Infinity before the first): where a gap starts. */
  get newest(): number {
    return this.#newest;
  }

  /** The cut in force: the latest opened. */
  get cut(): number {
    return this.#cut;
  }

  /** Holds what comes from now on in a segment of its own, released by the next open() but one. */
  hold(): void {
    if (this.#segments) this.#segments.push([]);
    else this.#segments = [[]];
  }

  quote(raw: RawQuote, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void> {
    const t = parseTimestamp(raw.ts);
    if (t.ok && t.ts > this.#newest) this.#newest = t.ts;
    if (this.#segments) return this.#hold({ kind: 'quote', raw, origin, rawText, source });
    return this.#quoteNow({ kind: 'quote', raw, origin, rawText, source });
  }

  event(raw: RawEvent, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void> {
    if (this.#segments) return this.#hold({ kind: 'event', raw, origin, rawText, source });
    return this.#eventNow({ kind: 'event', raw, origin, rawText, source });
  }

  reject(...args: Parameters<QuoteSink['reject']>): void | Promise<void> {
    return this.#target.reject(...args);
  }

  skip(...args: Parameters<QuoteSink['skip']>): void {
    this.#target.skip(...args);
  }

  /** Releases the oldest held segment, in order, behind `cut`; with none left, records pass straight through, the cut still applied. */
  async open(cut: number): Promise<void> {
    this.#cut = Math.max(this.#cut, cut);
    const segments = this.#segments;
    if (!segments) return;
    const first = segments[0]!;
    // Records that arrive while it drains queue behind, in order (in this segment when it is the last).
    while (first.length > 0) {
      const batch = first.splice(0);
      this.#heldCount -= batch.length;
      for (const h of batch) await (h.kind === 'quote' ? this.#quoteNow(h) : this.#eventNow(h));
    }
    segments.shift();
    if (segments.length === 0) this.#segments = null;
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
    if (this.#heldCount >= this.#max) {
      throw new IngesterError(
        IngesterErrorCode.inputTooLarge,
        `${this.#max} streamed records arrived while the history was being fetched (INGESTER_BACKFILL_BUFFER_MAX); raise it, or start with INGESTER_BACKFILL=false`,
        { held: this.#max },
      );
    }
    this.#heldCount += 1;
    this.#segments!.at(-1)!.push(h);
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
