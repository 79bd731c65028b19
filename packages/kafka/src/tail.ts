import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '@rotation/log';
import { createConsumer } from './consumer.js';
import { KafkaError, KafkaErrorCode } from './errors.js';

export interface PartitionTail {
  partition: number;
  /** The partition's last records (at most the number asked for), oldest first. */
  records: Array<{ key: string | null; value: string | null }>;
}

/**
 * The last `perPartition` records of every partition of `topic`, read by a throwaway consumer
 * group that commits nothing: where a topic's history ends, without reading all of it.
 */
export async function readPartitionTails(kafka: Kafka, topic: string, perPartition: number, logger: Logger, timeoutMs = 30_000): Promise<PartitionTail[]> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: Array<{ partition: number; low: string; high: string }>;
  try {
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const tails = new Map<number, PartitionTail>(offsets.map((o) => [o.partition, { partition: o.partition, records: [] }]));
  const wanted = offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => ({ ...o, from: bigMax(BigInt(o.low), BigInt(o.high) - BigInt(perPartition)), last: BigInt(o.high) - 1n }));
  if (wanted.length === 0) return [...tails.values()];
  const pending = new Set(wanted.map((w) => w.partition));
  let failed: KafkaError | undefined;
  const consumer = createConsumer(kafka, { groupId: `tail-${randomUUID()}`, logger, onFatal: (e) => (failed = e) });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const w = wanted.find((x) => x.partition === batch.partition);
        if (!w) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < w.from || offset > w.last) continue;
          tails.get(w.partition)!.records.push({ key: m.key?.toString() ?? null, value: m.value?.toString() ?? null });
          if (offset === w.last) pending.delete(w.partition);
        }
        if (pending.size === 0) done();
      },
    });
    for (const w of wanted) consumer.seek({ topic, partition: w.partition, offset: w.from.toString() });
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([finished, timer])) === 'timeout' || failed) {
      throw failed ?? new KafkaError(KafkaErrorCode.tailRead, `the last records of ${topic} were not read within ${timeoutMs} ms (partitions ${[...pending].join(', ')} outstanding)`, { topic });
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return [...tails.values()].sort((a, b) => a.partition - b.partition);
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
