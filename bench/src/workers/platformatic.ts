/**
 * Child process: bare @platformatic/kafka ceilings, set up like the kafkajs ones they are
 * compared with (workers/produce.ts --mode bare, workers/consume.ts), so the ratio answers
 * "what would the other client give" without switching clients.
 *   --mode produce  idempotent, acks=-1, one request in flight (each send awaited), --batch
 *                   pre-serialised ticks per request keyed by symbol (murmur2, as kafkajs'
 *                   DefaultPartitioner); prints {"ticks","seconds","ticksPerSec"} after --seconds
 *   --mode consume  joins --group, reads <ns>.ticks from the beginning with the project's
 *                   consumer settings (maxWaitTime 100 ms, minBytes 1, 16 MB / 4 MB per
 *                   partition), does nothing with a record, commits after every fetch; the parent
 *                   times it from the group's committed offsets, exactly as the kafkajs consumer
 */
import { Consumer, Producer } from '@platformatic/kafka';
import { loadConfig } from '@rotation/config';
import { CONSUMER_DEFAULTS } from '@rotation/kafka';
import { topicNames } from '@rotation/schemas';
import { recordPool } from '../ticks.js';
import { sendBatchesFor } from './timed-batches.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const mode = arg('mode', 'produce');
const config = loadConfig();
const topic = topicNames(config.namespace).ticks;
const bootstrapBrokers = config.env.KAFKA_BROKERS;

async function produce(): Promise<void> {
  const seconds = Number(arg('seconds', '6'));
  const batch = Number(arg('batch', '4000'));
  const pool = recordPool(config.universe.symbols, 20_000).map((r) => ({ topic, key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: BigInt(r.timestamp) }));
  const producer = new Producer({ clientId: 'bench-platformatic', bootstrapBrokers, idempotent: true, acks: -1, autocreateTopics: false });
  // One warm-up request (metadata, producer id), not counted, as kafkajs' connect() does both.
  await producer.send({ messages: pool.slice(0, 1) });
  const { ticks, seconds: elapsed } = await sendBatchesFor(pool, batch, seconds, (messages) => producer.send({ messages }));
  await producer.close();
  process.stdout.write(`${JSON.stringify({ ticks, seconds: elapsed, ticksPerSec: Math.round(ticks / elapsed) })}\n`, () => process.exit(0));
}

async function consume(): Promise<void> {
  const groupId = arg('group', 'bench-platformatic');
  const consumer = new Consumer({
    clientId: 'bench-platformatic-consumer',
    groupId,
    bootstrapBrokers,
    sessionTimeout: CONSUMER_DEFAULTS.sessionTimeout,
    heartbeatInterval: CONSUMER_DEFAULTS.heartbeatInterval,
    rebalanceTimeout: CONSUMER_DEFAULTS.rebalanceTimeout,
    minBytes: CONSUMER_DEFAULTS.minBytes,
    maxBytes: CONSUMER_DEFAULTS.maxBytes,
    maxBytesPerPartition: CONSUMER_DEFAULTS.maxBytesPerPartition,
    maxWaitTime: CONSUMER_DEFAULTS.maxWaitTimeInMs,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true });
  stream.on('data', () => {
    /* the ceiling: fetch, decode the record batch, commit offsets; nothing else */
  });
  stream.on('error', (e: Error) => {
    process.stderr.write(`platformatic consumer: ${e.message}\n`);
    process.exit(1);
  });
  const stop = () => void stream.close().then(() => consumer.close(true)).finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  await (mode === 'consume' ? consume() : produce());
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`, () => process.exit(1));
}
