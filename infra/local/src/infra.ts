import path from 'node:path';
import { infraOverrides } from '@rotation/config';
import { startKafkaBroker, stopKafkaBroker } from './kafka-broker.js';
import { isPortFree } from './ports.js';
import { isAlive } from './process.js';
import { startRedisServer, stopRedisServer } from './redis-server.js';
import { clearState, readState, stateFiles, writeState, type InfraState } from './state.js';
import { DATA_DIR } from './paths.js';

export interface UpResult {
  state: InfraState;
  started: string[];
  reused: string[];
}

/**
 * Starts the local broker and Redis unless KAFKA_BROKERS / REDIS_URL are set, reusing what an
 * earlier `up` left running. Data lives under .data/ and survives restarts; ports are kept when
 * still free so clients configured earlier keep working.
 */
export async function infraUp(log: (msg: string) => void, dataDir: string = DATA_DIR): Promise<UpResult> {
  const overrides = infraOverrides();
  const previous = await readState(dataDir);
  const started: string[] = [];
  const reused: string[] = [];

  let kafka = previous?.kafka;
  let kafkaBrokers = overrides.kafkaBrokers;
  if (!kafkaBrokers) {
    if (kafka && isAlive(kafka.pid)) {
      reused.push(`kafka ${kafka.bootstrap}`);
    } else {
      const port = kafka && (await isPortFree(kafka.port)) ? kafka.port : undefined;
      const controllerPort = kafka && (await isPortFree(kafka.controllerPort)) ? kafka.controllerPort : undefined;
      const h = await startKafkaBroker({ dataDir: path.join(dataDir, 'kafka'), log, ...(port ? { port } : {}), ...(controllerPort ? { controllerPort } : {}) });
      kafka = { pid: h.pid, port: h.port, controllerPort: h.controllerPort, bootstrap: h.bootstrap, dataDir: h.dataDir };
      started.push(`kafka ${h.bootstrap}`);
    }
    kafkaBrokers = kafka.bootstrap;
  } else {
    kafka = undefined;
  }

  let redis = previous?.redis;
  let redisUrl = overrides.redisUrl;
  if (!redisUrl) {
    if (redis && isAlive(redis.pid)) {
      reused.push(`redis ${redis.url}`);
    } else {
      const port = redis && (await isPortFree(redis.port)) ? redis.port : undefined;
      const h = await startRedisServer({ dataDir: path.join(dataDir, 'redis'), persist: true, log, ...(port ? { port } : {}) });
      redis = { pid: h.pid, port: h.port, url: h.url, dataDir: h.dataDir };
      started.push(`redis ${h.url}`);
    }
    redisUrl = redis.url;
  } else {
    redis = undefined;
  }

  const state: InfraState = { kafkaBrokers, redisUrl, ...(kafka ? { kafka } : {}), ...(redis ? { redis } : {}) };
  await writeState(dataDir, state);
  return { state, started, reused };
}

export async function infraDown(log: (msg: string) => void, dataDir: string = DATA_DIR): Promise<void> {
  const state = await readState(dataDir);
  if (!state) {
    log(`nothing to stop (no ${stateFiles(dataDir).state})`);
    return;
  }
  if (state.kafka) {
    await stopKafkaBroker(state.kafka.pid);
    log(`stopped kafka (pid ${state.kafka.pid})`);
  }
  if (state.redis) {
    await stopRedisServer(state.redis.pid);
    log(`stopped redis (pid ${state.redis.pid})`);
  }
  await clearState(dataDir);
}
