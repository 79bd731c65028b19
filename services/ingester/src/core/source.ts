import type { CorporateActionKind, DeadLetterOrigin, DeadLetterReason, PrintEligibility, TickSource } from '@rotation/schemas';

/**
 * A quote as a source decoded it, before validation and normalisation. Fields stay loosely
 * typed on purpose: validation (symbol aliasing, price > 0, timestamp parsing) happens once,
 * in the normaliser, for every source alike.
 */
export interface RawQuote {
  symbol: unknown;
  price: unknown;
  size?: unknown;
  /** RFC 3339 string (up to 9 fractional digits), epoch ms number, or a numeric string. */
  ts: unknown;
  /** Provider trade id, when the provider has one (duplicate suppression). */
  id?: unknown;
  /** The provider's sale conditions as strings, when it sends them. */
  conditions?: string[];
  /** What the conditions let the print update (print-eligibility.ts); absent: everything. */
  eligibility?: PrintEligibility;
}

/**
 * A cancel, a correction or a corporate action as a source decoded it. Like RawQuote, the
 * values are checked once, in the normaliser. `ts` of a cancel or correction is the original
 * print's event time; of a corporate action, when the source published it.
 */
export type RawEvent =
  | { type: 'cancel'; symbol: unknown; ts: unknown; id: unknown; price: unknown; size?: unknown; action?: 'cancel' | 'error' }
  | {
      type: 'correction';
      symbol: unknown;
      ts: unknown;
      id: unknown;
      price: unknown;
      size?: unknown;
      conditions?: string[];
      corrected: { id?: unknown; price: unknown; size?: unknown; conditions?: string[]; eligibility?: PrintEligibility };
    }
  | { type: 'corporate_action'; symbol: unknown; action: CorporateActionKind; exDate: unknown; ratio?: unknown; amount?: unknown; id?: unknown; ts: unknown };

/**
 * Why an input record was skipped without a dead letter: it carries nothing by design.
 * `null_row`: a Yahoo row of "null" (a holiday or a day without data);
 * `already_adjusted`: a corporate action the file's prices already include (a split in a
 * split-adjusted file), reported but not published, or it would be applied twice;
 * `backfilled`: a streamed print or amendment from before the hand-over of a backfill, which the
 * backfilled bars already hold.
 */
export type SkipReason = 'null_row' | 'already_adjusted' | 'backfilled';

/**
 * Where sources deliver what they read. Every source (file replay, synthetic, live provider)
 * talks to this and nothing else, so publishing, dead-lettering and backpressure are shared.
 * `quote` may return a promise: a source must await it before reading more (backpressure).
 */
export interface QuoteSink {
  /**
   * `rawText` is what a dead letter shows as the input; null when the source has no text of its
   * own (synthetic), and the quote itself is shown as JSON. Building it per tick only for the
   * rare dead letter cost the synthetic source a string and four number conversions per tick.
   */
  quote(raw: RawQuote, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void>;
  /** Input the source could not even decode into a RawQuote (bad JSON, wrong columns, ...). */
  reject(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin, rawText: string, source: TickSource): void | Promise<void>;
  /** A cancel, correction or corporate action: validated, then published beside the ticks. */
  event(raw: RawEvent, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void | Promise<void>;
  /** Input that carries nothing by design, counted per reason (no dead letter). */
  skip(reason: SkipReason, origin: DeadLetterOrigin): void;
}
