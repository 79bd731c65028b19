import type { Kafka, Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import { BatchingProducer } from './batching-producer.js';
import { KafkaError } from './errors.js';

/** A kafkajs stand-in used only to force the failure path (a send that fails for good). */
function failingKafka(error: Error): Kafka {
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async () => {
      throw error;
    },
  } as unknown as Producer;
  return { producer: () => producer } as unknown as Kafka;
}

describe('BatchingProducer failure path', () => {
  it('rejects flush, refuses further records and releases waiters once a send fails', async () => {
    const p = new BatchingProducer(failingKafka(new Error('MESSAGE_TOO_LARGE')), { logger: silentLogger(), lingerMs: 1, maxBufferedBytes: 64 });
    await p.connect();
    p.push({ topic: 't', key: 'k', value: 'x'.repeat(100) });
    const waiter = p.waitForRoom();
    await expect(p.flush()).rejects.toBeInstanceOf(KafkaError);
    await expect(waiter).rejects.toThrow(/produce failed after retries: MESSAGE_TOO_LARGE/);
    expect(() => p.push({ topic: 't', key: 'k', value: 'y' })).toThrow(KafkaError);
    expect(p.failure?.message).toMatch(/MESSAGE_TOO_LARGE/);
  });
});
