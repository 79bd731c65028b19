import type { Consumer, EachBatchPayload } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { DetectorError, DetectorErrorCode } from '../core/errors.js';
import type { BatchContext } from './context.js';
import type { RedisStateStore } from './redis-store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The batch's Redis commit, the one that counts: the same request is retried until it lands,
 * heartbeating meanwhile, so nothing advances while Redis is down. Fenced and corrupt state are
 * not retried; a stop or a stale batch ends the retries with `stopped`.
 */
export async function commitWithRetry(ctx: BatchContext, request: Parameters<RedisStateStore['commit']>[0], payload: EachBatchPayload) {
  const { state, metrics, log } = ctx;
  for (let attempt = 0; ; attempt++) {
    try {
      const done = await ctx.store.commit(request);
      state.healthy = true;
      state.lastError = null;
      return done;
    } catch (err) {
      if (err instanceof DetectorError && (err.code === DetectorErrorCode.fenced || err.code === DetectorErrorCode.stateCorrupt)) throw err;
      metrics.commitFailures.inc();
      state.healthy = false;
      state.lastError = (err as Error).message;
      if (attempt === 0 || attempt % 20 === 0) log.warn({ err: (err as Error).message, attempt }, 'commit failed; retrying the same batch (nothing advances until it lands)');
      if (!payload.isRunning() || payload.isStale()) throw new DetectorError(DetectorErrorCode.stopped, 'stopped while the commit was failing', {}, { cause: err });
      await sleep(Math.min(100 * 2 ** Math.min(attempt, 4), 1_000));
      await payload.heartbeat().catch(() => undefined);
    }
  }
}

/**
 * The group's offset after `last`, made only after the Redis commit. Redis holds the offsets
 * that count (a join seeks to them); the group's are a hint for lag tooling, so a failure is
 * only logged.
 */
export function commitKafkaOffset(consumer: Consumer, log: Logger, topic: string, partition: number, last: string): Promise<void> {
  return consumer
    .commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }])
    .catch((err: unknown) => log.debug({ err }, 'kafka offset commit failed (Redis holds the truth)'));
}
