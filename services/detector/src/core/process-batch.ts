import type { DeadLetter } from '@rotation/schemas';
import type { Detector } from './detector.js';
import type { CommitRequest } from './store.js';
import type { InputRecord } from './tick-input.js';

export interface BatchOutcome {
  deadLetters: DeadLetter[];
  /** What to commit; offsets always advance, even when every record was dead-lettered. */
  request: CommitRequest;
  /** Records skipped because the stored offsets say they were already absorbed. */
  skipped: number;
  steps: number;
}

/**
 * One consumed batch through the detector: records at or past the stored next offset of their
 * lane are applied in order (earlier ones were absorbed before a restart and are skipped, so a
 * redelivery never double counts), then every step the watermark passed is evaluated.
 * `offsets` (lane -> next offset) is updated in place.
 */
export function processBatch(detector: Detector, records: readonly InputRecord[], offsets: Record<string, string>): BatchOutcome {
  const deadLetters: DeadLetter[] = [];
  const touched: Record<string, string> = {};
  let skipped = 0;
  for (const rec of records) {
    const lane = String(rec.lane);
    const next = offsets[lane];
    if (next !== undefined && BigInt(rec.offset) < BigInt(next)) {
      skipped += 1;
      continue;
    }
    const dl = detector.offer(rec);
    if (dl) deadLetters.push(dl);
    offsets[lane] = touched[lane] = (BigInt(rec.offset) + 1n).toString();
  }
  const steps = detector.advance();
  return {
    deadLetters,
    skipped,
    steps,
    request: {
      state: structuredClone(detector.state),
      appended: detector.takeAppended(),
      alerts: detector.takeAlerts(),
      snapshot: steps > 0 ? detector.snapshot() : null,
      offsets: touched,
    },
  };
}
