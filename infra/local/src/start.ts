/**
 * `pnpm start`: the whole product on one machine with one command. Starts Kafka and Redis (unless
 * KAFKA_BROKERS / REDIS_URL are set), creates the topics, builds the dashboard if its sources
 * changed, runs the detector and the gateway, feeds them (a synthetic small-cap rotation, or a
 * live provider with --source live), and prints where to look. Ctrl-C stops everything it
 * started: the feed first (so it flushes), then the services, then the infrastructure. Data under
 * .data/ stays, and the next start continues from it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { childEnv, DEFAULT_DETECTOR_HTTP_PORT, DEFAULT_INGESTER_HTTP_PORT, loadConfig, parseDuration, type Config } from '@rotation/config';
import { buildDashboard, DIST_DIR, isStale } from '@rotation/dashboard';
import { DEMO_DEFAULTS } from './demo-plan.js';
import { infraUp, type UpResult } from './infra.js';
import { detectorClock, dropRedisKeys, ensureAllTopics, storedSnapshot } from './namespace-data.js';
import { DATA_DIR, REPO_ROOT } from './paths.js';
import { freePort, isPortFree } from './ports.js';
import { tail } from './run-log.js';
import { startService, type ServiceHandle } from './service-process.js';
import { handleSignals, newStack, stopAll, type Stack } from './stack.js';
import { bold, dim, paint, printService, say, shown } from './start-console.js';
import { startFeed, type FeedChoice, type StartService } from './start-feed.js';
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

/** The namespace `pnpm start --source replay` uses unless ROTATION_NAMESPACE says otherwise. */
const REPLAY_NAMESPACE = 'replay';

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

function parseOptions(): Options {
  const opts = program.parse().opts<Options>();
  if (opts.source === 'live' && !opts.provider) program.error('--source live needs --provider alpaca|polygon|finnhub');
  if (opts.source === 'replay' && !opts.file?.length) program.error('--source replay needs --file F [--file G …]');
  if (opts.source !== 'replay' && opts.file?.length) program.error('--file is for --source replay');
  return opts;
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

async function startInfra(stack: Stack): Promise<UpResult> {
  say('Kafka and Redis…');
  const up = (stack.up = await infraUp((m) => say(dim(m)), stack.dataDir));
  for (const s of up.reused) say(`reusing ${s}`);
  for (const s of up.started) say(`started ${s}`);
  if (up.started.length === 0 && up.reused.length === 0) say(`using KAFKA_BROKERS=${up.state.kafkaBrokers} REDIS_URL=${up.state.redisUrl}`);
  return up;
}

interface StackEnv {
  /** The services' environment. */
  env: Record<string, string>;
  config: Config;
  gatewayPort: number;
}

/** The user's own settings (namespace, tokens, ports…) are kept; we add what the stack needs. */
async function stackEnv(up: UpResult, source: Options['source']): Promise<StackEnv> {
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
    ...(source === 'replay' && !('ROTATION_NAMESPACE' in given) ? { ROTATION_NAMESPACE: REPLAY_NAMESPACE } : {}),
  });
  return { env, config: loadConfig(env), gatewayPort };
}

async function prepareNamespace(config: Config, fresh: boolean): Promise<void> {
  if (fresh) {
    say(`--fresh: deleting the topics and Redis keys of namespace "${config.namespace}"…`);
    say(`dropped ${await dropRedisKeys(config)} Redis keys`);
  }
  say(`topics for namespace "${config.namespace}"…`);
  await ensureAllTopics(config, fresh);
}

async function ensureDashboard(): Promise<void> {
  if (!(await isStale())) {
    say('dashboard is up to date');
    return;
  }
  say('building the dashboard…');
  const tb = Date.now();
  await buildDashboard();
  say(`dashboard built in ${Date.now() - tb} ms`);
}

function serviceStarter(env: Record<string, string>, logDir: string, verbose: boolean): StartService {
  return (name, entry, args = [], consoleLevel = 'info', milestone) =>
    startService({ name, entry, args, env, cwd: REPO_ROOT, logFile: path.join(logDir, `${name}.log`), consoleLevel: verbose ? 'info' : consoleLevel, ...(milestone ? { milestone } : {}), print: printService });
}

/** The detector and the gateway, up once the gateway's port is open. */
async function startServices(stack: Stack, start: StartService, gatewayPort: number): Promise<void> {
  stack.services.push(start('detector', 'services/detector/src/main.ts'));
  stack.services.push(start('gateway', 'services/gateway/src/main.ts'));
  for (const s of stack.services) stopOnDeath(stack, s);
  const gateway = stack.services[1]!;
  await waitForPort('127.0.0.1', gatewayPort, { timeoutMs: 90_000, gaveUp: () => (gateway.running() ? undefined : 'the gateway exited during start-up') });
}

/** A service that dies takes the stack down with a pointer to its log: a half-running demo misleads. */
function stopOnDeath(stack: Stack, s: ServiceHandle): void {
  void s.exited.then(async (code) => {
    if (stack.stopping) return;
    say(paint('31', `${s.name} exited (${code}); last lines of ${shown(s.logFile)}:`));
    process.stdout.write(`${await tail(s.logFile)}\n`);
    if (s.name === 'detector') say('if it refused its stored state after a settings change, `pnpm start --fresh` starts the namespace over');
    void stopAll(stack, `${s.name} failed`, 1);
  });
}

function feedChoice(opts: Options, asOfMs: number | null): FeedChoice {
  if (opts.source === 'live') return { source: 'live', provider: opts.provider! };
  if (opts.source === 'replay') return { source: 'replay', files: opts.file!, speed: program.getOptionValueSource('speed') === 'cli' ? opts.speed : undefined };
  return { source: 'demo', speed: opts.speed, warmupMs: opts.warmup, asOfMs };
}

/** "Ready" means a dashboard with data on it: wait for the first snapshot the gateway serves. */
async function waitForSnapshot(stack: Stack, config: Config, gatewayPort: number, source: Options['source']): Promise<boolean> {
  say('waiting for the first snapshot…');
  return waitForData(gatewaySnapshotProbe(`http://127.0.0.1:${gatewayPort}`), () => storedSnapshot(config), {
    timeoutMs: source === 'live' ? 300_000 : 120_000,
    gaveUp: () => stack.stopping !== undefined || stack.services.some((s) => !s.running()),
  });
}

function printReady(stack: Stack, config: Config, gatewayPort: number, feedText: string, t0: number): void {
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
      `  Logs        ${shown(stack.logDir)}/{detector,gateway,feed}.log`,
      `  Stop        Ctrl-C (stops what this started; data in ${shown(stack.dataDir)} survives)`,
      '',
    ].join('\n') + '\n',
  );
}

// ---------------------------------------------------------------- main

async function startStack(stack: Stack, opts: Options, t0: number): Promise<void> {
  say(bold('rotation-stream: starting the local stack'));
  const up = await startInfra(stack);
  const { env, config, gatewayPort } = await stackEnv(up, opts.source);
  await prepareNamespace(config, Boolean(opts.fresh));
  await ensureDashboard();
  const asOfMs = opts.source === 'demo' ? await detectorClock(config) : null;
  const start = serviceStarter(env, stack.logDir, Boolean(opts.verbose));
  await startServices(stack, start, gatewayPort);
  const feedText = startFeed({ stack, start, config }, feedChoice(opts, asOfMs));
  const hasData = await waitForSnapshot(stack, config, gatewayPort, opts.source);
  if (stack.stopping) return;
  if (!hasData) say(paint('33', 'no snapshot yet: the dashboard fills when the detector has evaluated its first step (see the logs)'));
  printReady(stack, config, gatewayPort, feedText, t0);
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const dataDir = path.resolve(opts.dataDir);
  const logDir = path.join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const t0 = Date.now();
  const stack = newStack(dataDir, logDir);
  handleSignals(stack);
  try {
    await startStack(stack, opts, t0);
  } catch (e) {
    say(paint('31', `could not start: ${(e as Error).message}`));
    await stopAll(stack, 'start-up failed', 1);
  }
}

await main();
