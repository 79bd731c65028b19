import type { Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import type { SinkConfig } from '@rotation/webhooks';
import type { Metrics } from './metrics.js';
import { WebhookRelay } from './webhook-relay.js';
import { WebhookSinks } from './webhook-sinks.js';

export interface WebhookHostOptions {
  kafka: Kafka;
  alertsTopic: string;
  groupId: string;
  redis: Redis;
  keys: { sinks: string; version: string; deadLetters: string };
  fileSinks: readonly SinkConfig[];
  allowPrivateTargets: boolean;
  logger: Logger;
  metrics: Metrics;
  pollMs?: number;
}

export interface WebhookHost {
  sinks: WebhookSinks;
  /** The relay has joined its group: alerts consumed from now on reach the sinks. */
  relayRunning: () => boolean;
  stop: () => Promise<void>;
}

/**
 * The webhook side of a gateway: the sinks (file + API), and the relay that posts to them,
 * started with the first sink (at start-up, or when one is added) rather than on every gateway.
 */
export async function startWebhooks(o: WebhookHostOptions): Promise<WebhookHost> {
  const logger = o.logger.child({ component: 'webhooks' });
  let relay: WebhookRelay | undefined;
  let running = false;
  const ensureRelay = async (first: SinkConfig): Promise<void> => {
    const r = new WebhookRelay({ kafka: o.kafka, topic: o.alertsTopic, groupId: o.groupId, sinks: [first], allowPrivateTargets: o.allowPrivateTargets, redis: o.redis, deadLetterKey: o.keys.deadLetters, logger: o.logger, metrics: o.metrics });
    relay = r;
    try {
      await r.start();
      running = true;
    } catch (error) {
      // The next change tries again; the sinks stay stored.
      relay = undefined;
      await r.stop().catch(() => undefined);
      logger.error({ err: (error as Error).message }, 'webhook relay could not start; sinks are kept and it is retried with the next change');
    }
  };
  const sinks = new WebhookSinks({
    redis: o.redis,
    keys: { sinks: o.keys.sinks, version: o.keys.version },
    fileSinks: o.fileSinks,
    logger,
    pollMs: o.pollMs ?? 1_000,
    apply: async (name, config) => {
      if (!config) return void (await relay?.remove(name));
      if (relay) relay.upsert(config);
      else await ensureRelay(config);
    },
  });
  await sinks.start();
  return {
    sinks,
    relayRunning: () => running,
    stop: async () => {
      sinks.stop();
      await relay?.stop();
    },
  };
}
