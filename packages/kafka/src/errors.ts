import { defineErrors, type CodeOf } from '@rotation/errors';

/** The kafka package's closed list of error codes. */
export const KafkaErrorCode = {
  unreachable: 'KAFKA_UNREACHABLE',
  topicSetup: 'KAFKA_TOPIC_SETUP',
  sendFailed: 'KAFKA_SEND_FAILED',
  consumerCrashed: 'KAFKA_CONSUMER_CRASHED',
  closed: 'KAFKA_PRODUCER_CLOSED',
  // One record larger than a whole produce request: the caller dead-letters it.
  recordTooLarge: 'KAFKA_RECORD_TOO_LARGE',
  // A bounded shutdown stopped waiting for the broker; the unacknowledged records are reported.
  abandoned: 'KAFKA_PRODUCER_ABANDONED',
  // The last records of a topic could not be read in time (where a backfill resumes).
  tailRead: 'KAFKA_TAIL_READ',
} as const;
export type KafkaErrorCode = CodeOf<typeof KafkaErrorCode>;

export class KafkaError extends defineErrors('KafkaError', 'KAFKA_', KafkaErrorCode) {}

export const UNREACHABLE_HINT =
  'start a local broker with `pnpm start` or `pnpm infra:up` (both write KAFKA_BROKERS to .data/infra.env, where a service started with KAFKA_BROKERS unset finds it) or set KAFKA_BROKERS to a reachable broker';
