import type { Config } from '@rotation/config';
import { createConsumer, type Consumer, type EachBatchPayload, type Kafka, type KafkaError } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import type { TopicNames } from '@rotation/schemas';
import { singleActiveAssigner } from './assigner.js';
import type { Closers } from './closers.js';
import type { InstanceState } from './context.js';
import type { Metrics } from './http.js';
import type { Outbox } from './outbox.js';
import type { DetectorKeys } from './redis-keys.js';

/**
 * The detector group's consumer, with the single-active assigner. A crash kafkajs will not
 * restart from marks the instance dead (its /healthz fails) and calls `crashed`.
 */
export function createDetectorConsumer(
  kafka: Kafka,
  config: Config,
  instance: string,
  state: InstanceState,
  log: Logger,
  crashed: (err: KafkaError) => void,
): Consumer {
  const env = config.env;
  return createConsumer(kafka, {
    groupId: `${config.namespace}.detector`,
    logger: log,
    maxBytesPerPartition: env.DETECTOR_FETCH_MAX_BYTES,
    maxBytes: Math.max(env.DETECTOR_FETCH_MAX_BYTES * 4, 1024 * 1024),
    partitionAssigners: [singleActiveAssigner({ startedAt: Date.now(), instance })],
    onFatal: (err) => {
      log.fatal({ err }, 'consumer crashed for good');
      state.fatal = true;
      state.healthy = false;
      state.lastError = err.message;
      crashed(err);
    },
  });
}

export interface AssignmentContext {
  consumer: Consumer;
  state: InstanceState;
  topics: TopicNames;
  keys: DetectorKeys;
  redis: Redis;
  outbox: Outbox;
  metrics: Metrics;
  log: Logger;
}

/**
 * Follows the group's assignments: each join sets the role (active or standby) and drops the
 * loaded state; the active instance republishes the outbox and seeks to the offsets Redis holds.
 * Resolves once the instance has joined its group the first time.
 */
export function watchAssignments(ctx: AssignmentContext): Promise<void> {
  const { consumer, state, topics, keys, metrics, log } = ctx;
  let resolveJoined!: () => void;
  const joined = new Promise<void>((r) => (resolveJoined = r));
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = event.payload.memberAssignment[topics.ticks] ?? [];
    state.active = assigned.length > 0;
    metrics.active.set(state.active ? 1 : 0);
    // A new assignment may follow another instance's commits: reload before the next batch.
    state.detector = null;
    log.info({ assigned, active: state.active }, state.active ? 'active: owns the ticks partitions' : 'standby: nothing assigned');
    if (state.active) {
      // Anything committed but not yet on Kafka (a crash between EXEC and produce) goes out
      // first. Only the active instance publishes, so `alerts:published` only moves forward.
      void ctx.outbox.publish().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'outbox publish failed; retried shortly'));
      void seekToStored(ctx, topics.ticks, keys.offsets, assigned);
      void seekToStored(ctx, topics.rules, keys.ruleOffsets, event.payload.memberAssignment[topics.rules] ?? []);
    }
    state.groupJoined = true;
    resolveJoined();
  });
  return joined;
}

/** Seeks each assigned partition to the next offset stored in the hash at `key`. */
function seekToStored(ctx: AssignmentContext, topic: string, key: string, partitions: number[]): Promise<void> {
  return ctx.redis.hgetall(key).then(
    (stored) => {
      for (const p of partitions) {
        const offset = stored[String(p)];
        if (offset !== undefined) ctx.consumer.seek({ topic, partition: p, offset });
      }
    },
    (err: unknown) => ctx.log.warn({ err, topic }, 'could not read stored offsets; records before them are skipped on arrival'),
  );
}

/** Connects, subscribes to ticks and rules, and runs `eachBatch` one partition at a time, committing by hand. */
export async function startConsuming(consumer: Consumer, topics: TopicNames, closers: Closers, eachBatch: (payload: EachBatchPayload) => Promise<void>): Promise<void> {
  await consumer.connect();
  closers.push(async () => void (await consumer.disconnect()));
  await consumer.subscribe({ topics: [topics.ticks, topics.rules], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 1,
    eachBatch,
  });
}
