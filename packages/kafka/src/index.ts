export { createKafka, assertKafkaReachable, type KafkaClientOptions } from './client.js';
export { ensureTopics, type TopicLayout } from './topics.js';
export { BatchingProducer, DEFAULT_MAX_BATCH_BYTES, recordBytes, type BatchingProducerOptions, type OutRecord } from './batching-producer.js';
export { createConsumer, CONSUMER_DEFAULTS, type ConsumerOptions } from './consumer.js';
export { KafkaError, KafkaErrorCode, UNREACHABLE_HINT } from './errors.js';
export { setUpTopics, topicLayoutFromEnv } from './layout.js';
export { partitionOfKey } from './partition.js';
export { readPartitionTails, type PartitionTail } from './tail.js';
export type { Kafka, Consumer, Admin, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
