import { loadConfig } from '@rotation/config';
import { createLogger } from '@rotation/log';
import { startDetector } from './adapters/service.js';

/** The only wiring point: reads configuration once, starts the detector, stops it on a signal. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'detector', level: config.env.LOG_LEVEL });
  let handle;
  try {
    handle = await startDetector({ config, logger, onFatal: () => process.exit(1) });
  } catch (err) {
    logger.fatal({ err }, (err as Error).message);
    process.exitCode = 1;
    return;
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'stopping: finishing the in-flight batch');
    handle.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
