import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@rotation/log';
import { KafkaError, KafkaErrorCode, UNREACHABLE_HINT } from './errors.js';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** How long connecting may take before the broker counts as unreachable. */
  connectionTimeoutMs?: number;
}

/**
 * Warnings that do not apply to how the project uses kafkajs. Every idempotent producer here is
 * a BatchingProducer, which resends the same batch itself until its delivery timeout (kafkajs
 * advances sequence numbers only on success), so kafkajs' bounded internal retries do not
 * weaken idempotence; retrying forever inside kafkajs would instead hide failures from that
 * deadline. Printed once per producer, the warning told every ingest run something untrue.
 */
const NOT_APPLICABLE_WARNINGS = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/**
 * kafkajs logs routine group and connection churn at INFO; it is demoted to debug so service
 * logs stay about the service. Errors and warnings keep their level, except the ones above.
 */
export function logCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const child = { kafkajs: log.logger ?? 'kafkajs', ...extra };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN && !NOT_APPLICABLE_WARNINGS.has(message)) logger.warn(child, message);
      else logger.debug(child, message);
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: 30_000,
    // Retries with backoff cover broker restarts; callers that must fail fast check reachability first.
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    logLevel: logLevel.INFO,
    logCreator: logCreator(options.logger),
  };
  return new Kafka(config);
}

/**
 * Fails fast with the address and a hint when no broker answers, instead of kafkajs' retry
 * storm and a bare stack trace.
 */
export async function assertKafkaReachable(kafka: Kafka, brokers: string[], timeoutMs = 10_000): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        await admin.connect();
        await admin.describeCluster();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new KafkaError(
    KafkaErrorCode.unreachable,
    `Kafka at ${brokers.join(',')} is not reachable (${(lastError as Error | undefined)?.message ?? 'timed out'}); ${UNREACHABLE_HINT}`,
    { brokers },
    { cause: lastError },
  );
}
