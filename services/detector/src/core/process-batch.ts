import type { DeadLetter, PrintReason } from '@rotation/schemas';
import type { OperatorNotice } from './corporate-actions.js';
import type { Detector } from './detector.js';
import type { Counters } from './state.js';
import type { CommitRequest } from './store.js';
import type { InputRecord } from './tick-input.js';
import type { RuleChange } from './rules/book.js';

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
  /** Every record of the batch by what became of it; the counts add up to the batch's size. */
  outcomes: Record<RecordOutcome, number>;
  /** Regular-session prints whose conditions withhold the last sale, by reason. */
  ineligible: Partial<Record<PrintReason, number>>;
  /** What the operator should hear of: actions applied, quarantines raised and lifted. */
  notices: OperatorNotice[];
}

/**
 * What became of a record. `applied`: a print that set a step's price; `amended`: a cancel or
 * correction applied; `corporate_action`: an action taken (or recognised as a repeat);
 * `watermark`: a lane watermark; the others as named.
 */
export type RecordOutcome = 'applied' | 'skipped' | 'dead_letter' | 'extended_hours' | 'market_closed' | 'ineligible' | 'amended' | 'corporate_action' | 'watermark';

function delta(after: Counters, before: Counters, key: 'accepted' | 'extendedHours' | 'marketClosed' | 'cancels' | 'corrections' | 'actions'): number {
  return after[key] - before[key];
}

function ineligibleDelta(after: Counters, before: Counters): Partial<Record<PrintReason, number>> {
  const out: Partial<Record<PrintReason, number>> = {};
  for (const [reason, n] of Object.entries(after.ineligible) as Array<[PrintReason, number]>) {
    const d = n - (before.ineligible[reason] ?? 0);
    if (d > 0) out[reason] = d;
  }
  return out;
}

/**
 * One consumed batch through the detector: records at or past the stored next offset of their
 * lane are applied in order (earlier ones were absorbed before a restart and are skipped, so a
 * redelivery never double counts), then every step the watermark passed is evaluated.
 * `offsets` (lane -> next offset) is updated in place.
 */
export function processBatch(detector: Detector, records: readonly InputRecord[], offsets: Record<string, string>): BatchOutcome {
  const deadLetters: DeadLetter[] = [];
  const before = structuredClone(detector.state.counters);
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
  const after = detector.state.counters;
  const ineligible = ineligibleDelta(after, before);
  const outcomes: Record<RecordOutcome, number> = {
    applied: delta(after, before, 'accepted'),
    skipped,
    dead_letter: deadLetters.length,
    extended_hours: delta(after, before, 'extendedHours'),
    market_closed: delta(after, before, 'marketClosed'),
    ineligible: Object.values(ineligible).reduce((a, b) => a + b, 0),
    amended: delta(after, before, 'cancels') + delta(after, before, 'corrections'),
    corporate_action: delta(after, before, 'actions'),
    watermark: 0,
  };
  // Watermarks are the one kind the detector does not count: they are what is left.
  outcomes.watermark = records.length - Object.values(outcomes).reduce((a, b) => a + b, 0);
  return {
    deadLetters,
    skipped,
    steps,
    extendedHours: outcomes.extended_hours,
    marketClosed: outcomes.market_closed,
    outcomes,
    ineligible,
    notices: detector.takeNotices(),
    request: {
      state: detector.state,
      appended: detector.takeAppended(),
      rewritten: detector.takeRewritten(),
      alerts: detector.takeAlerts(),
      snapshot: steps > 0 ? detector.snapshot() : null,
      history: detector.takeHistory(),
      offsets: touched,
      rules: detector.takeRuleChanges(),
    },
  };
}

/**
 * One consumed batch of `<ns>.rules`: records at or past the stored next offset are taken in
 * order (a redelivery changes nothing), and the commit carries the entries they changed with
 * the new offsets. No step is evaluated: rules wait for the ticks like everything else.
 */
export function processRuleBatch(detector: Detector, records: readonly InputRecord[], ruleOffsets: Record<string, string>): { request: CommitRequest; changes: RuleChange[] } {
  const changes: RuleChange[] = [];
  const touched: Record<string, string> = {};
  for (const rec of records) {
    const lane = String(rec.lane);
    const from = ruleOffsets[lane] === undefined ? -1 : Number(ruleOffsets[lane]);
    if (Number(rec.offset) < from) continue;
    changes.push(detector.offerRule(rec.value));
    ruleOffsets[lane] = touched[lane] = String(Number(rec.offset) + 1);
  }
  return {
    changes,
    request: { state: detector.state, appended: {}, alerts: [], snapshot: null, offsets: {}, rules: detector.takeRuleChanges(), ruleOffsets: touched },
  };
}
