import { runService } from '@rotation/service';
import pkg from '../package.json' with { type: 'json' };
import { startDetector } from './adapters/service.js';

/** The only wiring point: reads configuration once, starts the detector, stops it on a signal. */
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
