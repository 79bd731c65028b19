import type { Admin } from 'kafkajs';
import type { Logger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { KafkaError, KafkaErrorCode } from './errors.js';

export interface TopicLayout {
  ticksPartitions: number;
  alertsPartitions: number;
  snapshotsPartitions: number;
  dlqPartitions: number;
  replicationFactor: number;
}

/** Per partition. */
export const TICKS_RETENTION_BYTES = 4 * 1024 ** 3;
export const DLQ_RETENTION_BYTES = 256 * 1024 ** 2;

/**
 * Creates the namespace's topics explicitly (brokers run with auto-creation off). Existing
 * topics are left alone; one with fewer partitions than configured is reported, not altered,
 * because adding partitions would move keys between partitions under running consumers.
 */
export async function ensureTopics(admin: Admin, namespace: string, layout: TopicLayout, logger: Logger): Promise<void> {
  const names = topicNames(namespace);
  // Records carry their event time as the Kafka timestamp, and a replay of last year's quotes
  // is all "older than 7 days": time-based retention would delete it as soon as a segment
  // rolls. Ticks and dead letters are therefore bounded by size, never by time.
  const bySizeOnly = (bytes: number) => [
    { name: 'retention.ms', value: '-1' },
    { name: 'retention.bytes', value: String(bytes) },
  ];
  const wanted = [
    { topic: names.ticks, numPartitions: layout.ticksPartitions, configEntries: bySizeOnly(TICKS_RETENTION_BYTES) },
    { topic: names.ticksDlq, numPartitions: layout.dlqPartitions, configEntries: bySizeOnly(DLQ_RETENTION_BYTES) },
    // Alerts are the history behind resume: never deleted by time, compacted by nothing.
    { topic: names.alerts, numPartitions: layout.alertsPartitions, configEntries: [{ name: 'retention.ms', value: '-1' }] },
    // Only the latest snapshot per key matters to a reader.
    { topic: names.snapshots, numPartitions: layout.snapshotsPartitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    // Rule changes: the latest record per rule id is the rule. One partition keeps every
    // change in one order, the order the detector applies them in.
    { topic: names.rules, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      await createMissing(admin, wanted, layout, logger);
      return;
    } catch (cause) {
      // A broker that just started (or restarted) can answer before its metadata has the new
      // topics' leaders: "does not host this topic-partition", retriable. A few tries, then fail.
      if (attempt < TOPIC_SETUP_ATTEMPTS && (cause as { retriable?: boolean }).retriable === true) {
        logger.warn({ attempt, err: (cause as Error).message }, 'topic setup failed, retrying');
        await new Promise((r) => setTimeout(r, 500 * attempt));
        continue;
      }
      throw new KafkaError(KafkaErrorCode.topicSetup, `could not create topics for namespace "${namespace}": ${(cause as Error).message}`, { namespace }, { cause });
    }
  }
}

const TOPIC_SETUP_ATTEMPTS = 5;

type WantedTopic = { topic: string; numPartitions: number; configEntries: Array<{ name: string; value: string }> };

async function createMissing(admin: Admin, wanted: WantedTopic[], layout: TopicLayout, logger: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({ ...t, replicationFactor: layout.replicationFactor })),
    });
    logger.info({ topics: missing.map((t) => t.topic) }, 'created topics');
  }
  const present = wanted.filter((t) => existing.has(t.topic));
  if (present.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
    for (const t of meta.topics) {
      const want = wanted.find((w) => w.topic === t.name)?.numPartitions ?? 0;
      if (t.partitions.length < want) {
        logger.warn({ topic: t.name, partitions: t.partitions.length, configured: want }, 'topic has fewer partitions than configured');
      }
    }
  }
}
