import type { Env } from '@rotation/config';
import type { TopicLayout } from './topics.js';

export function topicLayoutFromEnv(env: Env): TopicLayout {
  return {
    ticksPartitions: env.KAFKA_TICKS_PARTITIONS,
    alertsPartitions: env.KAFKA_ALERTS_PARTITIONS,
    snapshotsPartitions: env.KAFKA_SNAPSHOTS_PARTITIONS,
    dlqPartitions: env.KAFKA_DLQ_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  };
}
