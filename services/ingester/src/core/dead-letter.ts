import { DEAD_LETTER_RAW_LIMIT, type DeadLetter, type DeadLetterOrigin, type DeadLetterReason, type TickSource } from '@rotation/schemas';

/** Builds a DLQ record; the raw text is cut to the schema's limit so one huge line cannot bloat the DLQ. */
export function buildDeadLetter(
  reason: DeadLetterReason,
  message: string,
  source: TickSource,
  origin: DeadLetterOrigin,
  rawText: string,
  at: number,
): DeadLetter {
  return {
    v: 1,
    reason,
    message: message.length > 2048 ? `${message.slice(0, 2045)}...` : message,
    source,
    origin,
    raw: rawText.length > DEAD_LETTER_RAW_LIMIT ? rawText.slice(0, DEAD_LETTER_RAW_LIMIT) : rawText,
    at,
  };
}
