import { z } from 'zod';
import { EpochMs } from './primitives.js';
import { TickSource } from './tick.js';

/** Why a record was dead-lettered. A closed list so consumers of the DLQ can switch on it. */
export const DeadLetterReason = z.enum([
  'parse_error', // not decodable at all (bad JSON, wrong column count, bad gzip)
  'invalid_tick', // decodable but fails the tick schema (price <= 0, bad timestamp, ...)
  'unknown_symbol', // valid but outside the configured universe
  'late', // older than the detector's allowed lateness
  'too_large', // over the input size limit
  'provider_error', // a provider frame that reports an error for one item
  'late_cancel', // a cancel whose print's step the detector had already evaluated
  'late_correction', // a correction whose print's step the detector had already evaluated
]);
export type DeadLetterReason = z.infer<typeof DeadLetterReason>;

/** Where the bad input was found: a file and line, or a provider and frame number. */
export const DeadLetterOrigin = z.strictObject({
  file: z.string().optional(),
  line: z.int().min(1).optional(),
  provider: z.string().optional(),
  frame: z.int().min(0).optional(),
  topic: z.string().optional(),
  partition: z.int().min(0).optional(),
  offset: z.string().optional(),
});
export type DeadLetterOrigin = z.infer<typeof DeadLetterOrigin>;

/**
 * A record on `<ns>.ticks.dlq`.
 *   {"v":1,"reason":"invalid_tick","message":"price: must be > 0","source":"replay",
 *    "origin":{"file":"ticks.csv","line":17},"raw":"2024-01-02T15:00:00Z,IWM,-1","at":1732369200000}
 * `raw` is truncated to 8 KiB and `message` to 2 KiB so one huge bad line cannot blow up the DLQ;
 * build one with `deadLetterOf`, which cuts both.
 */
export const DeadLetter = z.strictObject({
  v: z.literal(1),
  reason: DeadLetterReason,
  message: z.string().max(2048),
  source: z.union([TickSource, z.literal('detector')]),
  origin: DeadLetterOrigin,
  raw: z.string().max(8192),
  at: EpochMs,
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DEAD_LETTER_RAW_LIMIT = 8192;
export const DEAD_LETTER_MESSAGE_LIMIT = 2048;

/** The one builder of dead letters: every service's, cut to the schema's limits the same way. */
export function deadLetterOf(fields: Omit<DeadLetter, 'v'>): DeadLetter {
  const { message, raw } = fields;
  return {
    v: 1,
    ...fields,
    message: message.length > DEAD_LETTER_MESSAGE_LIMIT ? `${message.slice(0, DEAD_LETTER_MESSAGE_LIMIT - 3)}...` : message,
    raw: raw.length > DEAD_LETTER_RAW_LIMIT ? raw.slice(0, DEAD_LETTER_RAW_LIMIT) : raw,
  };
}
