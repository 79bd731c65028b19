/**
 * Child process: the bare kafkajs consumer ceiling. Joins --group, reads <ns>.ticks from the
 * beginning with the project's consumer defaults, and its eachBatch does nothing (offsets are
 * resolved and committed by kafkajs after every batch). The parent measures it from outside by
 * watching the group's committed offsets, exactly as it measures the detector.
 */
import { loadConfig } from '@rotation/config';
import { createConsumer, createKafka } from '@rotation/kafka';
import { createLogger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';

const argv = process.argv.slice(2);
const groupId = argv[argv.indexOf('--group') + 1] ?? 'bench-bare';
const config = loadConfig();
const logger = createLogger({ name: 'bench-consume', level: config.env.LOG_LEVEL, destination: process.stderr });
const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: 'bench-bare-consumer', logger });
const consumer = createConsumer(kafka, {
  groupId,
  logger,
  onFatal: (e) => {
    logger.error({ err: e }, 'bare consumer crashed');
    process.exit(1);
  },
});
await consumer.connect();
await consumer.subscribe({ topic: topicNames(config.namespace).ticks, fromBeginning: true });
await consumer.run({
  eachBatch: async () => {
    /* the ceiling: fetch, decode the record batch, resolve and commit offsets; nothing else */
  },
});
const stop = () => void consumer.disconnect().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
