import type { DeadLetterReason } from '@rotation/schemas';
import type { RawEvent, RawQuote, SkipReason } from '../source.js';

/** Where a record was: `line` is the 1-based line in the file when it has one; `seq` orders records of one file. */
interface At {
  line?: number;
  seq: number;
  text: string;
}

/**
 * What a decoder makes of one input record: a quote for the normaliser, an event (cancel,
 * correction, corporate action), a record skipped by design (a Yahoo null row, an action the
 * prices already include), or a rejection with its reason. A bar row can carry corporate
 * actions (yfinance's Dividends and Stock Splits columns): they ride along as `actions`.
 */
export type Decoded =
  | (At & { kind: 'quote'; raw: RawQuote; actions?: Decoded[] })
  | (At & { kind: 'event'; raw: RawEvent })
  | (At & { kind: 'skip'; reason: SkipReason; detail: string; actions?: Decoded[] })
  | (At & { kind: 'reject'; reason: DeadLetterReason; message: string });

/** Decodes one line; undefined for lines that carry nothing (blank lines). */
export type LineDecoder = (text: string, line: number) => Decoded | undefined;

/** The record and the actions riding on it, in that order. */
export function flattenDecoded(d: Decoded): Decoded[] {
  return (d.kind === 'quote' || d.kind === 'skip') && d.actions ? [d, ...d.actions.flatMap(flattenDecoded)] : [d];
}
