import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childEnv, infraOverrides, loadConfig, type Config } from '@rotation/config';
import { createKafka, type Kafka } from '@rotation/kafka';
import { silentLogger, type Logger } from '@rotation/log';
import { connectRedis, createRedis, keyspace } from '@rotation/redis';
import { startKafkaBroker, stopKafkaBroker, startRedisServer, stopRedisServer } from '@rotation/infra';
import { stopAllChildren } from './children.js';

export interface BenchContext {
  brokers: string[];
  redisUrl: string;
  infra: { kafka: 'own' | 'given'; redis: 'own' | 'given' };
  kafka: Kafka;
  logger: Logger;
  quick: boolean;
  runId: string;
  tmpDir: string;
  cpuProfDir: string | undefined;
  notes: Record<string, string>;
  log: (msg: string) => void;
  /** Environment for a child: this process's, with the bench's infra and `set` applied. */
  env: (set?: Record<string, string>) => Record<string, string>;
  /** A fresh namespace per measurement, so runs never read each other's records. */
  namespace: (label: string) => string;
  /** Namespaces handed out (their topics are deleted at the end when the broker is shared). */
  namespaces: string[];
}

export interface Infra {
  ctx: BenchContext;
  stop: () => Promise<void>;
}

type Given = ReturnType<typeof infraOverrides>;
/** What `stop` runs, in reverse order of pushing. */
type Stops = Array<() => Promise<void>>;
type Log = (msg: string) => void;

async function kafkaOf(given: Given, config: Config, tmpDir: string, stops: Stops, log: Log): Promise<{ brokers: string[]; kind: 'own' | 'given' }> {
  if (given.kafkaBrokers) return { brokers: config.env.KAFKA_BROKERS, kind: 'given' };
  log('starting a Kafka broker of our own (KAFKA_BROKERS not set)...');
  const broker = await startKafkaBroker({ dataDir: path.join(tmpDir, 'kafka'), heapMb: 768, log });
  stops.push(() => stopKafkaBroker(broker.pid));
  return { brokers: [broker.bootstrap], kind: 'own' };
}

async function redisOf(given: Given, config: Config, tmpDir: string, stops: Stops, namespaces: readonly string[], log: Log): Promise<{ redisUrl: string; kind: 'own' | 'given' }> {
  if (given.redisUrl) {
    const redisUrl = config.env.REDIS_URL;
    // A shared Redis keeps the detector's and gateway's keys of our namespaces otherwise.
    stops.push(() => deleteRedisKeys(redisUrl, namespaces));
    return { redisUrl, kind: 'given' };
  }
  const redis = await startRedisServer({ dataDir: path.join(tmpDir, 'redis'), persist: false, log });
  stops.push(() => stopRedisServer(redis.pid));
  return { redisUrl: redis.url, kind: 'own' };
}

async function deleteRedisKeys(redisUrl: string, namespaces: readonly string[]): Promise<void> {
  const redis = createRedis({ url: redisUrl, logger: silentLogger(), connectionName: 'bench-cleanup' });
  await connectRedis(redis, redisUrl);
  try {
    for (const ns of namespaces) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', keyspace(ns).pattern(), 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

async function deleteTopics(kafka: Kafka, namespaces: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => namespaces.some((ns) => t.startsWith(`${ns}.`)));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}

interface ContextParts {
  brokers: string[];
  redisUrl: string;
  infra: BenchContext['infra'];
  kafka: Kafka;
  logger: Logger;
  tmpDir: string;
  namespaces: string[];
}

function benchContext(parts: ContextParts, opts: { quick: boolean; cpuProfDir: string | undefined; log: Log }): BenchContext {
  const { brokers, redisUrl, namespaces } = parts;
  const runId = Date.now().toString(36);
  return {
    brokers,
    redisUrl,
    infra: parts.infra,
    kafka: parts.kafka,
    logger: parts.logger,
    quick: opts.quick,
    runId,
    tmpDir: parts.tmpDir,
    cpuProfDir: opts.cpuProfDir,
    notes: {},
    log: opts.log,
    env: (set = {}) =>
      childEnv({ KAFKA_BROKERS: brokers.join(','), REDIS_URL: redisUrl, LOG_LEVEL: 'warn', ...set }, ['ROTATION_UNIVERSE_FILE', 'ROTATION_NAMESPACE']),
    namespace: (label) => {
      const ns = `bench-${runId}-${label}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 63);
      namespaces.push(ns);
      return ns;
    },
    namespaces,
  };
}

/**
 * KAFKA_BROKERS / REDIS_URL when the user set them, otherwise a broker and a Redis of our own
 * in a temp directory: throughput figures must not share a broker with someone's test run.
 */
export async function startInfra(opts: { quick: boolean; cpuProfDir: string | undefined; log: Log }): Promise<Infra> {
  const given = infraOverrides();
  const config = loadConfig();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'rotation-bench-'));
  const stops: Stops = [];
  const namespaces: string[] = [];
  const stop = async () => {
    await stopAllChildren();
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    const { brokers, kind: kafkaKind } = await kafkaOf(given, config, tmpDir, stops, opts.log);
    const { redisUrl, kind: redisKind } = await redisOf(given, config, tmpDir, stops, namespaces, opts.log);
    const logger = silentLogger();
    const kafka = createKafka({ brokers, clientId: 'bench', logger });
    const ctx = benchContext({ brokers, redisUrl, infra: { kafka: kafkaKind, redis: redisKind }, kafka, logger, tmpDir, namespaces }, opts);
    // A shared broker keeps our topics otherwise; an own broker's data dir is deleted anyway.
    // unshift, not push: stop runs the list backwards, so the topics go last.
    if (kafkaKind === 'given') stops.unshift(() => deleteTopics(kafka, namespaces));
    return { ctx, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
