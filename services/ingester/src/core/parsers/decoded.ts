import type { DeadLetterReason } from '@rotation/schemas';
import type { RawQuote } from '../source.js';

/**
 * What a decoder makes of one input record: a quote for the normaliser, or a rejection with
 * its reason. `line` is the 1-based line in the file when the record has one; `seq` orders
 * records of one file (the line, or the position in a JSON document).
 */
export type Decoded =
  | { kind: 'quote'; raw: RawQuote; line?: number; seq: number; text: string }
  | { kind: 'reject'; reason: DeadLetterReason; message: string; line?: number; seq: number; text: string };

/** Decodes one line; undefined for lines that carry nothing (blank lines). */
export type LineDecoder = (text: string, line: number) => Decoded | undefined;
