/**
 * Topic names, derived from the namespace so several pipelines share one broker.
 * Kept here (not in packages/kafka) because every service and test needs the names
 * while only some need a Kafka client.
 */
export function topicNames(namespace: string) {
  return {
    ticks: `${namespace}.ticks`,
    ticksDlq: `${namespace}.ticks.dlq`,
    alerts: `${namespace}.alerts`,
    snapshots: `${namespace}.snapshots`,
    /** Compacted, key = rule id: every change to a user's alert rule (docs/rules.md). */
    rules: `${namespace}.rules`,
  } as const;
}
export type TopicNames = ReturnType<typeof topicNames>;
