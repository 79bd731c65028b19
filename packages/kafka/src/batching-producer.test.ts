import type { Kafka, Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import { BatchingProducer, isTransient, recordBytes, takeBatch } from './batching-producer.js';
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

describe('byte accounting', () => {
  it('counts UTF-8 bytes, key, headers and the framing of each record', () => {
    expect(recordBytes({ key: null, value: 'abc' })).toBe(40 + 3);
    // U+FFFD (what a random byte decodes to) is one character but three bytes on the wire.
    expect(recordBytes({ key: 'k', value: '\uFFFD' })).toBe(40 + 1 + 3);
    expect(recordBytes({ key: 'k', value: Buffer.alloc(10), headers: { h: 'vv' } })).toBe(40 + 1 + 10 + 10 + 1 + 2);
  });

  it.each([
    { sizes: [10, 10, 10], maxRecords: 10, maxBytes: 25, taken: 2, bytes: 20 },
    { sizes: [10, 10, 10], maxRecords: 2, maxBytes: 1_000, taken: 2, bytes: 20 },
    { sizes: [10, 10, 10], maxRecords: 10, maxBytes: 30, taken: 3, bytes: 30 },
    // A record larger than the limit on its own still leaves (push refuses those; this is the floor).
    { sizes: [50, 10], maxRecords: 10, maxBytes: 25, taken: 1, bytes: 50 },
    { sizes: [], maxRecords: 10, maxBytes: 25, taken: 0, bytes: 0 },
  ])('takeBatch $sizes (records <= $maxRecords, bytes <= $maxBytes) takes $taken', ({ sizes, maxRecords, maxBytes, taken, bytes }) => {
    const queue = sizes.map((_, i) => i);
    const left = [...sizes];
    const out = takeBatch(queue, left, maxRecords, maxBytes);
    expect(out).toEqual({ batch: sizes.slice(0, taken).map((_, i) => i), bytes });
    expect(queue).toHaveLength(sizes.length - taken);
    expect(left).toEqual(sizes.slice(taken));
  });
});

describe('BatchingProducer byte-bounded batches', () => {
  it('never sends a request above maxBatchBytes, whatever the record count allows', async () => {
    const sent: Array<{ topicMessages: Array<{ messages: Array<{ key: string; value: string }> }> }> = [];
    const acked: number[] = [];
    const p = new BatchingProducer(scriptedKafka(['ok'], sent), { logger: silentLogger(), lingerMs: 1, maxBatchBytes: 5_000 });
    p.onAcked((b) => acked.push(b.length));
    await p.connect();
    // 700-byte dead letters: 4,000 of them by count would be a 3 MB request.
    for (let i = 0; i < 100; i++) p.push({ topic: i % 2 ? 'dlq' : 't', key: 'replay', value: '\uFFFD'.repeat(220) });
    await p.flush();
    const requestBytes = sent.map((r) => r.topicMessages.flatMap((t) => t.messages).reduce((n, m) => n + recordBytes({ key: m.key, value: m.value }), 0));
    expect(Math.max(...requestBytes)).toBeLessThanOrEqual(5_000);
    expect(acked.reduce((a, b) => a + b, 0)).toBe(100);
    expect(p.acked).toBe(100);
  });

  it('refuses one record larger than a whole batch, and keeps going', async () => {
    const p = new BatchingProducer(scriptedKafka(['ok']), { logger: silentLogger(), lingerMs: 1, maxBatchBytes: 1_000 });
    await p.connect();
    expect(p.fits({ key: 'k', value: 'x'.repeat(2_000) })).toBe(false);
    expect(() => p.push({ topic: 't', key: 'k', value: 'x'.repeat(2_000) })).toThrow(/exceeds the 1000-byte batch limit/);
    p.push({ topic: 't', key: 'k', value: 'ok' });
    await p.flush();
    expect(p.acked).toBe(1);
  });
});

describe('BatchingProducer abandon (bounded shutdown)', () => {
  it('stops waiting for a broker that never answers and reports what was not acknowledged', async () => {
    let sends = 0;
    const hanging = {
      producer: () => ({
        connect: async () => undefined,
        disconnect: () => new Promise(() => undefined),
        sendBatch: () => (++sends === 1 ? Promise.resolve() : new Promise(() => undefined)),
      }),
    } as unknown as Kafka;
    const p = new BatchingProducer(hanging, { logger: silentLogger(), lingerMs: 1, maxBatchRecords: 2, maxBufferedBytes: 10 });
    await p.connect();
    p.push({ topic: 't', key: 'k', value: 'a', meta: 1 });
    p.push({ topic: 't', key: 'k', value: 'b', meta: 2 });
    await new Promise((r) => setTimeout(r, 20));
    for (const [i, v] of ['c', 'd', 'e'].entries()) p.push({ topic: 't', key: 'k', value: v, meta: 3 + i });
    const waiter = p.waitForRoom();
    const flushed = p.flush();
    await new Promise((r) => setTimeout(r, 20));
    p.abandon('shutdown deadline');
    await expect(flushed).rejects.toThrow(/shutdown deadline/);
    await expect(waiter).rejects.toThrow(/shutdown deadline/);
    const started = Date.now();
    await expect(p.close()).rejects.toThrow(/shutdown deadline/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(p.acked).toBe(2);
    const { queued, inFlight } = p.unacknowledged();
    expect(inFlight.map((r) => r.meta)).toEqual([3, 4]);
    expect(queued.map((r) => r.meta)).toEqual([5]);
  });
});
