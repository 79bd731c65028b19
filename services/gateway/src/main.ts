/**
 * The gateway's only wiring point: configuration in, Kafka + Redis + HTTP/websocket out.
 * `startGateway` is exported so tests (and `pnpm start`) can run instances in-process.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile, REPO_ROOT, type Config } from '@rotation/config';
import { assertKafkaReachable, createKafka, setUpTopics, type Kafka } from '@rotation/kafka';
import { redactUrl, type Logger } from '@rotation/log';
import { connectRedis, createRedis, sharedKeys, type Redis } from '@rotation/redis';
import { ruleCatalog, topicNames } from '@rotation/schemas';
import { runService, withDeadline, type StopOutcome } from '@rotation/service';
import { loadWebhooksFile } from '@rotation/webhooks';
import pkg from '../package.json' with { type: 'json' };
import { randomBytes } from 'node:crypto';
import { Authenticator, isLoopbackHost } from './core/auth.js';
import { GatewayError, GatewayErrorCode } from './core/errors.js';
import { collectTokens } from './core/tokens-file.js';
import { metricsAccess } from './core/http-policy.js';
import { Hub } from './adapters/hub.js';
import { metricsGuard } from './adapters/metrics-endpoint.js';
import { createMetrics, type Metrics } from './adapters/metrics.js';
import { RedisStore } from './adapters/redis-store.js';
import { RestartingSource } from './adapters/restarting-source.js';
import { RulesService } from './adapters/rules-service.js';
import { RULE_WRITES_BURST, RULE_WRITES_PER_SEC } from './adapters/rules-routes.js';
import { OwnerRateLimit } from './core/owner-rate.js';
import { GatewayServer, STREAM_PATH } from './adapters/server.js';
import { startWebhooks, type WebhookHost } from './adapters/webhook-host.js';

/** Knobs from the environment (`tuningFrom`), which tests may override per instance. */
export interface GatewayTuning {
  /** Redis probe (readiness, epoch, missed alerts) interval. */
  probeMs: number;
  maxPayloadBytes: number;
  maxCommandBytes: number;
  highWaterBytes: number;
  maxConnections: number;
  /** Overrides GATEWAY_HISTORY_CACHE_ALERTS (tests that need Redis-backed resumes). */
  memoryAlerts?: number;
  recentAlerts: number;
  apiMaxLimit: number;
  abuseStrikes: number;
  redisTimeoutMs: number;
}

/** The tuning of the environment (every default is in the config schema). */
export function tuningFrom(env: Config['env']): GatewayTuning {
  return {
    probeMs: env.GATEWAY_REDIS_PROBE_MS,
    maxPayloadBytes: env.GATEWAY_MAX_FRAME_BYTES,
    maxCommandBytes: env.GATEWAY_MAX_COMMAND_BYTES,
    highWaterBytes: env.GATEWAY_HIGH_WATER_BYTES,
    maxConnections: env.GATEWAY_MAX_CONNECTIONS,
    recentAlerts: env.GATEWAY_SNAPSHOT_ALERTS,
    apiMaxLimit: env.GATEWAY_API_MAX_LIMIT,
    abuseStrikes: env.GATEWAY_ABUSE_STRIKES,
    redisTimeoutMs: env.GATEWAY_REDIS_TIMEOUT_MS,
  };
}

export interface StartOptions {
  logger: Logger;
  /** Overrides GATEWAY_PORT (tests pass 0). */
  port?: number;
  host?: string;
  instanceId?: string;
  tuning?: Partial<GatewayTuning>;
}

export interface RunningGateway {
  port: number;
  /** http://host:port */
  url: string;
  /** ws://host:port/v1/stream */
  wsUrl: string;
  instanceId: string;
  hub: Hub;
  metrics: Metrics;
  readiness: () => { ready: boolean; kafka: boolean; redis: boolean };
  /**
   * Sends `shutdown`, closes sockets, stops consuming, disconnects, within
   * GATEWAY_SHUTDOWN_TIMEOUT_MS (or `timeoutMs`); past it (Kafka or Redis down) connections are
   * dropped and it resolves 'deadline'. Safe to call twice.
   */
  stop: (timeoutMs?: number) => Promise<StopOutcome>;
}

/** What the start-up steps share: the configuration, the tuning, and the clients they wire. */
interface Wiring {
  config: Config;
  env: Config['env'];
  namespace: string;
  topics: ReturnType<typeof topicNames>;
  keys: ReturnType<typeof sharedKeys>;
  tuning: GatewayTuning;
  instanceId: string;
  logger: Logger;
  metrics: Metrics;
  kafka: Kafka;
  redis: Redis;
}

export async function startGateway(config: Config, options: StartOptions): Promise<RunningGateway> {
  const w = await connect(config, options);
  const store = new RedisStore(w.redis, w.keys, w.logger, w.tuning.redisTimeoutMs);
  const hub = createHub(w, store);
  const source = createSource(w, hub);
  const cleanup: Array<() => Promise<void>> = [async () => void w.redis.disconnect()];
  let server: GatewayServer | undefined;
  let probe: NodeJS.Timeout | undefined;
  try {
    await startConsuming(w, hub, source, cleanup);
    // A bad sinks file stops the start with its path, before anything listens.
    const webhooks = await startWebhookHost(w);
    cleanup.unshift(() => webhooks.stop());
    const rules = createRules(w);
    cleanup.unshift(() => rules.stop());
    await rules.start();
    probe = startProbe(hub, w.tuning.probeMs);
    const readiness = () => {
      const kafkaOk = source.running;
      return { ready: kafkaOk && hub.redisUp, kafka: kafkaOk, redis: hub.redisUp };
    };
    const auth = createAuth(w.env);
    server = createServer(w, { hub, store, auth, readiness, rules, webhooks });
    const { port, shownHost } = await listen(w, server, auth, options);
    return {
      port,
      url: `http://${shownHost}:${port}`,
      wsUrl: `ws://${shownHost}:${port}${STREAM_PATH}`,
      instanceId: w.instanceId,
      hub,
      metrics: w.metrics,
      readiness,
      stop: boundedStop(w, { server, source, probe, cleanup }),
    };
  } catch (error) {
    source.halt();
    clearInterval(probe);
    await server?.close().catch(() => undefined);
    for (const c of cleanup) await c().catch(() => undefined);
    throw error;
  }
}

/** Kafka reachable with its topics, Redis connected: the clients every later step uses. */
async function connect(config: Config, options: StartOptions): Promise<Wiring> {
  const { env, namespace } = config;
  const tuning = { ...tuningFrom(env), ...options.tuning };
  const instanceId = options.instanceId ?? env.GATEWAY_INSTANCE_ID ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ instance: instanceId });
  const metrics = createMetrics();
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-gateway`, logger });
  await assertKafkaReachable(kafka, env.KAFKA_BROKERS);
  // Lets the gateway start before the detector has ever run.
  await setUpTopics(kafka, env, logger);
  const redis = createRedis({ url: env.REDIS_URL, logger, connectionName: `${namespace}-gateway-${instanceId}` });
  await connectRedis(redis, env.REDIS_URL);
  return { config, env, namespace, topics: topicNames(namespace), keys: sharedKeys(namespace), tuning, instanceId, logger, metrics, kafka, redis };
}

function createHub(w: Wiring, store: RedisStore): Hub {
  const { env, tuning } = w;
  return new Hub({
    store,
    metrics: w.metrics,
    logger: w.logger,
    instance: w.instanceId,
    heartbeatMs: env.GATEWAY_HEARTBEAT_MS,
    maxSubscriptions: env.GATEWAY_MAX_SUBSCRIPTIONS,
    maxCommandBytes: tuning.maxCommandBytes,
    memoryAlerts: tuning.memoryAlerts ?? env.GATEWAY_HISTORY_CACHE_ALERTS,
    maxReplay: env.GATEWAY_REPLAY_MAX,
    recentAlerts: tuning.recentAlerts,
    historyPageSize: env.GATEWAY_HISTORY_PAGE,
    historyReads: env.GATEWAY_HISTORY_READS,
    stallMs: env.GATEWAY_SLOW_CLIENT_MS,
  });
}

/** The instance's own consumer of alerts and snapshots, feeding the hub. */
function createSource(w: Wiring, hub: Hub): RestartingSource {
  return new RestartingSource({
    source: {
      kafka: w.kafka,
      groupId: `${w.namespace}.gateway.${w.instanceId}`,
      alertsTopic: w.topics.alerts,
      snapshotsTopic: w.topics.snapshots,
      logger: w.logger,
      metrics: w.metrics,
      onAlert: (v) => hub.onAlertRecord(v),
      onSnapshot: (v) => hub.onSnapshotRecord(v),
      onRejoin: () => {
        void hub.refreshSnapshot().catch(() => undefined);
        void hub.probe();
      },
    },
    logger: w.logger,
    restarted: () => hub.refreshSnapshot(),
  });
}

/** End offsets first, then Redis, then consume from those offsets (see KafkaSource). */
async function startConsuming(w: Wiring, hub: Hub, source: RestartingSource, cleanup: Array<() => Promise<void>>): Promise<void> {
  const from = await source.endOffsets().catch((cause: unknown) => {
    throw new GatewayError(GatewayErrorCode.startFailed, `cannot read offsets of ${w.topics.alerts} / ${w.topics.snapshots}: ${(cause as Error).message}`, {}, { cause });
  });
  await hub.load();
  cleanup.unshift(() => source.stop());
  await source.start(from);
}

function startWebhookHost(w: Wiring): Promise<WebhookHost> {
  const { env, keys } = w;
  return startWebhooks({
    kafka: w.kafka,
    alertsTopic: w.topics.alerts,
    groupId: `${w.namespace}.webhooks`,
    redis: w.redis,
    keys: { sinks: keys.webhookSinks, version: keys.webhookSinksVersion, deadLetters: keys.webhooksDlq },
    fileSinks: env.WEBHOOKS_FILE ? loadWebhooksFile(env.WEBHOOKS_FILE).sinks : [],
    allowPrivateTargets: env.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    logger: w.logger,
    metrics: w.metrics,
  });
}

function createRules(w: Wiring): RulesService {
  return new RulesService({
    kafka: w.kafka,
    topic: w.topics.rules,
    groupId: `${w.namespace}.gateway-rules.${w.instanceId}`,
    redis: w.redis,
    lastFiredKey: w.keys.rulesLastFired,
    logger: w.logger.child({ component: 'rules' }),
    redisTimeoutMs: w.tuning.redisTimeoutMs,
  });
}

/** One probe at a time: a slow Redis does not pile them up. */
function startProbe(hub: Hub, probeMs: number): NodeJS.Timeout {
  let probing = false;
  return setInterval(() => {
    if (probing) return;
    probing = true;
    void hub.probe().finally(() => (probing = false));
  }, probeMs);
}

function createAuth(env: Config['env']): Authenticator {
  return new Authenticator({
    tokens: staticTokens(env),
    jwtSecret: env.GATEWAY_JWT_SECRET?.reveal(),
    allowedOrigins: env.GATEWAY_ALLOWED_ORIGINS ?? [],
    requireExp: env.GATEWAY_JWT_REQUIRE_EXP,
  });
}

interface ServerParts {
  hub: Hub;
  store: RedisStore;
  auth: Authenticator;
  readiness: RunningGateway['readiness'];
  rules: RulesService;
  webhooks: WebhookHost;
}

function createServer(w: Wiring, { hub, store, auth, readiness, rules, webhooks }: ServerParts): GatewayServer {
  const { env, tuning, logger, metrics } = w;
  const metricsMode = metricsAccess(env.GATEWAY_METRICS, auth.required, env.GATEWAY_METRICS_TOKEN !== undefined);
  if (!metricsMode) throw new GatewayError(GatewayErrorCode.startFailed, 'GATEWAY_METRICS=token needs GATEWAY_METRICS_TOKEN (the bearer token scrapers send)');
  const catalog = ruleCatalog(w.config.universe);
  return new GatewayServer({
    hub,
    store,
    auth,
    metrics,
    logger,
    readiness,
    staticDir: resolveStaticDir(env.GATEWAY_STATIC_DIR),
    heartbeatMs: env.GATEWAY_HEARTBEAT_MS,
    maxPayloadBytes: tuning.maxPayloadBytes,
    maxBufferBytes: env.GATEWAY_MAX_BUFFER_BYTES,
    highWaterBytes: tuning.highWaterBytes,
    maxConnections: tuning.maxConnections,
    caps: { perToken: env.GATEWAY_MAX_CONNECTIONS_PER_TOKEN, perIp: env.GATEWAY_MAX_CONNECTIONS_PER_IP },
    limiter: { ratePerSec: env.GATEWAY_COMMAND_RATE, abuseStrikes: tuning.abuseStrikes },
    apiMaxLimit: tuning.apiMaxLimit,
    maxSubscriptions: env.GATEWAY_MAX_SUBSCRIPTIONS,
    corsOrigins: env.GATEWAY_CORS_ORIGINS,
    metricsGuard: metricsGuard(metricsMode, auth, env.GATEWAY_METRICS_TOKEN?.reveal()),
    sourceMaps: env.GATEWAY_SOURCE_MAPS,
    rules: {
      service: rules,
      catalog,
      sinks: webhooks.sinks.ownerSinks,
      maxPerOwner: env.GATEWAY_RULES_MAX_PER_OWNER,
      effectiveFrom: () => {
        const asOf = hub.state.record?.snapshot.asOf;
        return asOf ? Date.parse(asOf) : null;
      },
      logger: logger.child({ component: 'rules' }),
      writes: new OwnerRateLimit(RULE_WRITES_PER_SEC, RULE_WRITES_BURST),
    },
    history: { store, keys: w.keys, catalog, logger: logger.child({ component: 'history' }) },
    webhooks: {
      host: webhooks,
      allowPrivateTargets: env.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
      logger: logger.child({ component: 'webhooks' }),
      writes: new OwnerRateLimit(RULE_WRITES_PER_SEC, RULE_WRITES_BURST),
    },
  });
}

/** Listens, and says where: `shownHost` is an address a local client can dial. */
async function listen(w: Wiring, server: GatewayServer, auth: Authenticator, options: StartOptions): Promise<{ port: number; shownHost: string }> {
  const { env, logger } = w;
  const host = options.host ?? env.GATEWAY_HOST;
  const port = await server.listen(options.port ?? env.GATEWAY_PORT, host).catch((cause: unknown) => {
    throw new GatewayError(GatewayErrorCode.listenFailed, `cannot listen on ${host}:${options.port ?? env.GATEWAY_PORT}: ${(cause as Error).message}`, {}, { cause });
  });
  if (!auth.required && !isLoopbackHost(host)) {
    // Auth is off by default; on a reachable address that means anyone can read the stream.
    logger.warn(
      { host, port },
      `AUTH IS OFF and the gateway listens on ${host}, which other hosts can reach: anyone can open the stream and the API. Set GATEWAY_AUTH_TOKENS or GATEWAY_JWT_SECRET, or bind GATEWAY_HOST=127.0.0.1`,
    );
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  logger.info(
    { port, namespace: w.namespace, auth: auth.required ? 'required' : 'off', redis: redactUrl(env.REDIS_URL) },
    'gateway listening',
  );
  return { port, shownHost };
}

interface StopParts {
  server: GatewayServer;
  source: RestartingSource;
  probe: NodeJS.Timeout;
  cleanup: Array<() => Promise<void>>;
}

/** `RunningGateway.stop`: once, within the deadline, else connections dropped. */
function boundedStop(w: Wiring, { server, source, probe, cleanup }: StopParts): RunningGateway['stop'] {
  const { logger, redis } = w;
  let stopped: Promise<StopOutcome> | undefined;
  return (timeoutMs = w.env.GATEWAY_SHUTDOWN_TIMEOUT_MS) =>
    (stopped ??= (async () => {
      source.halt();
      clearInterval(probe);
      const graceful = (async () => {
        await server.close(0);
        for (const c of cleanup) await c().catch((err: unknown) => logger.warn({ err }, 'cleanup step failed'));
      })();
      const outcome = await withDeadline(graceful, timeoutMs);
      if (outcome === 'deadline') {
        // Webhook deliveries not committed to Kafka are sent again by the next start.
        logger.warn({ timeoutMs }, 'shutdown deadline reached: connections dropped');
        redis.disconnect();
      }
      logger.info({ outcome }, 'gateway stopped');
      return outcome;
    })());
}

/** GATEWAY_AUTH_TOKENS and GATEWAY_AUTH_TOKENS_FILE, or a start failure that names what is wrong. */
function staticTokens(env: Config['env']) {
  try {
    return collectTokens(env.GATEWAY_AUTH_TOKENS ?? [], env.GATEWAY_AUTH_TOKENS_FILE ? readJsonFile(env.GATEWAY_AUTH_TOKENS_FILE) : undefined);
  } catch (cause) {
    throw new GatewayError(GatewayErrorCode.startFailed, (cause as Error).message, {}, { cause });
  }
}

function resolveStaticDir(configured: string | undefined): string | undefined {
  const candidates = configured
    ? [path.resolve(configured)]
    : [path.join(REPO_ROOT, 'packages', 'dashboard', 'dist'), path.join(REPO_ROOT, 'services', 'gateway', 'public')];
  // A default directory counts only once something was built into it.
  return configured ? candidates.find((dir) => existsSync(dir)) : candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

async function main(): Promise<void> {
  await runService({
    name: 'gateway',
    version: pkg.version,
    description: 'Serves alerts and rotation state over a websocket (/v1/stream) and HTTP (/api/v1), the dashboard at /, webhooks from WEBHOOKS_FILE. Configured from the environment; run as many as needed.',
    env: ['ROTATION_NAMESPACE', 'KAFKA_BROKERS', 'REDIS_URL', 'GATEWAY_HOST', 'GATEWAY_PORT', 'GATEWAY_AUTH_TOKENS', 'GATEWAY_JWT_SECRET', 'GATEWAY_METRICS', 'GATEWAY_SHUTDOWN_TIMEOUT_MS', 'GATEWAY_STATIC_DIR', 'WEBHOOKS_FILE', 'LOG_LEVEL'],
    start: (config, logger) => startGateway(config, { logger }),
    stop: (gateway) => gateway.stop(),
    shutdownTimeoutMs: (config) => config.env.GATEWAY_SHUTDOWN_TIMEOUT_MS,
    started: (gateway) => ({ message: 'ready for clients', fields: { websocket: gateway.wsUrl, http: gateway.url } }),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
