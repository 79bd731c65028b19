import type { Kafka, Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import { BatchingProducer, isTransient } from './batching-producer.js';
import { KafkaError } from './errors.js';

/** A kafkajs stand-in used only to force failure paths: each send takes the next outcome. */
function scriptedKafka(outcomes: Array<Error | 'ok'>, sent: unknown[] = []): Kafka {
  let i = 0;
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async (req: unknown) => {
      const outcome = outcomes[Math.min(i++, outcomes.length - 1)]!;
      if (outcome !== 'ok') throw outcome;
      sent.push(req);
    },
  } as unknown as Producer;
  return { producer: () => producer } as unknown as Kafka;
}
const failingKafka = (error: Error) => scriptedKafka([error]);

function kafkajsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
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

describe('BatchingProducer transient failures', () => {
  it('resends the same batch after connection errors and delivers it once', async () => {
    const sent: unknown[] = [];
    const refused = kafkajsError('KafkaJSNumberOfRetriesExceeded', { originalError: kafkajsError('KafkaJSConnectionError') });
    const p = new BatchingProducer(scriptedKafka([refused, kafkajsError('KafkaJSConnectionError'), 'ok'], sent), { logger: silentLogger(), lingerMs: 1 });
    await p.connect();
    p.push({ topic: 't', key: 'k', value: 'a' });
    p.push({ topic: 't', key: 'k', value: 'b' });
    await p.flush();
    expect(p.failure).toBeUndefined();
    expect(p.acked).toBe(2);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain('"value":"a"');
  });

  it('gives up once the delivery timeout has passed', async () => {
    const p = new BatchingProducer(scriptedKafka([kafkajsError('KafkaJSConnectionError')]), { logger: silentLogger(), lingerMs: 1, deliveryTimeoutMs: 300 });
    await p.connect();
    p.push({ topic: 't', key: 'k', value: 'a' });
    await expect(p.flush()).rejects.toThrow(/produce failed after retries: KafkaJSConnectionError/);
  });

  it('tells transient errors from permanent ones, looking through kafkajs wrapping', () => {
    expect(isTransient(kafkajsError('KafkaJSConnectionError'))).toBe(true);
    expect(isTransient(kafkajsError('KafkaJSProtocolError', { retriable: true, type: 'NOT_LEADER_FOR_PARTITION' }))).toBe(true);
    expect(isTransient(kafkajsError('KafkaJSProtocolError', { retriable: false, type: 'MESSAGE_TOO_LARGE' }))).toBe(false);
    expect(isTransient(kafkajsError('KafkaJSNumberOfRetriesExceeded', { originalError: kafkajsError('KafkaJSRequestTimeoutError') }))).toBe(true);
    expect(isTransient(kafkajsError('KafkaJSNumberOfRetriesExceeded', { originalError: new Error('boom') }))).toBe(false);
    expect(isTransient(new Error('MESSAGE_TOO_LARGE'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});
