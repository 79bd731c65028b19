import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childEnv, infraOverrides, loadConfig } from '@rotation/config';
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

/**
 * KAFKA_BROKERS / REDIS_URL when the user set them, otherwise a broker and a Redis of our own
 * in a temp directory: throughput figures must not share a broker with someone's test run.
 */
export async function startInfra(opts: { quick: boolean; cpuProfDir: string | undefined; log: (msg: string) => void }): Promise<Infra> {
  const given = infraOverrides();
  const config = loadConfig();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'rotation-bench-'));
  const stops: Array<() => Promise<void>> = [];
  const namespaces: string[] = [];
  const stop = async () => {
    await stopAllChildren();
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    let brokers: string[];
    let kafkaKind: 'own' | 'given' = 'given';
    if (given.kafkaBrokers) brokers = config.env.KAFKA_BROKERS;
    else {
      opts.log('starting a Kafka broker of our own (KAFKA_BROKERS not set)...');
      const broker = await startKafkaBroker({ dataDir: path.join(tmpDir, 'kafka'), heapMb: 768, log: opts.log });
      stops.push(() => stopKafkaBroker(broker.pid));
      brokers = [broker.bootstrap];
      kafkaKind = 'own';
    }
    let redisUrl: string;
    let redisKind: 'own' | 'given' = 'given';
    if (given.redisUrl) {
      redisUrl = config.env.REDIS_URL;
      // A shared Redis keeps the detector's and gateway's keys of our namespaces otherwise.
      stops.push(async () => {
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
      });
    } else {
      const redis = await startRedisServer({ dataDir: path.join(tmpDir, 'redis'), persist: false, log: opts.log });
      stops.push(() => stopRedisServer(redis.pid));
      redisUrl = redis.url;
      redisKind = 'own';
    }
    const runId = Date.now().toString(36);
    const logger = silentLogger();
    const kafka = createKafka({ brokers, clientId: 'bench', logger });
    const ctx: BenchContext = {
      brokers,
      redisUrl,
      infra: { kafka: kafkaKind, redis: redisKind },
      kafka,
      logger,
      quick: opts.quick,
      runId,
      tmpDir,
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
    if (kafkaKind === 'given') {
      // A shared broker keeps our topics otherwise; an own broker's data dir is deleted anyway.
      stops.unshift(async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          const mine = (await admin.listTopics()).filter((t) => namespaces.some((ns) => t.startsWith(`${ns}.`)));
          if (mine.length > 0) await admin.deleteTopics({ topics: mine });
        } finally {
          await admin.disconnect();
        }
      });
    }
    return { ctx, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
