import type { EachBatchPayload } from '@rotation/kafka';
import type { Detector } from '../core/detector.js';
import { processRuleBatch } from '../core/process-batch.js';
import { commitKafkaOffset, commitWithRetry } from './commits.js';
import type { BatchContext } from './context.js';

/** A batch of `<ns>.rules` changes: taken, committed with the state, no step evaluated. */
export async function consumeRulesBatch(ctx: BatchContext, det: Detector, payload: EachBatchPayload): Promise<void> {
  const { batch } = payload;
  const { metrics, log } = ctx;
  const out = processRuleBatch(det, batch.messages.map((m) => ({ lane: batch.partition, offset: m.offset, value: m.value })), ctx.state.ruleOffsets);
  await commitWithRetry(ctx, out.request, payload);
  metrics.commits.inc();
  for (const c of out.changes) {
    if (c.kind === 'applied') log.info({ rule: c.id }, 'rule change taken');
    else if (c.kind !== 'stale') log.warn({ rule: c.id, why: c.message }, c.kind === 'inert' ? 'rule kept inert: the universe cannot evaluate it' : 'rule record skipped: not a RuleRecord');
  }
  metrics.rules.set(det.activeRules);
  const last = batch.messages[batch.messages.length - 1]!.offset;
  payload.resolveOffset(last);
  await commitKafkaOffset(ctx.consumer, log, batch.topic, batch.partition, last);
}
