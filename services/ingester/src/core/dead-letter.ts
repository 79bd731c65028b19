import { deadLetterOf, type DeadLetter, type DeadLetterOrigin, type DeadLetterReason, type TickSource } from '@rotation/schemas';

/** A DLQ record of the ingester (the schema's builder cuts the message and the raw text to its limits). */
export function buildDeadLetter(
  reason: DeadLetterReason,
  message: string,
  source: TickSource,
  origin: DeadLetterOrigin,
  rawText: string,
  at: number,
): DeadLetter {
  return deadLetterOf({ reason, message, source, origin, raw: rawText, at });
}
