/**
 * The gateway's only wiring point: configuration in, Kafka + Redis + HTTP/websocket out.
 * `startGateway` is exported so tests (and `pnpm start`) can run instances in-process.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, readJsonFile, REPO_ROOT, type Config } from '@rotation/config';
import { assertKafkaReachable, createKafka, ensureTopics, topicLayoutFromEnv } from '@rotation/kafka';
import { createLogger, redactUrl, type Logger } from '@rotation/log';
import { connectRedis, createRedis, sharedKeys } from '@rotation/redis';
import { ruleCatalog, topicNames } from '@rotation/schemas';
import { ExitCode, parseServiceCli, withDeadline, type StopOutcome } from '@rotation/service';
import { loadWebhooksFile } from '@rotation/webhooks';
import pkg from '../package.json' with { type: 'json' };
import { randomBytes } from 'node:crypto';
import { Authenticator, isLoopbackHost } from './core/auth.js';
import { GatewayError, GatewayErrorCode } from './core/errors.js';
import { collectTokens } from './core/tokens-file.js';
import { metricsAccess } from './core/http-policy.js';
import { Hub } from './adapters/hub.js';
import { KafkaSource } from './adapters/kafka-source.js';
import { metricsGuard } from './adapters/metrics-endpoint.js';
import { createMetrics, type Metrics } from './adapters/metrics.js';
import { RedisStore } from './adapters/redis-store.js';
import { RulesService } from './adapters/rules-service.js';
import { RULE_WRITES_BURST, RULE_WRITES_PER_SEC } from './adapters/rules-routes.js';
import { OwnerRateLimit } from './core/owner-rate.js';
import { GatewayServer, STREAM_PATH } from './adapters/server.js';
import { WebhookRelay } from './adapters/webhook-relay.js';

/** Knobs tests turn; production takes them from the environment or the defaults here. */
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

export const DEFAULT_TUNING: GatewayTuning = {
  probeMs: 1_000,
  // Commands are small; 8 KiB is the hard cap (ws closes with 1009), 4 KiB the soft one
  // (answered with frame_too_large, connection kept).
  maxPayloadBytes: 8 * 1024,
  maxCommandBytes: 4 * 1024,
  highWaterBytes: 64 * 1024,
  // Replaced by GATEWAY_MAX_CONNECTIONS (same default) unless a test passes its own.
  maxConnections: 10_000,
  recentAlerts: 20,
  apiMaxLimit: 1_000,
  abuseStrikes: 20,
  redisTimeoutMs: 2_000,
};

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

export async function startGateway(config: Config, options: StartOptions): Promise<RunningGateway> {
  const { env, namespace } = config;
  const tuning = { ...DEFAULT_TUNING, maxConnections: env.GATEWAY_MAX_CONNECTIONS, ...options.tuning };
  const instanceId = options.instanceId ?? env.GATEWAY_INSTANCE_ID ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ instance: instanceId });
  const metrics = createMetrics();
  const topics = topicNames(namespace);

  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-gateway`, logger });
  await assertKafkaReachable(kafka, env.KAFKA_BROKERS);
  // Idempotent: lets the gateway start before the detector has ever run.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, namespace, topicLayoutFromEnv(env), logger);
  } finally {
    await admin.disconnect();
  }
  const redis = createRedis({ url: env.REDIS_URL, logger, connectionName: `${namespace}-gateway-${instanceId}` });
  await connectRedis(redis, env.REDIS_URL);

  const store = new RedisStore(redis, sharedKeys(namespace), logger, tuning.redisTimeoutMs);
  const hub = new Hub({
    store,
    metrics,
    logger,
    instance: instanceId,
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
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const newSource = (): KafkaSource =>
    new KafkaSource({
      kafka,
      groupId: `${namespace}.gateway.${instanceId}`,
      alertsTopic: topics.alerts,
      snapshotsTopic: topics.snapshots,
      logger,
      metrics,
      onAlert: (v) => hub.onAlertRecord(v),
      onSnapshot: (v) => hub.onSnapshotRecord(v),
      onRejoin: () => {
        void hub.refreshSnapshot().catch(() => undefined);
        void hub.probe();
      },
      onFatal: (error) => {
        logger.error({ err: error }, 'kafka consumer stopped; not ready; restarting it');
        scheduleRestart(1_000);
      },
    });
  let source = newSource();
  // kafkajs gives up on non-retriable errors; the gateway starts a fresh consumer from the
  // current end offsets. Alerts in between come from Redis (probe), state from the snapshot key.
  const scheduleRestart = (delayMs: number) => {
    if (stopping || restartTimer) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void (async () => {
        await source.stop();
        const next = newSource();
        source = next;
        await next.start(await next.endOffsets());
        await hub.refreshSnapshot();
        logger.info('kafka consumer restarted');
      })().catch((error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'kafka consumer restart failed; retrying');
        scheduleRestart(Math.min(delayMs * 2, 30_000));
      });
    }, delayMs);
  };

  const cleanup: Array<() => Promise<void>> = [async () => void redis.disconnect()];
  let server: GatewayServer | undefined;
  let probe: NodeJS.Timeout | undefined;
  try {
    const from = await source.endOffsets().catch((cause: unknown) => {
      throw new GatewayError(GatewayErrorCode.startFailed, `cannot read offsets of ${topics.alerts} / ${topics.snapshots}: ${(cause as Error).message}`, {}, { cause });
    });
    await hub.load();
    cleanup.unshift(() => source.stop());
    await source.start(from);
    if (env.WEBHOOKS_FILE) {
      // Constructed before anything listens: a bad sinks file stops the start with its path.
      const relay = new WebhookRelay({
        kafka,
        topic: topics.alerts,
        groupId: `${namespace}.webhooks`,
        file: env.WEBHOOKS_FILE,
        allowPrivateTargets: env.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
        redis,
        deadLetterKey: sharedKeys(namespace).webhooksDlq,
        logger,
        metrics,
      });
      cleanup.unshift(() => relay.stop());
      await relay.start();
    }
    const rules = new RulesService({
      kafka,
      topic: topics.rules,
      groupId: `${namespace}.gateway-rules.${instanceId}`,
      redis,
      lastFiredKey: sharedKeys(namespace).rulesLastFired,
      logger: logger.child({ component: 'rules' }),
      redisTimeoutMs: tuning.redisTimeoutMs,
    });
    cleanup.unshift(() => rules.stop());
    await rules.start();
    let probing = false;
    probe = setInterval(() => {
      if (probing) return;
      probing = true;
      void hub.probe().finally(() => (probing = false));
    }, tuning.probeMs);

    const readiness = () => {
      const kafkaOk = source.running;
      return { ready: kafkaOk && hub.redisUp, kafka: kafkaOk, redis: hub.redisUp };
    };
    const auth = new Authenticator({
      tokens: staticTokens(env),
      jwtSecret: env.GATEWAY_JWT_SECRET?.reveal(),
      allowedOrigins: env.GATEWAY_ALLOWED_ORIGINS ?? [],
      requireExp: env.GATEWAY_JWT_REQUIRE_EXP,
    });
    const metricsMode = metricsAccess(env.GATEWAY_METRICS, auth.required, env.GATEWAY_METRICS_TOKEN !== undefined);
    if (!metricsMode) throw new GatewayError(GatewayErrorCode.startFailed, 'GATEWAY_METRICS=token needs GATEWAY_METRICS_TOKEN (the bearer token scrapers send)');
    server = new GatewayServer({
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
      metricsGuard: metricsGuard(metricsMode, auth, env.GATEWAY_METRICS_TOKEN?.reveal()),
      sourceMaps: env.GATEWAY_SOURCE_MAPS,
      rules: {
        service: rules,
        catalog: ruleCatalog(config.universe),
        sinks: ownerSinks(env.WEBHOOKS_FILE),
        maxPerOwner: env.GATEWAY_RULES_MAX_PER_OWNER,
        effectiveFrom: () => {
          const asOf = hub.state.record?.snapshot.asOf;
          return asOf ? Date.parse(asOf) : null;
        },
        logger: logger.child({ component: 'rules' }),
        writes: new OwnerRateLimit(RULE_WRITES_PER_SEC, RULE_WRITES_BURST),
      },
    });
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
      { port, namespace, auth: auth.required ? 'required' : 'off', redis: redactUrl(env.REDIS_URL) },
      'gateway listening',
    );
    let stopped: Promise<StopOutcome> | undefined;
    const running = server;
    return {
      port,
      url: `http://${shownHost}:${port}`,
      wsUrl: `ws://${shownHost}:${port}${STREAM_PATH}`,
      instanceId,
      hub,
      metrics,
      readiness,
      stop: (timeoutMs = env.GATEWAY_SHUTDOWN_TIMEOUT_MS) =>
        (stopped ??= (async () => {
          stopping = true;
          clearInterval(probe);
          clearTimeout(restartTimer);
          const graceful = (async () => {
            await running.close(0);
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
        })()),
    };
  } catch (error) {
    stopping = true;
    clearInterval(probe);
    await server?.close().catch(() => undefined);
    for (const c of cleanup) await c().catch(() => undefined);
    throw error;
  }
}

/** Webhook sink name -> the owner it belongs to (undefined: a shared sink), for rule deliveries. */
function ownerSinks(file: string | undefined): Map<string, string | undefined> {
  if (!file) return new Map();
  return new Map(loadWebhooksFile(file).sinks.map((s) => [s.name, s.owner]));
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
  parseServiceCli({
    name: 'gateway',
    version: pkg.version,
    description: 'Serves alerts and rotation state over a websocket (/v1/stream) and HTTP (/api/v1), the dashboard at /, webhooks from WEBHOOKS_FILE. Configured from the environment; run as many as needed.',
    env: ['ROTATION_NAMESPACE', 'KAFKA_BROKERS', 'REDIS_URL', 'GATEWAY_HOST', 'GATEWAY_PORT', 'GATEWAY_AUTH_TOKENS', 'GATEWAY_JWT_SECRET', 'GATEWAY_METRICS', 'GATEWAY_SHUTDOWN_TIMEOUT_MS', 'GATEWAY_STATIC_DIR', 'WEBHOOKS_FILE', 'LOG_LEVEL'],
  });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`gateway: ${(error as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  const logger = createLogger({ name: 'gateway', level: config.env.LOG_LEVEL });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (error) {
    logger.fatal({ code: (error as { code?: string }).code }, (error as Error).message);
    process.exit(ExitCode.failure);
  }
  logger.info({ websocket: gateway.wsUrl, http: gateway.url }, 'ready for clients');
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(ExitCode.failure);
    }
    logger.info({ signal, timeoutMs: config.env.GATEWAY_SHUTDOWN_TIMEOUT_MS }, 'shutting down');
    gateway.stop().then(
      (outcome) => process.exit(outcome === 'clean' ? ExitCode.ok : ExitCode.incomplete),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(ExitCode.failure);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
