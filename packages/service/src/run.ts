import { loadConfig, type Config } from '@rotation/config';
import { createLogger, type Logger } from '@rotation/log';
import { parseServiceCli, type ServiceCliSpec } from './cli.js';
import type { StopOutcome } from './deadline.js';
import { ExitCode } from './exit-codes.js';

/** What a long-running service (detector, gateway) gives `runService`; its main.ts wires the rest. */
export interface ServiceSpec<H> extends ServiceCliSpec {
  /** Starts everything; `fatal` ends the process with exit 1 (a consumer that crashed for good). */
  start: (config: Config, logger: Logger, fatal: () => void) => Promise<H>;
  /** Stops within the service's deadline (its SHUTDOWN_TIMEOUT_MS). */
  stop: (handle: H) => Promise<StopOutcome>;
  /** Logged with the stop, so an operator knows how long to wait. */
  shutdownTimeoutMs: (config: Config) => number;
  /** The line logged once the service is started (with what `started` returns). */
  started?: (handle: H) => { message: string; fields?: Record<string, unknown> };
}

/**
 * One process life for every service: the command line (--help, --version), the configuration
 * read once (a bad one exits 2 before anything starts), the logger, the start (a failure exits 1
 * with its message), and SIGINT/SIGTERM (stop within the deadline: exit 0, or 3 past it; a
 * second signal exits 1 at once).
 */
export async function runService<H>(spec: ServiceSpec<H>): Promise<void> {
  parseServiceCli(spec);
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${spec.name}: ${(err as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  const logger = createLogger({ name: spec.name, level: config.env.LOG_LEVEL });
  let handle: H;
  try {
    handle = await spec.start(config, logger, () => process.exit(ExitCode.failure));
  } catch (err) {
    logger.fatal({ err, code: (err as { code?: string }).code }, (err as Error).message);
    process.exit(ExitCode.failure);
  }
  if (spec.started) {
    const line = spec.started(handle);
    logger.info(line.fields ?? {}, line.message);
  }
  onStopSignals(logger, (signal) => {
    logger.info({ signal, timeoutMs: spec.shutdownTimeoutMs(config) }, 'stopping');
    spec.stop(handle).then(
      (outcome) => process.exit(outcome === 'clean' ? ExitCode.ok : ExitCode.incomplete),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(ExitCode.failure);
      },
    );
  });
}

/**
 * SIGINT and SIGTERM: the first calls `stop`, a second one `again` (by default exit 1 at once,
 * for the operator who does not want to wait for the flush).
 */
export function onStopSignals(logger: Logger, stop: (signal: NodeJS.Signals) => void, again: (signal: NodeJS.Signals) => void = () => process.exit(ExitCode.failure)): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now, without waiting for the stop');
      again(signal);
      return;
    }
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
