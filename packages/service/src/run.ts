import { loadServiceConfig, localInfraNote, type Config } from '@rotation/config';
import { createLogger, type Logger } from '@rotation/log';
import { parseServiceCli, type ServiceCliSpec } from './cli.js';
import type { StopOutcome } from './deadline.js';
import { ExitCode } from './exit-codes.js';
import { signalGate } from './signals.js';

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
 * read once (a bad one exits 2 before anything starts; KAFKA_BROKERS / REDIS_URL left unset come
 * from a running local stack's infra.env), the logger, the start (a failure exits 1 with its
 * message), and SIGINT/SIGTERM (stop within the deadline: exit 0, or 3 past it; a second signal
 * a moment later exits 1 at once). A signal during the start waits for it, within the same
 * deadline, and then stops what it started.
 */
export async function runService<H>(spec: ServiceSpec<H>): Promise<void> {
  parseServiceCli(spec);
  let config: Config;
  try {
    config = loadServiceConfig();
  } catch (err) {
    process.stderr.write(`${spec.name}: ${(err as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  const logger = createLogger({ name: spec.name, level: config.env.LOG_LEVEL });
  const infraNote = localInfraNote(config);
  if (infraNote) logger.info({ file: config.localInfraFile }, infraNote);
  // The handlers go in before the start, so a signal while it connects (an orchestrator that
  // changed its mind, a quick Ctrl-C) is a stop, not the default handler's instant death.
  let stopRequested: NodeJS.Signals | undefined;
  let stopNow: ((signal: NodeJS.Signals) => void) | undefined = undefined;
  onStopSignals(logger, (signal) => {
    logger.info({ signal, timeoutMs: spec.shutdownTimeoutMs(config) }, 'stopping');
    if (stopNow) return stopNow(signal);
    stopRequested = signal;
    // A start that cannot finish (Kafka unreachable, retrying) must not hold the stop past its bound.
    setTimeout(() => {
      logger.warn('the start-up did not finish within the stop deadline: exiting without it');
      process.exit(ExitCode.incomplete);
    }, spec.shutdownTimeoutMs(config)).unref();
  });
  logger.info({ version: spec.version, pid: process.pid }, 'starting');
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
  stopNow = () => {
    spec.stop(handle).then(
      (outcome) => process.exit(outcome === 'clean' ? ExitCode.ok : ExitCode.incomplete),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(ExitCode.failure);
      },
    );
  };
  if (stopRequested) stopNow(stopRequested);
}

/**
 * SIGINT and SIGTERM: the first calls `stop`; the copy of one Ctrl-C that pnpm relays is ignored
 * (signalGate); a second signal after that calls `again` (by default exit 1 at once, for the
 * operator who does not want to wait for the flush).
 */
export function onStopSignals(logger: Logger, stop: (signal: NodeJS.Signals) => void, again: (signal: NodeJS.Signals) => void = () => process.exit(ExitCode.failure)): void {
  const gate = signalGate();
  const onSignal = (signal: NodeJS.Signals) => {
    const meaning = gate();
    if (meaning === 'same') return;
    if (meaning === 'again') {
      logger.warn({ signal }, 'second signal: exiting now, without waiting for the stop');
      again(signal);
      return;
    }
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
