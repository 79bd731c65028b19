import type { Kafka } from 'kafkajs';
import type { Env } from '@rotation/config';
import type { Logger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { ensureTopics, type TopicLayout } from './topics.js';

export function topicLayoutFromEnv(env: Env): TopicLayout {
  return {
    ticksPartitions: env.KAFKA_TICKS_PARTITIONS,
    alertsPartitions: env.KAFKA_ALERTS_PARTITIONS,
    snapshotsPartitions: env.KAFKA_SNAPSHOTS_PARTITIONS,
    dlqPartitions: env.KAFKA_DLQ_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  };
}

/**
 * What every service does first: create the namespace's topics when missing (idempotent, so any
 * service may start before the others) and learn how many partitions the ticks topic really has
 * (it may have been created earlier with another count than the environment's).
 */
export async function setUpTopics(kafka: Kafka, env: Env, logger: Logger): Promise<{ ticksPartitions: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, env.ROTATION_NAMESPACE, topicLayoutFromEnv(env), logger);
    const ticks = topicNames(env.ROTATION_NAMESPACE).ticks;
    const meta = await admin.fetchTopicMetadata({ topics: [ticks] });
    return { ticksPartitions: meta.topics[0]?.partitions.length ?? env.KAFKA_TICKS_PARTITIONS };
  } finally {
    await admin.disconnect();
  }
}
