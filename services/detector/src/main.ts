import { ConfigError, loadServiceConfig, localInfraNote, type Config } from '@rotation/config';
import { createLogger } from '@rotation/log';
import { ExitCode, parseServiceCli } from '@rotation/service';
import pkg from '../package.json' with { type: 'json' };
import { startDetector } from './adapters/service.js';

/** The only wiring point: reads configuration once, starts the detector, stops it on a signal. */
async function main(): Promise<void> {
  parseServiceCli({
    name: 'detector',
    version: pkg.version,
    description: 'Consumes <ns>.ticks, keeps rotation state in Redis, publishes alerts and snapshots. Configured from the environment; one instance is active, others are hot standbys.',
    env: ['ROTATION_NAMESPACE', 'KAFKA_BROKERS', 'REDIS_URL', 'DETECTOR_HTTP_PORT', 'DETECTOR_SHUTDOWN_TIMEOUT_MS', 'DETECTOR_INSTANCE_ID', 'DETECTOR_FETCH_MAX_BYTES', 'LOG_LEVEL'],
  });
  let config: Config;
  try {
    config = loadServiceConfig();
  } catch (err) {
    process.stderr.write(`detector: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  const logger = createLogger({ name: 'detector', level: config.env.LOG_LEVEL });
  const infraNote = localInfraNote(config);
  if (infraNote) logger.info({ file: config.localInfraFile }, infraNote);
  let handle;
  try {
    handle = await startDetector({ config, logger, onFatal: () => process.exit(ExitCode.failure) });
  } catch (err) {
    logger.fatal({ err }, (err as Error).message);
    process.exitCode = ExitCode.failure;
    return;
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal, timeoutMs: config.env.DETECTOR_SHUTDOWN_TIMEOUT_MS }, 'stopping: finishing the in-flight batch');
    // Exit 3: the shutdown deadline was reached (Redis or Kafka down); nothing committed is lost.
    handle.stop().then(
      (outcome) => process.exit(outcome === 'clean' ? ExitCode.ok : ExitCode.incomplete),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(ExitCode.failure);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
