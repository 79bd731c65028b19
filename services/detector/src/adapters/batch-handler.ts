import type { EachBatchPayload } from '@rotation/kafka';
import { Detector } from '../core/detector.js';
import { DetectorError, DetectorErrorCode } from '../core/errors.js';
import { processBatch, type BatchOutcome } from '../core/process-batch.js';
import { commitKafkaOffset, commitWithRetry } from './commits.js';
import type { BatchContext } from './context.js';
import { consumeRulesBatch } from './rules-batch.js';

/**
 * The consumer's `eachBatch`: loads the state when there is none, then hands the batch to the
 * rules or the ticks path. A failed batch drops the loaded state and is consumed again.
 */
export function batchHandler(ctx: BatchContext): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const end = ctx.metrics.batchSeconds.startTimer();
    try {
      if (ctx.state.detector === null) await loadState(ctx);
      const det = ctx.state.detector!;
      if (batch.topic === ctx.topics.rules) return await consumeRulesBatch(ctx, det, payload);
      await consumeTicksBatch(ctx, det, payload);
    } catch (err) {
      // Memory may be ahead of Redis now: forget it and reload before the next batch.
      ctx.state.detector = null;
      if (!(err instanceof DetectorError && err.code === DetectorErrorCode.stopped)) ctx.log.error({ err }, 'batch failed; it will be consumed again');
      throw err;
    } finally {
      end();
    }
  };
}

/** Takes the fence, then loads state, closes and offsets from Redis. */
async function loadState(ctx: BatchContext): Promise<void> {
  const { state, store, settings, lanes, topics, metrics, log } = ctx;
  await store.acquire();
  const loaded = await store.load();
  const detector = new Detector({ settings, lanes, topic: topics.ticks, now: Date.now }, loaded ?? undefined);
  state.detector = detector;
  state.offsets = { ...(loaded?.offsets ?? {}) };
  state.ruleOffsets = { ...(loaded?.ruleOffsets ?? {}) };
  metrics.rules.set(detector.activeRules);
  log.info({ asOf: detector.asOf === null ? null : new Date(detector.asOf).toISOString(), offsets: state.offsets, lanes }, 'detector state loaded');
}

/** A ticks batch: process, dead letters, Redis commit, then the outbox and the group offset. */
async function consumeTicksBatch(ctx: BatchContext, det: Detector, payload: EachBatchPayload): Promise<void> {
  const { batch } = payload;
  const { metrics, outbox, log } = ctx;
  const processEnd = metrics.batchPhase.startTimer({ phase: 'process' });
  const out = processBatch(
    det,
    batch.messages.map((m) => ({ lane: batch.partition, offset: m.offset, value: m.value })),
    ctx.state.offsets,
  );
  processEnd();
  // A big batch on a busy machine can take seconds: tell the coordinator we are alive.
  await payload.heartbeat();
  await outbox.deadLetters(out.deadLetters);
  const commitEnd = metrics.batchPhase.startTimer({ phase: 'commit' });
  await commitWithRetry(ctx, out.request, payload);
  commitEnd();
  countCommittedBatch(ctx, det, out);
  const newest = batch.messages[batch.messages.length - 1]!;
  metrics.eventToCommit.observe(Math.max(0, Date.now() - Number(newest.timestamp)) / 1000);
  const last = newest.offset;
  payload.resolveOffset(last);
  // Not awaited: the next batch's analysis overlaps the produce (acks=all). The outbox
  // reads what to send from Redis (committed above), runs one publish at a time and
  // folds calls made meanwhile into one more run; a failure is retried by the timer, the
  // next batch, stop() or the next start.
  const publishEnd = metrics.batchPhase.startTimer({ phase: 'publish' });
  void outbox.publish().then(
    () => void publishEnd(),
    (err: unknown) => log.warn({ err: (err as Error).message }, 'outbox publish failed; retried with the next batch'),
  );
  // Not awaited: Redis holds the offsets that count (a join seeks to them), the group's
  // are a hint for lag tooling. Awaiting it put a Kafka round trip on every batch's path,
  // ahead of the next batch of the same fetch. A stop awaits the last one.
  ctx.state.lastOffsetCommit = commitKafkaOffset(ctx.consumer, log, batch.topic, batch.partition, last);
}

/** Metrics and operator notices of a ticks batch that was just committed. */
function countCommittedBatch(ctx: BatchContext, det: Detector, out: BatchOutcome): void {
  const { metrics, log } = ctx;
  metrics.commits.inc();
  metrics.steps.inc(out.steps);
  for (const [outcome, n] of Object.entries(out.outcomes)) if (n > 0) metrics.records.inc({ outcome }, n);
  for (const [reason, n] of Object.entries(out.ineligible)) metrics.ineligible.inc({ reason }, n);
  for (const d of out.deadLetters) metrics.deadLetters.inc({ reason: d.reason });
  for (const n of out.notices) {
    metrics.notices.inc({ kind: n.kind });
    log.warn({ symbol: n.symbol, kind: n.kind, at: new Date(n.t).toISOString() }, n.message);
  }
  metrics.quarantined.set(Object.keys(det.state.quarantine).length);
  for (const a of out.request.alerts) metrics.alerts.inc({ kind: a.kind });
  if (det.asOf !== null) metrics.asOf.set(det.asOf / 1000);
}
