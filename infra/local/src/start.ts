/**
 * `pnpm start`: the whole product on one machine with one command. Starts Kafka and Redis (unless
 * KAFKA_BROKERS / REDIS_URL are set), creates the topics, builds the dashboard if its sources
 * changed, runs the detector and the gateway, feeds them (a synthetic small-cap rotation, or a
 * live provider with --source live), and prints where to look. Ctrl-C stops everything it
 * started: the feed first (so it flushes), then the services, then the infrastructure. Data under
 * .data/ stays, and the next start continues from it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { childEnv, ConfigError, DEFAULT_DETECTOR_HTTP_PORT, DEFAULT_INGESTER_HTTP_PORT, loadConfig, parseDuration, type Config } from '@rotation/config';
import { createKafka, ensureTopics, topicLayoutFromEnv } from '@rotation/kafka';
import { silentLogger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { connectRedis, createRedis, sharedKeys } from '@rotation/redis';
import { buildDashboard, DIST_DIR, isStale } from '@rotation/dashboard';
import { DEMO_DEFAULTS, demoPlan, describeSpeed } from './demo-plan.js';
import { infraUp, type UpResult } from './infra.js';
import { stopKafkaBroker } from './kafka-broker.js';
import { compactLogLine, type Level } from './log-lines.js';
import { DATA_DIR, REPO_ROOT } from './paths.js';
import { freePort, isPortFree } from './ports.js';
import { stopRedisServer } from './redis-server.js';
import { startService, type ServiceHandle } from './service-process.js';
import { clearState, readState, writeState } from './state.js';
import { waitForPort } from './wait-port.js';
import { gatewaySnapshotProbe, waitForData } from './wait-data.js';

type Provider = 'alpaca' | 'polygon' | 'finnhub';
interface Options {
  source: 'demo' | 'live' | 'replay';
  provider?: Provider;
  file?: string[];
  speed: number;
  warmup: number;
  verbose?: boolean;
  fresh?: boolean;
  dataDir: string;
}

const program = new Command('start')
  .description('Kafka + Redis + detector + gateway + a feed, and the dashboard at http://localhost:8080/')
  .addOption(new Option('--source <source>', 'demo (synthetic small-cap rotation), live (a market-data provider) or replay (your own files)').choices(['demo', 'live', 'replay']).default('demo'))
  .option('--file <path>', 'replay: an input file of any format `pnpm ingest replay` reads; repeat for several', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
  .addOption(new Option('--provider <name>', 'live provider; its keys come from the environment (see docs/configuration.md)').choices(['alpaca', 'polygon', 'finnhub']))
  .option('--speed <factor>', 'pace: event-time seconds per wall second (demo default 3600; a replay runs at full speed unless given)', positive, DEMO_DEFAULTS.speed)
  .option('--warmup <duration>', 'demo: quiet history fed at full speed on a fresh pipeline (0 = none)', duration, DEMO_DEFAULTS.warmupMs)
  .option('--verbose', 'print every service log line at info and above (the feed included)')
  .option('--fresh', "start the namespace over: delete its topics and Redis keys first (after a settings change, or to replay the demo from the start)")
  .option('--data-dir <dir>', 'data, logs and infrastructure state', DATA_DIR)
  .showHelpAfterError();

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function duration(text: string): number {
  if (text === '0') return 0;
  try {
    return parseDuration(text);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 30d or 0');
  }
}

// ---------------------------------------------------------------- console

const colour = process.stdout.hasColors?.() ?? false;
const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => paint('1', s);
const dim = (s: string) => paint('2', s);
const SERVICE_COLOUR: Record<string, string> = { detector: '36', gateway: '35', feed: '33', warmup: '33', start: '32' };
const LEVEL_COLOUR: Partial<Record<Level, string>> = { warn: '33', error: '31', fatal: '31' };

/** A path as short as it can be: relative when under the working directory, else absolute. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

function say(text: string): void {
  process.stdout.write(`${paint(SERVICE_COLOUR.start!, 'start   ')} ${text}\n`);
}

function printService(name: string, level: Level, text: string): void {
  const tag = paint(SERVICE_COLOUR[name] ?? '37', name.padEnd(8));
  const lvl = level === 'info' ? '' : `${paint(LEVEL_COLOUR[level] ?? '2', level.toUpperCase())} `;
  process.stdout.write(`${tag} ${lvl}${text}\n`);
}

// ---------------------------------------------------------------- steps

/** The port a service asks for, or a free one when that is taken and the user did not insist on it. */
async function choosePort(name: string, wanted: number, explicit: boolean): Promise<number> {
  if (wanted === 0 || (await isPortFree(wanted))) return wanted;
  if (explicit) throw new Error(`${name} port ${wanted} is in use (set by you); free it or choose another`);
  const port = await freePort();
  say(`port ${wanted} is in use: ${name} uses ${port} instead`);
  return port;
}

async function ensureAllTopics(config: Config, fresh: boolean): Promise<void> {
  const kafka = createKafka({ brokers: config.env.KAFKA_BROKERS, clientId: `${config.env.KAFKA_CLIENT_ID}-start`, logger: silentLogger() });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (fresh) {
      const existing = new Set(await admin.listTopics());
      const ours: string[] = Object.values(topicNames(config.namespace)).filter((t) => existing.has(t));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 30_000 });
      // Topic deletion is asynchronous in Kafka: wait until the names are gone before re-creating.
      for (let i = 0; i < 100 && (await admin.listTopics()).some((t) => ours.includes(t)); i++) await sleep(200);
    }
    // Right after a deletion the broker may still be dropping the old partitions: retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureTopics(admin, config.namespace, topicLayoutFromEnv(config.env), silentLogger());
        break;
      } catch (e) {
        if (!fresh || attempt >= 15) throw e;
        await sleep(1_000);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every Redis key of the namespace (`<ns>:*`), in batches. */
async function dropRedisKeys(config: Config): Promise<number> {
  const redis = createRedis({ url: config.env.REDIS_URL, logger: silentLogger(), connectionName: 'rotation-start' });
  let dropped = 0;
  try {
    await connectRedis(redis, config.env.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.namespace}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) dropped += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return dropped;
}

/** The detector's event time from its last committed snapshot, or null on a fresh pipeline. */
async function detectorClock(config: Config): Promise<number | null> {
  const redis = createRedis({ url: config.env.REDIS_URL, logger: silentLogger(), connectionName: 'rotation-start' });
  try {
    await connectRedis(redis, config.env.REDIS_URL);
    const raw = await redis.get(sharedKeys(config.namespace).snapshot);
    if (!raw) return null;
    // Only asOf matters here (a SnapshotRecord's snapshot.asOf); anything unreadable means "fresh".
    const asOf = (JSON.parse(raw) as { snapshot?: { asOf?: unknown } }).snapshot?.asOf;
    const ms = typeof asOf === 'string' ? Date.parse(asOf) : Number.NaN;
    return Number.isNaN(ms) ? null : ms;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Whether the namespace has a committed snapshot in Redis (auth on: the API will not say). */
async function storedSnapshot(config: Config): Promise<boolean> {
  const redis = createRedis({ url: config.env.REDIS_URL, logger: silentLogger(), connectionName: 'rotation-start' });
  try {
    await connectRedis(redis, config.env.REDIS_URL);
    return (await redis.exists(sharedKeys(config.namespace).snapshot)) === 1;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The last lines this run wrote to a service's log (the file also holds earlier runs). */
async function tail(file: string, lines = 12): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const thisRun = text.slice(text.lastIndexOf('\n# ') + 1);
  return thisRun
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => compactLogLine(l)?.text ?? l)
    .join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = program.parse().opts<Options>();
  if (opts.source === 'live' && !opts.provider) program.error('--source live needs --provider alpaca|polygon|finnhub');
  if (opts.source === 'replay' && !opts.file?.length) program.error('--source replay needs --file F [--file G …]');
  if (opts.source !== 'replay' && opts.file?.length) program.error('--file is for --source replay');
  const dataDir = path.resolve(opts.dataDir);
  const logDir = path.join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const t0 = Date.now();

  const services: ServiceHandle[] = [];
  let feed: ServiceHandle | undefined;
  let up: UpResult | undefined;
  let stopping: Promise<void> | undefined;

  const stopAll = (why: string, code: number): Promise<void> =>
    (stopping ??= (async () => {
      say(`${why}: stopping…`);
      // Judged on what was still running: a feed that had ended (a replay done or refused) said so then.
      const runningAtStop = [feed, ...services].filter((s): s is ServiceHandle => s?.running() === true);
      // The feed first so it flushes what it accepted; then the services (the gateway tells its clients).
      if (feed) await feed.stop(15_000);
      await Promise.all(services.map((s) => s.stop(15_000)));
      const stopped = [feed, ...services].filter((s): s is ServiceHandle => s !== undefined);
      for (const s of stopped) say(`stopped ${s.name} ${dim(`(pid ${s.pid})`)}`);
      // A signal asked for the stop; it is clean only if every process finished its work (exit 0).
      // Death by the SIGTERM itself means it came before the process set up its handlers, i.e.
      // before it had work in hand (the detector's commits are atomic anyway); SIGKILL is the
      // grace period running out, and a non-zero code a failed stop.
      const unclean = (await Promise.all(runningAtStop.map(async (s) => [s.name, await s.exited] as const))).filter(([, c]) => c !== 0 && c !== 'SIGTERM');
      if (unclean.length > 0) say(paint('31', `not a clean stop: ${unclean.map(([n, c]) => `${n} exited ${c}`).join(', ')}; see ${shown(logDir)}`));
      if (up) await stopInfra(up, dataDir);
      say(`done; data kept in ${shown(dataDir)}`);
      process.exit(code === 0 && unclean.length > 0 ? 1 : code);
    })());

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice: from the terminal to the whole process group and relayed by
    // the tsx/pnpm wrappers. Only a second press a moment later means "stop waiting".
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt < 1_500) return;
      say(`${signal} again: killing everything now`);
      for (const s of [feed, ...services]) if (s) killGroup(s.pid);
      if (up) for (const pid of startedInfraPids(up)) killGroup(pid);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void stopAll(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}`, 0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // If this process dies some other way, its children must not live on.
  process.on('exit', (code) => {
    const left = [feed, ...services].filter((s): s is ServiceHandle => Boolean(s?.running()));
    if (left.length > 0) process.stdout.write(`start    exiting early (code ${code}): killing ${left.map((s) => s.name).join(', ')}\n`);
    for (const s of left) killGroup(s.pid);
    if (up && left.length > 0) for (const pid of startedInfraPids(up)) killGroup(pid);
  });

  try {
    say(bold('rotation-stream: starting the local stack'));

    say('Kafka and Redis…');
    up = await infraUp((m) => say(dim(m)), dataDir);
    for (const s of up.reused) say(`reusing ${s}`);
    for (const s of up.started) say(`started ${s}`);
    if (up.started.length === 0 && up.reused.length === 0) say(`using KAFKA_BROKERS=${up.state.kafkaBrokers} REDIS_URL=${up.state.redisUrl}`);

    // The user's own settings (namespace, tokens, ports…) are kept; we add what the stack needs.
    const given = childEnv();
    const base = loadConfig({ ...given, KAFKA_BROKERS: up.state.kafkaBrokers, REDIS_URL: up.state.redisUrl });
    const gatewayPort = await choosePort('gateway', base.env.GATEWAY_PORT, 'GATEWAY_PORT' in given);
    const detectorPort = await choosePort('detector metrics', base.env.DETECTOR_HTTP_PORT ?? DEFAULT_DETECTOR_HTTP_PORT, 'DETECTOR_HTTP_PORT' in given);
    const ingesterPort = await choosePort('feed metrics', base.env.INGESTER_HTTP_PORT ?? DEFAULT_INGESTER_HTTP_PORT, 'INGESTER_HTTP_PORT' in given);
    const env = childEnv({
      KAFKA_BROKERS: up.state.kafkaBrokers,
      REDIS_URL: up.state.redisUrl,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_STATIC_DIR: DIST_DIR,
      DETECTOR_HTTP_PORT: String(detectorPort),
      INGESTER_HTTP_PORT: String(ingesterPort),
      // A replay gets a pipeline of its own: its event time is not the demo's (ingester.md, "The namespace's clock").
      ...(opts.source === 'replay' && !('ROTATION_NAMESPACE' in given) ? { ROTATION_NAMESPACE: REPLAY_NAMESPACE } : {}),
    });
    const config = loadConfig(env);

    if (opts.fresh) {
      say(`--fresh: deleting the topics and Redis keys of namespace "${config.namespace}"…`);
      say(`dropped ${await dropRedisKeys(config)} Redis keys`);
    }
    say(`topics for namespace "${config.namespace}"…`);
    await ensureAllTopics(config, Boolean(opts.fresh));

    if (await isStale()) {
      say('building the dashboard…');
      const tb = Date.now();
      await buildDashboard();
      say(`dashboard built in ${Date.now() - tb} ms`);
    } else {
      say('dashboard is up to date');
    }

    const asOfMs = opts.source === 'demo' ? await detectorClock(config) : null;

    const start = (name: string, entry: string, args: string[] = [], consoleLevel: Level = 'info', milestone?: (msg: string) => boolean) =>
      startService({ name, entry, args, env, cwd: REPO_ROOT, logFile: path.join(logDir, `${name}.log`), consoleLevel: opts.verbose ? 'info' : consoleLevel, ...(milestone ? { milestone } : {}), print: printService });

    services.push(start('detector', 'services/detector/src/main.ts'));
    services.push(start('gateway', 'services/gateway/src/main.ts'));
    // A service that dies takes the stack down with a pointer to its log: a half-running demo misleads.
    for (const s of services) {
      void s.exited.then(async (code) => {
        if (stopping) return;
        say(paint('31', `${s.name} exited (${code}); last lines of ${shown(s.logFile)}:`));
        process.stdout.write(`${await tail(s.logFile)}\n`);
        if (s.name === 'detector') say('if it refused its stored state after a settings change, `pnpm start --fresh` starts the namespace over');
        void stopAll(`${s.name} failed`, 1);
      });
    }
    const gateway = services[1]!;
    await waitForPort('127.0.0.1', gatewayPort, { timeoutMs: 90_000, gaveUp: () => (gateway.running() ? undefined : 'the gateway exited during start-up') });

    const runFeed = (name: string, args: string[], onEnd: (code: number | string) => void) => {
      // The backfill's start and end are worth seeing: the panels fill when it is published.
      feed = start(name, 'services/ingester/src/main.ts', args, 'warn', (msg) => msg.startsWith('backfill: fetching') || msg.startsWith('backfill: streaming'));
      void feed.exited.then((code) => {
        if (!stopping) onEnd(code);
      });
    };
    let feedText: string;
    if (opts.source === 'live') {
      feedText = `live trades from ${opts.provider}`;
      if (config.env.INGESTER_BACKFILL) {
        feedText += ', after a backfill of the history the measures need';
        say(`backfilling history from ${opts.provider} before the stream (what the ticks topic already has is skipped; INGESTER_BACKFILL=false streams without it)`);
      }
      runFeed('feed', ['live', '--provider', opts.provider!], (code) => say(paint('31', `the live feed stopped (${code}); see ${shown(path.join(logDir, 'feed.log'))}. The dashboard keeps the last state.`)));
    } else if (opts.source === 'replay') {
      const speed = program.getOptionValueSource('speed') === 'cli' ? String(opts.speed) : 'max';
      const files = opts.file!.map((f) => path.resolve(f));
      feedText = `replay of ${files.map(shown).join(', ')} ${speed === 'max' ? 'at full speed' : describeSpeed(opts.speed)}, namespace "${config.namespace}"`;
      runFeed('feed', ['replay', ...files.flatMap((f) => ['--file', f]), '--speed', speed], (code) => void feed!.logged.then(() => replayEnded(code, path.join(logDir, 'feed.log'), opts.file!)));
    } else {
      const plan = demoPlan({ asOfMs, speed: opts.speed, warmupMs: opts.warmup, cycleMs: DEMO_DEFAULTS.cycleMs, seed: DEMO_DEFAULTS.seed });
      const paced = () =>
        runFeed('feed', plan.paced.args, (code) => say(paint('31', `the demo feed stopped (${code}); see ${shown(path.join(logDir, 'feed.log'))}`)));
      feedText = `synthetic small-cap rotation, ${describeSpeed(opts.speed)}`;
      if (asOfMs !== null) say(`continuing the demo after ${new Date(asOfMs).toISOString()} (the detector's clock)`);
      if (plan.warmup) {
        const days = Math.round((plan.warmup.toMs - plan.warmup.fromMs) / 86_400_000);
        say(`warming up: ${days} days of quiet market history at full speed (the RRG and z-scores need weeks of daily bars)…`);
        const tw = Date.now();
        runFeed('warmup', plan.warmup.args, (code) => {
          if (code === 0) {
            say(`warm-up fed in ${((Date.now() - tw) / 1000).toFixed(0)} s; now playing the rotation`);
            paced();
          } else {
            say(paint('31', `the warm-up feed failed (${code}); see ${shown(path.join(logDir, 'warmup.log'))}. Playing the rotation anyway.`));
            paced();
          }
        });
      } else {
        paced();
      }
    }

    // "Ready" means a dashboard with data on it: wait for the first snapshot the gateway serves.
    say('waiting for the first snapshot…');
    const hasData = await waitForData(gatewaySnapshotProbe(`http://127.0.0.1:${gatewayPort}`), () => storedSnapshot(config), {
      timeoutMs: opts.source === 'live' ? 300_000 : 120_000,
      gaveUp: () => stopping !== undefined || services.some((s) => !s.running()),
    });
    if (stopping) return;
    if (!hasData) say(paint('33', 'no snapshot yet: the dashboard fills when the detector has evaluated its first step (see the logs)'));
    const host = `localhost:${gatewayPort}`;
    const tokenHint = config.env.GATEWAY_AUTH_TOKENS?.length || config.env.GATEWAY_JWT_SECRET ? '?token=<your token>' : '';
    process.stdout.write(
      [
        '',
        `  ${bold('Ready')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        `  Dashboard   ${bold(`http://${host}/${tokenHint}`)}`,
        `  WebSocket   ws://${host}/v1/stream${tokenHint}`,
        `  REST        http://${host}/api/v1/snapshot   http://${host}/api/v1/alerts   http://${host}/api/v1/history?series=spread&pair=IWM/SPY&window=1d`,
        `  Feed        ${feedText}`,
        `  Logs        ${shown(logDir)}/{detector,gateway,feed}.log`,
        `  Stop        Ctrl-C (stops what this started; data in ${shown(dataDir)} survives)`,
        '',
      ].join('\n') + '\n',
    );
  } catch (e) {
    const msg = e instanceof ConfigError ? e.message : (e as Error).message;
    say(paint('31', `could not start: ${msg}`));
    await stopAll('start-up failed', 1);
  }
}

/** The namespace `pnpm start --source replay` uses unless ROTATION_NAMESPACE says otherwise. */
const REPLAY_NAMESPACE = 'replay';

/** What the end of a replay feed means to the user; the stack keeps running either way. */
async function replayEnded(code: number | string, feedLog: string, files: readonly string[]): Promise<void> {
  if (code === 0) {
    say('replay done: every file is published; the dashboard shows where it ended (Ctrl-C stops)');
    return;
  }
  // The ingester's own one-line message (stderr, not a JSON log line): both times and why, unclipped.
  const text = await readFile(feedLog, 'utf8').catch(() => '');
  const refused = text.slice(text.lastIndexOf('\n# ') + 1).split('\n').filter((l) => l.startsWith('ingester: replay refused'));
  if (code === 2 && refused.length > 0) {
    process.stdout.write(`${refused.at(-1)}\n`);
    const again = files.map((f) => `--file ${f}`).join(' ');
    say(paint('31', 'the replay was refused (above); nothing of it was published. With pnpm start:'));
    say(`  pnpm start --source replay --fresh ${again}   starts the namespace over`);
    say(`  ROTATION_NAMESPACE=<new> pnpm start --source replay ${again}   replays into another`);
    return;
  }
  say(paint('31', `the replay stopped (${code}); see ${shown(feedLog)}`));
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Process ids of the broker and Redis this run started (not ones it reused). */
function startedInfraPids(up: UpResult): number[] {
  const pids: number[] = [];
  if (up.state.kafka && up.started.some((s) => s.startsWith('kafka'))) pids.push(up.state.kafka.pid);
  if (up.state.redis && up.started.some((s) => s.startsWith('redis'))) pids.push(up.state.redis.pid);
  return pids;
}

/** Stops only what this run started; a broker or Redis that was already running is left alone. */
async function stopInfra(up: UpResult, dataDir: string): Promise<void> {
  const state = await readState(dataDir);
  if (!state) return;
  const startedKafka = up.started.some((s) => s.startsWith('kafka'));
  const startedRedis = up.started.some((s) => s.startsWith('redis'));
  if (startedKafka && state.kafka) {
    await stopKafkaBroker(state.kafka.pid);
    say(`stopped kafka ${dim(`(pid ${state.kafka.pid})`)}`);
    delete state.kafka;
  }
  if (startedRedis && state.redis) {
    await stopRedisServer(state.redis.pid);
    say(`stopped redis ${dim(`(pid ${state.redis.pid})`)}`);
    delete state.redis;
  }
  if (!state.kafka && !state.redis) await clearState(dataDir);
  else await writeState(dataDir, state);
}

await main();
