import type { DeadLetterOrigin, DeadLetterReason, TickSource } from '@rotation/schemas';

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
}

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
}
