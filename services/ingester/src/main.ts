/**
 * `pnpm ingest replay|synthetic|live|backfill|actions`: the ingester's only wiring point. Reads configuration
 * once, builds the source, runs the pipeline, prints a summary, and maps outcomes to exit
 * codes: 0 when the input ended or a signal stopped it (after flushing), 1 on a fatal error,
 * 2 on a usage or configuration error, 3 when the run ended (shutdown deadline or broker
 * failure) with accepted records the broker never acknowledged: the message counts them.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { childEnv, ConfigError, loadServiceConfig, localInfraNote, parseDuration, type Config } from '@rotation/config';
import { createLogger, type Logger } from '@rotation/log';
import { envHelp, EXIT_CODES_HELP, ExitCode, onStopSignals, withUsageExitCodes } from '@rotation/service';
import pkg from '../package.json' with { type: 'json' };
import { IngesterError, IngesterErrorCode } from './core/errors.js';
import type { IngestSource } from './core/ingest-source.js';
import type { QuoteSink } from './core/source.js';
import { counting } from './core/counting-sink.js';
import type { LiveSource } from './adapters/live/connection.js';
import { parseSpeed, type Speed } from './core/pacer.js';
import { SCENARIO_NAMES, type ScenarioName } from './core/synthetic/scenarios.js';
import { Pipeline, type RunSummary } from './adapters/pipeline.js';
import { ReplaySource } from './adapters/replay-source.js';
import { parseTimeframe, type Timeframe } from './core/parsers/bar-time.js';
import { isPriceBasis, PRICE_BASES, type PriceBasis } from './core/parsers/price-basis.js';
import { SyntheticSource } from './adapters/synthetic-source.js';
import { replayClockConflict, type ReplayRange } from './core/replay-guard.js';
import { resumeFromTails } from './core/synthetic/resume.js';

interface CommonOptions {
  json?: boolean;
  /** Replay: the namespace to publish into instead of ROTATION_NAMESPACE. */
  namespace?: string;
}

function speedArg(text: string): Speed {
  const s = parseSpeed(text);
  if (!s) throw new InvalidArgumentError('expected max, realtime or a positive factor such as 60');
  return s;
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function nonNegativeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || text.trim() === '') throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

function seedArg(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) throw new InvalidArgumentError('expected an integer 0..4294967295');
  return Number(text);
}

function durationArg(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error('zero');
    return ms;
  } catch {
    throw new InvalidArgumentError('expected a duration such as 90m, 6h or 2d');
  }
}

function isoArg(text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO date-time such as 2024-01-02T14:30:00Z');
  return ms;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** An option whose default is shown in --help as written on a command line, not as its parsed value. */
function withDefault<T>(flags: string, description: string, parse: (text: string) => T, value: T, shown: string): Option {
  return new Option(flags, description).argParser(parse).default(value, shown);
}

const speedOption = () => withDefault('--speed <speed>', 'max, realtime or a factor of event time', speedArg, { kind: 'max' } as Speed, 'max');

async function execute(opts: CommonOptions, service: boolean, build: (config: Config, logger: Logger) => Promise<IngestSource> | IngestSource): Promise<void> {
  let config: Config;
  try {
    config = loadServiceConfig(opts.namespace ? childEnv({ ROTATION_NAMESPACE: opts.namespace }) : undefined);
  } catch (e) {
    process.stderr.write(`ingester: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  // With --json stdout carries exactly one JSON object, so logs move to stderr.
  const logger = createLogger({ name: 'ingester', level: config.env.LOG_LEVEL, ...(opts.json ? { destination: process.stderr } : {}) });
  const infraNote = localInfraNote(config);
  if (infraNote) logger.info({ file: config.localInfraFile }, infraNote);
  let code = 0;
  let out = '';
  // Handlers from the start: a stop while the source is being built (a topic tail being read)
  // has nothing to flush, so it is a clean exit, not a death by signal.
  let pipeline: Pipeline | undefined;
  // A second signal a moment later: exit 130 at once, without the flush (onStopSignals logs it).
  onStopSignals(
    logger,
    (signal) => {
      if (!pipeline) {
        logger.info({ signal }, 'stopped during start-up: nothing was published');
        process.exit(0);
      }
      logger.info({ signal }, 'stopping: no more input, flushing what was accepted');
      void pipeline.stop();
    },
    () => process.exit(130),
  );
  try {
    const source = await build(config, logger);
    pipeline = new Pipeline({
      env: config.env,
      universe: config.universe,
      logger,
      source,
      service,
      ...(process.stderr.isTTY && !service ? { tty: process.stderr } : {}),
    });
    const summary = await pipeline.run();
    logger.info({ summary }, 'ingest finished');
    out = opts.json ? `${JSON.stringify(summary)}\n` : humanSummary(summary);
  } catch (e) {
    const err = e as Error & { code?: string };
    logger.error({ err }, 'ingest failed');
    code = exitCodeOf(err);
    // With --json a run that lost records still says so as one object: what a wrapper acts on.
    out = opts.json && err instanceof IngesterError && err.code === IngesterErrorCode.undelivered ? `${JSON.stringify({ error: err.code, message: err.message, ...err.context })}\n` : '';
    process.stderr.write(`ingester: ${err.message}\n`);
  }
  // Exit only once the summary is written: a pipe may take it asynchronously.
  if (out) (opts.json ? process.stdout : process.stderr).write(out, () => process.exit(code));
  else process.exit(code);
}

function exitCodeOf(err: Error): number {
  if (!(err instanceof IngesterError)) return 1;
  if (err.code === IngesterErrorCode.usage || err.code === IngesterErrorCode.replayClock) return 2;
  return err.code === IngesterErrorCode.undelivered ? 3 : 1;
}

function humanSummary(s: RunSummary): string {
  const list = (counts: Partial<Record<string, number>>) => Object.entries(counts).map(([r, n]) => `${r} ${n}`).join(', ');
  const reasons = list(s.deadLettersByReason);
  const extra = [
    ['ineligible prints', list(s.ineligibleByReason)],
    ['events', list(s.eventsByType)],
    ['skipped', list(s.skippedByReason)],
  ]
    .filter(([, text]) => text !== '')
    .map(([what, text]) => `, ${what} (${text})`)
    .join('');
  const basis = typeof s.input?.priceBasis === 'string' ? `, price basis ${s.input.priceBasis}` : '';
  const b = s.input?.backfill as { requests: number; bars: number; actions: number; published: number } | undefined;
  const history = b ? `, backfill (${b.requests} requests, ${b.bars} bars and ${b.actions} actions fetched, ${b.published} new)` : '';
  return `${s.source}${s.stopped ? ' (stopped)' : ''}: read ${s.read}, published ${s.published}, dead-lettered ${s.deadLettered}${reasons ? ` (${reasons})` : ''}, duplicates ${s.duplicates}${extra}${basis}${history}, ${(s.durationMs / 1000).toFixed(1)} s\n`;
}

// Usage errors exit 2 (commander's own would be 1); subcommands inherit it.
const program = withUsageExitCodes(new Command('ingest'))
  .description('Quotes -> validated ticks on <ns>.ticks; bad input -> <ns>.ticks.dlq')
  .version(pkg.version, '-V, --version', 'print the version and exit')
  .addHelpText(
    'after',
    `\n${envHelp(['ROTATION_NAMESPACE', 'KAFKA_BROKERS', 'INGESTER_HTTP_PORT', 'INGESTER_SHUTDOWN_TIMEOUT_MS', 'INGESTER_PRODUCE_MAX_BYTES', 'LOG_LEVEL'])}\n\n${EXIT_CODES_HELP}\n`,
  )
  .showHelpAfterError();

function priceBasisArg(text: string): PriceBasis {
  if (!isPriceBasis(text)) throw new InvalidArgumentError(`expected one of ${PRICE_BASES.join(', ')}`);
  return text;
}

function timeframeArg(text: string): Timeframe {
  const t = parseTimeframe(text);
  if (!t) throw new InvalidArgumentError('expected 1Day or a bar length such as 1Min, 5Min, 1Hour');
  return t;
}

program
  .command('replay')
  .description('Replay quote files (tick CSV, NDJSON, Yahoo, yfinance and Stooq daily CSV, Stooq bulk, Alpaca bars JSON; .gz ok) in event-time order')
  .requiredOption('--file <path>', 'input file; repeat for several', collect)
  .option('--symbol <symbol>', 'symbol of one-symbol daily files (default: from the file name)')
  .addOption(speedOption())
  .option('--price-basis <basis>', `${PRICE_BASES.join(', ')}: picks Yahoo/yfinance Close (split_adjusted) or Adj Close (total_return); states the basis of Alpaca exports (default unadjusted = adjustment=raw)`, priceBasisArg)
  .option('--allow-mixed-basis', 'replay files on different price bases together instead of refusing')
  .option('--timeframe <tf>', 'bar length of Alpaca / yfinance files that do not say it: 1Day, 1Min, 5Min, 1Hour ... (default: daily when every bar starts a day, else 1Min)', timeframeArg)
  .option('--namespace <ns>', 'publish into this namespace instead of ROTATION_NAMESPACE (a replay of another period, in a pipeline of its own)')
  .option('--force', "publish even when the replay's event time is before the namespace's clock or more than 7 days after it")
  .option('--json', 'print the summary as one JSON object on stdout (logs go to stderr)')
  .action(async (o: CommonOptions & { file: string[]; symbol?: string; speed: Speed; priceBasis?: PriceBasis; allowMixedBasis?: boolean; timeframe?: Timeframe; force?: boolean }) => {
    await execute(o, false, (config, logger) => {
      if (o.file.length === 0) throw new IngesterError(IngesterErrorCode.usage, 'replay needs at least one --file');
      return new ReplaySource({
        files: o.file,
        speed: o.speed,
        logger,
        maxDecompressedBytes: config.env.INGESTER_MAX_DECOMPRESSED_BYTES,
        maxGzipRatio: config.env.INGESTER_MAX_GZIP_RATIO,
        maxSpillBytes: config.env.INGESTER_MAX_SPILL_BYTES,
        ...(o.symbol ? { symbol: o.symbol } : {}),
        ...(o.priceBasis ? { priceBasis: o.priceBasis } : {}),
        ...(o.allowMixedBasis ? { allowMixedBasis: true } : {}),
        ...(o.timeframe ? { timeframe: o.timeframe } : {}),
        beforePublish: (range) => checkReplayClock(range, config, logger, Boolean(o.force)),
      });
    });
  });

/** Refuses a replay far from the namespace's clock (core/replay-guard.ts) unless --force. */
async function checkReplayClock(range: ReplayRange, config: Config, logger: Logger, force: boolean): Promise<void> {
  const [{ createKafka }, { topicNames }] = await Promise.all([import('@rotation/kafka'), import('@rotation/schemas')]);
  const { topicEnds } = await import('./adapters/backfill/resume-points.js');
  const topic = topicNames(config.namespace).ticks;
  const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: `${config.env.KAFKA_CLIENT_ID}-ingester-clock`, logger });
  const { ends } = await topicEnds(kafka, topic, config.universe.detector.historyBucket, logger);
  const known = ends.filter((e): e is number => e !== undefined);
  const clock = known.length > 0 ? { namespace: config.namespace, at: Math.max(...known), topic } : undefined;
  const conflict = replayClockConflict(range, clock);
  if (!conflict) return;
  if (force) {
    logger.warn({ namespace: config.namespace, first: new Date(range.first).toISOString(), clock: new Date(clock!.at).toISOString() }, `--force: publishing anyway (${conflict})`);
    return;
  }
  throw new IngesterError(IngesterErrorCode.replayClock, conflict, { namespace: config.namespace, first: range.first, last: range.last, clock: clock!.at });
}

program
  .command('synthetic')
  .description('Generate a seeded, deterministic scenario of correlated random walks for the whole universe')
  .requiredOption('--scenario <name>', `one of ${SCENARIO_NAMES.join(', ')}`, (v: string) => {
    if (!(SCENARIO_NAMES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${SCENARIO_NAMES.join(', ')}`);
    return v as ScenarioName;
  })
  .option('--seed <n>', 'PRNG seed (same seed, same ticks)', seedArg, 1)
  .addOption(withDefault('--duration <d>', 'event time covered, e.g. 6h, 2d', durationArg, 2 * 86_400_000, '2d'))
  .option('--rate <r>', 'ticks per second of event time, across the universe', positiveNumber, 10)
  .addOption(withDefault('--start <iso>', 'event time of the first tick', isoArg, Date.parse('2024-01-02T14:30:00Z'), '2024-01-02T14:30:00Z'))
  .addOption(speedOption())
  .option('--loop', 'start over (continuing event time) when the duration is done; runs as a service')
  .option('--continue', "continue the ticks topic: start after its newest tick (or at --start when later), from each symbol's last price there")
  .option('--drift-scale <x>', "multiply the scenario's drifts (0.25: a rotation at a pace markets see)", nonNegativeNumber, 1)
  .option('--json', 'print the summary as one JSON object on stdout (logs go to stderr)')
  .action(async (o: CommonOptions & { scenario: ScenarioName; seed: number; duration: number; rate: number; start: number; speed: Speed; loop?: boolean; continue?: boolean; driftScale: number }) => {
    await execute(o, Boolean(o.loop), async (config, logger) => {
      const resume = o.continue ? await ticksTopicResume(config, logger) : undefined;
      try {
        return new SyntheticSource({
          universe: config.universe,
          scenario: o.scenario,
          seed: o.seed,
          durationMs: o.duration,
          ratePerSec: o.rate,
          startMs: resume ? Math.max(o.start, resume.afterMs) : o.start,
          ...(resume ? { startPrices: resume.prices } : {}),
          driftScale: o.driftScale,
          speed: o.speed,
          loop: Boolean(o.loop),
        });
      } catch (e) {
        // The generator's range checks (rate per symbol) are option errors, not failures.
        throw new IngesterError(IngesterErrorCode.usage, `synthetic: ${(e as Error).message}`, {}, { cause: e });
      }
    });
  });

program
  .command('live')
  .description('Stream trades from a market-data provider (keys from the environment), after backfilling the history the measures need')
  .requiredOption('--provider <name>', 'alpaca, polygon or finnhub', providerArg)
  .option('--no-backfill', 'stream without fetching history first (also INGESTER_BACKFILL=false)')
  .option('--json', 'print the summary as one JSON object on stdout (logs go to stderr)')
  .action(async (o: CommonOptions & { provider: Provider; backfill: boolean }) => {
    await execute(o, true, async (config, logger) => {
      // Loaded on demand: replay and synthetic runs do not need the websocket stack.
      const { createLiveSource } = await import('./adapters/live/index.js');
      const live = createLiveSource(o.provider, { env: config.env, universe: config.universe, logger });
      const actions = await corporateActionsFor(o.provider, config, logger);
      const history = o.backfill && config.env.INGESTER_BACKFILL && !(o.provider === 'alpaca' && config.env.ALPACA_FEED === 'test');
      if (!history) {
        logger.info({ provider: o.provider }, 'backfill off: the measures fill as the stream brings history');
        return streamOnly(o.provider, live, actions);
      }
      const b = await import('./adapters/backfill/index.js');
      const setup = b.createBackfill(o.provider, { env: config.env, universe: config.universe, logger });
      return new b.LiveBackfillSource({
        name: o.provider,
        live,
        ...setup,
        topicEnds: () => ticksTopicEnds(config, logger),
        // Splits and dividends of the coming weeks go out beside the stream once the history is out.
        ...(actions ? { beside: (sink: QuoteSink, stream: Promise<void>) => actions.around(sink, () => stream) } : {}),
        logger,
      });
    });
  });

program
  .command('backfill')
  .description("Publish a provider's REST history (daily bars, minute bars for the last sessions, corporate actions) for a span; what the ticks topic has is skipped")
  .requiredOption('--provider <name>', 'alpaca, polygon or finnhub', providerArg)
  .requiredOption('--from <date>', 'first New York date of the span, YYYY-MM-DD', dateArg)
  .option('--to <date>', 'last New York date, inclusive (default: today, up to the last settled minute)', dateArg)
  .option('--minute-sessions <n>', 'the span\'s last sessions fetched as minute bars (default INGESTER_BACKFILL_MINUTE_SESSIONS)', positiveInteger)
  .option('--json', 'print the summary as one JSON object on stdout (logs go to stderr)')
  .action(async (o: CommonOptions & { provider: Provider; from: string; to?: string; minuteSessions?: number }) => {
    await execute(o, false, async (config, logger) => {
      if (o.to !== undefined && o.to < o.from) throw new IngesterError(IngesterErrorCode.usage, `--to ${o.to} is before --from ${o.from}`);
      const b = await import('./adapters/backfill/index.js');
      const setup = b.createBackfill(o.provider, { env: config.env, universe: config.universe, logger });
      return new b.HistorySource({
        name: o.provider,
        ...setup,
        ...(o.minuteSessions !== undefined ? { minuteSessions: o.minuteSessions } : {}),
        from: o.from,
        ...(o.to !== undefined ? { to: o.to } : {}),
        topicEnds: () => ticksTopicEnds(config, logger),
        logger,
      });
    });
  });

type Provider = 'alpaca' | 'polygon' | 'finnhub';

function providerArg(v: string): Provider {
  if (v !== 'alpaca' && v !== 'polygon' && v !== 'finnhub') throw new InvalidArgumentError('expected alpaca, polygon or finnhub');
  return v;
}

function dateArg(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) !== text) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return text;
}

function positiveInteger(text: string): number {
  if (!/^[1-9]\d{0,2}$/.test(text)) throw new InvalidArgumentError('expected a whole number from 1 to 999');
  return Number(text);
}

/** Where a synthetic run continuing the ticks topic starts (core/synthetic/resume.ts); undefined on an empty topic. */
async function ticksTopicResume(config: Config, logger: Logger) {
  const [{ createKafka, readPartitionTails, ensureTopics, topicLayoutFromEnv }, { topicNames }] = await Promise.all([import('@rotation/kafka'), import('@rotation/schemas')]);
  const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: `${config.env.KAFKA_CLIENT_ID}-ingester-resume`, logger });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // The topic may not exist yet on a first run; the pipeline would create it anyway.
    await ensureTopics(admin, config.namespace, topicLayoutFromEnv(config.env), logger);
  } finally {
    await admin.disconnect();
  }
  // Every symbol ticks once per step, so a few hundred records per partition reach each one's last.
  const tails = await readPartitionTails(kafka, topicNames(config.namespace).ticks, RESUME_TAIL_RECORDS, logger);
  const resume = resumeFromTails(tails);
  if (resume) logger.info({ after: new Date(resume.afterMs).toISOString(), symbols: Object.keys(resume.prices).length }, 'synthetic: continuing the ticks topic after its newest tick, from its last prices');
  else logger.info({}, 'synthetic: the ticks topic has no ticks; starting fresh');
  return resume;
}

const RESUME_TAIL_RECORDS = 2_000;

/** Where the ticks topic's history ends per symbol, read once with a client of its own. */
async function ticksTopicEnds(config: Config, logger: Logger) {
  const [{ createKafka }, { topicEnds }, { topicNames }] = await Promise.all([import('@rotation/kafka'), import('./adapters/backfill/index.js'), import('@rotation/schemas')]);
  const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: `${config.env.KAFKA_CLIENT_ID}-ingester-tail`, logger });
  const { endOf, ends } = await topicEnds(kafka, topicNames(config.env.ROTATION_NAMESPACE).ticks, config.universe.detector.historyBucket, logger);
  logger.info({ partitionEnds: ends.map((e) => (e === undefined ? null : new Date(e).toISOString())) }, 'backfill: where the ticks topic ends');
  return endOf;
}

/** The stream alone (no backfill): corporate actions go out beside it, ahead of its first trade when the API is quick. */
function streamOnly(name: Provider, live: LiveSource, actions: Awaited<ReturnType<typeof corporateActionsFor>>): IngestSource {
  let delivered = 0;
  return {
    name,
    live: true,
    run: (sink) => {
      const counted = counting(sink, () => (delivered += 1));
      return actions ? actions.around(counted, (held) => live.start(held)) : live.start(counted);
    },
    stop: () => live.stop(),
    progress: () => ({ done: delivered, total: undefined }),
    feed: () => live.status(),
  };
}

/** The live feed's corporate-actions refresher; none for Finnhub (plan-dependent endpoint) or when switched off. */
async function corporateActionsFor(provider: Provider, config: Config, logger: Logger) {
  if (!config.env.INGESTER_ACTIONS_FETCH) return undefined;
  if (provider === 'finnhub') {
    logger.info({ provider }, 'corporate actions: not fetched for finnhub (its split and dividend endpoints depend on the plan); use pnpm ingest actions <file>');
    return undefined;
  }
  const { createCorporateActionsRefresher } = await import('./adapters/corporate-actions/index.js');
  return createCorporateActionsRefresher(provider, { env: config.env, universe: config.universe, logger });
}

program
  .command('actions')
  .description('Publish corporate actions (splits, dividends) from a CSV (symbol,action,ex_date,ratio,amount) or NDJSON file')
  .argument('<file>', 'CSV with a header, or NDJSON of {symbol, action, exDate, ratio?, amount?, id?, ts?}; .gz ok')
  .option('--json', 'print the summary as one JSON object on stdout (logs go to stderr)')
  .action(async (file: string, o: CommonOptions) => {
    await execute(o, false, async () => {
      const { ActionsFileSource } = await import('./adapters/corporate-actions/file-source.js');
      return new ActionsFileSource({ file });
    });
  });

await program.parseAsync(process.argv);
