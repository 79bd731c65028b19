import { Partitioners } from 'kafkajs';

/**
 * The ticks partitions that carry at least one universe symbol, computed with the producer's
 * own default partitioner (murmur2 of the key, as the ingester keys ticks by symbol). The
 * watermark waits for exactly these: a partition no symbol hashes to would otherwise hold
 * every evaluation back forever.
 */
export function lanesForSymbols(symbols: readonly string[], partitions: number, topic: string): number[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  const lanes = new Set<number>();
  for (const key of symbols) lanes.add(partitioner({ topic, partitionMetadata, message: { key, value: null } }));
  return [...lanes].sort((a, b) => a - b);
}
