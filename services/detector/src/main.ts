import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '@rotation/config';
import { redactUrl, type Logger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { runService, type StopOutcome } from '@rotation/service';
import pkg from '../package.json' with { type: 'json' };
import { compileSettings, type CompiledSettings } from './core/settings.js';
import { batchHandler } from './adapters/batch-handler.js';
import { connectClients } from './adapters/clients.js';
import { Closers } from './adapters/closers.js';
import { createDetectorConsumer, startConsuming, watchAssignments } from './adapters/consumer.js';
import { initialState } from './adapters/context.js';
import { createMetrics, portOf, probePorts, startProbes, type Metrics } from './adapters/http.js';
import { retryPublishes } from './adapters/outbox.js';
import { detectorKeys } from './adapters/redis-keys.js';
import { boundedStop } from './adapters/stop.js';

export interface StartDetectorOptions {
  config: Config;
  logger: Logger;
  /** Overrides DETECTOR_HTTP_PORT (tests pass 0 for an ephemeral port, or null for none). */
  httpPort?: number | null;
  /** Instance name (defaults to DETECTOR_INSTANCE_ID or host:pid). */
  instanceId?: string;
  /** Called when the consumer crashed for good (main.ts exits so a supervisor restarts it). */
  onFatal?: (error: Error) => void;
}

export interface DetectorHandle {
  /**
   * Stops consuming, lets the in-flight batch commit, publishes the outbox, closes everything,
   * within DETECTOR_SHUTDOWN_TIMEOUT_MS (or `timeoutMs`). Past it (Redis or Kafka down) the
   * connections are dropped: what was not committed is consumed again from the stored offsets
   * by the next start, and committed alerts not yet on Kafka go out from the outbox then.
   */
  stop(timeoutMs?: number): Promise<StopOutcome>;
  /** Resolves once the instance has joined its consumer group. */
  readonly joined: Promise<void>;
  readonly metrics: Metrics;
  readonly httpPort: number | null;
  /** Whether this instance currently owns the ticks partitions. */
  readonly active: boolean;
  readonly settings: CompiledSettings;
}

/**
 * Wires Kafka, Redis, the detector core and the outbox: the process below and the integration
 * tests (in-process) start the same wiring. Each step lives in its own adapter: clients.ts
 * (connect), consumer.ts (group, assignments), batch-handler.ts and rules-batch.ts (the
 * batches), commits.ts, http.ts (probes), stop.ts.
 */
export async function startDetector(options: StartDetectorOptions): Promise<DetectorHandle> {
  const { config, logger } = options;
  const env = config.env;
  const ns = config.namespace;
  const topics = topicNames(ns);
  const settings = compileSettings(config.universe);
  const keys = detectorKeys(ns);
  const instance = options.instanceId ?? env.DETECTOR_INSTANCE_ID ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ instance });
  const metrics = createMetrics();
  const closers = new Closers(log);

  try {
    const { kafka, partitions, lanes, redis, commitConn, store, outbox } = await connectClients(config, settings, log, closers);
    const state = initialState();
    const consumer = createDetectorConsumer(kafka, config, instance, state, log, (err) => void handle.stop().finally(() => options.onFatal?.(err)));
    const joined = watchAssignments({ consumer, state, topics, keys, redis, outbox, metrics, log });
    await startConsuming(consumer, topics, closers, batchHandler({ state, settings, lanes, topics, store, outbox, consumer, metrics, log }));

    const stopRetries = retryPublishes(outbox, () => state.active && !state.stopping);
    closers.push(async () => stopRetries());

    const server = await startProbes(probePorts(options.httpPort, env.DETECTOR_HTTP_PORT), metrics, state, commitConn, instance);
    if (server) closers.push(() => new Promise<void>((r) => server.close(() => r())));
    log.info({ namespace: ns, lanes, partitions, httpPort: portOf(server), redis: redactUrl(env.REDIS_URL) }, 'detector started');

    const handle: DetectorHandle = {
      stop: boundedStop({ state, consumer, outbox, redis, commitConn, server, closers, log }, env.DETECTOR_SHUTDOWN_TIMEOUT_MS),
      joined,
      metrics,
      get httpPort() {
        return portOf(server);
      },
      get active() {
        return state.active;
      },
      settings,
    };
    return handle;
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}

/** The process: reads configuration once, starts the detector, stops it on a signal. */
async function main(): Promise<void> {
  await runService({
    name: 'detector',
    version: pkg.version,
    description: 'Consumes <ns>.ticks, keeps rotation state in Redis, publishes alerts and snapshots. Configured from the environment; one instance is active, others are hot standbys.',
    env: ['ROTATION_NAMESPACE', 'KAFKA_BROKERS', 'REDIS_URL', 'DETECTOR_HTTP_PORT', 'DETECTOR_SHUTDOWN_TIMEOUT_MS', 'DETECTOR_INSTANCE_ID', 'DETECTOR_FETCH_MAX_BYTES', 'LOG_LEVEL'],
    start: (config, logger, fatal) => startDetector({ config, logger, onFatal: fatal }),
    // Past the deadline (Redis or Kafka down) it exits 3; nothing committed is lost.
    stop: (handle) => handle.stop(),
    shutdownTimeoutMs: (config) => config.env.DETECTOR_SHUTDOWN_TIMEOUT_MS,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
