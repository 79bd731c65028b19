import { Partitioners, type PartitionMetadata } from 'kafkajs';

/**
 * The partition a keyed record goes to, by the producer's own partitioner (BatchingProducer
 * uses DefaultPartitioner): murmur2 of the key modulo the partition count, whatever the
 * leaders. Lets a reader find a symbol's partition without producing to it.
 */
export function partitionOfKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return Partitioners.DefaultPartitioner()({ topic: 'any', partitionMetadata, message: { key, value: null } });
}
