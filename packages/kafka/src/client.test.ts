import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@rotation/log';
import { BatchingProducer } from './batching-producer.js';
import { createKafka } from './client.js';

function capture() {
  const lines: Array<{ level: string; msg: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: string; msg: string });
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'debug', destination }) };
}

describe('createKafka logging', () => {
  it('an idempotent producer prints no "Limiting retries" warning (the BatchingProducer resends itself); the line is kept at debug', async () => {
    const { lines, logger } = capture();
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'test', logger });
    // Built the way every producer of the project is (idempotent, acks=all, named partitioner).
    new BatchingProducer(kafka, { logger });
    await new Promise((r) => setImmediate(r));
    const limiting = lines.filter((l) => l.msg.startsWith('Limiting retries'));
    expect(limiting).toHaveLength(1);
    expect(limiting[0]!.level).toBe('debug');
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
