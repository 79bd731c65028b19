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
  /** Valid prints that moved no price: outside the regular session, or while the market was closed. */
  extendedHours: number;
  marketClosed: number;
}

/**
 * One consumed batch through the detector: records at or past the stored next offset of their
 * lane are applied in order (earlier ones were absorbed before a restart and are skipped, so a
 * redelivery never double counts), then every step the watermark passed is evaluated.
 * `offsets` (lane -> next offset) is updated in place.
 */
export function processBatch(detector: Detector, records: readonly InputRecord[], offsets: Record<string, string>): BatchOutcome {
  const deadLetters: DeadLetter[] = [];
  const before = { ...detector.state.counters };
  // Offsets compared as numbers, parsed once per lane: Kafka offsets stay below 2^53 (that is
  // 285 years at a million records a second), and a BigInt per record was a measurable cost.
  const next = new Map<string, number>();
  let skipped = 0;
  for (const rec of records) {
    const lane = String(rec.lane);
    let from = next.get(lane);
    if (from === undefined) {
      const stored = offsets[lane];
      next.set(lane, (from = stored === undefined ? -1 : Number(stored)));
    }
    const offset = Number(rec.offset);
    if (offset < from) {
      skipped += 1;
      continue;
    }
    const dl = detector.offer(rec);
    if (dl) deadLetters.push(dl);
    next.set(lane, offset + 1);
  }
  const touched: Record<string, string> = {};
  for (const [lane, n] of next) {
    if (n === -1) continue;
    const text = String(n);
    if (offsets[lane] !== text) offsets[lane] = touched[lane] = text;
  }
  const steps = detector.advance();
  return {
    deadLetters,
    skipped,
    steps,
    extendedHours: detector.state.counters.extendedHours - before.extendedHours,
    marketClosed: detector.state.counters.marketClosed - before.marketClosed,
    request: {
      state: detector.state,
      appended: detector.takeAppended(),
      alerts: detector.takeAlerts(),
      snapshot: steps > 0 ? detector.snapshot() : null,
      offsets: touched,
    },
  };
}
