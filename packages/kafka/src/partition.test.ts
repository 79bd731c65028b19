import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionOfKey } from './partition.js';

/** Where kafkajs' DefaultPartitioner sends a keyed record, asked directly. */
function kafkajsPartition(key: string, partitions: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: partitionId % 3, replicas: [0, 1, 2], isr: [0, 1, 2], partitionErrorCode: 0 }));
  return Partitioners.DefaultPartitioner()({ topic: 'rotation.ticks', partitionMetadata, message: { key, value: '{}' } });
}

describe('partitionOfKey', () => {
  it("matches kafkajs' DefaultPartitioner for symbols and partition counts", () => {
    for (const key of ['SPY', 'IWM', 'QQQ', 'AAPL', 'BRK.B', 'XLRE', 'watermark', 'é']) {
      for (const n of [1, 2, 3, 6, 12, 50]) expect(partitionOfKey(key, n), `${key} of ${n}`).toBe(kafkajsPartition(key, n));
    }
  });

  it('is murmur2 of the key modulo the count, as the Java client has it', () => {
    // Checked against an independent implementation of Kafka's murmur2 (seed 0x9747b28c, sign bit masked).
    expect(partitionOfKey('SPY', 12)).toBe(11);
    expect(partitionOfKey('IWM', 6)).toBe(1);
    expect(partitionOfKey('AAPL', 12)).toBe(9);
    expect(partitionOfKey('QQQ', 6)).toBe(5);
    expect(partitionOfKey('BRK.B', 12)).toBe(3);
    expect(partitionOfKey('SPY', 1)).toBe(0);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionOfKey('SPY', 0)).toThrow(new RangeError('partitions must be a positive integer, got 0'));
    expect(() => partitionOfKey('SPY', -3)).toThrow(RangeError);
    expect(() => partitionOfKey('SPY', 2.5)).toThrow(RangeError);
    expect(() => partitionOfKey('SPY', Number.NaN)).toThrow(RangeError);
  });
});
