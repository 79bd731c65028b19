import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import type { Logger } from '@rotation/log';
import { KafkaError, KafkaErrorCode } from './errors.js';

/**
 * Consumer defaults tuned for latency on a small pipeline:
 * - maxWaitTimeInMs 100 (kafkajs' 5000 would hold an idle fetch for 5 s);
 * - no auto topic creation (topics are created explicitly with their partition counts);
 * - session 15 s / heartbeat 3 s so a killed instance's partitions move within seconds;
 * - rebalance timeout 20 s so a clean shutdown has room to commit.
 */
export const CONSUMER_DEFAULTS = {
  maxWaitTimeInMs: 100,
  minBytes: 1,
  maxBytes: 16 * 1024 * 1024,
  maxBytesPerPartition: 4 * 1024 * 1024,
  sessionTimeout: 15_000,
  heartbeatInterval: 3_000,
  rebalanceTimeout: 20_000,
  allowAutoTopicCreation: false,
  retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 10 },
} satisfies Partial<ConsumerConfig>;

export interface ConsumerOptions extends Partial<ConsumerConfig> {
  groupId: string;
  logger: Logger;
  /**
   * Called when kafkajs gives up on the consumer (a crash it will not restart from).
   * kafkajs' own restart loop would otherwise retry forever without telling anyone.
   */
  onFatal: (error: KafkaError) => void;
}

export function createConsumer(kafka: Kafka, options: ConsumerOptions): Consumer {
  const { logger, onFatal, ...config } = options;
  const consumer = kafka.consumer({ ...CONSUMER_DEFAULTS, ...config });
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload as { error: Error; restart: boolean; groupId: string };
    if (restart) {
      logger.warn({ err: error, groupId: options.groupId }, 'consumer crashed; kafkajs is restarting it');
      return;
    }
    onFatal(
      new KafkaError(
        KafkaErrorCode.consumerCrashed,
        `consumer of group ${options.groupId} crashed: ${error.message}`,
        { groupId: options.groupId },
        { cause: error },
      ),
    );
  });
  return consumer;
}
