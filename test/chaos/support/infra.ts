/**
 * Servers a chaos test may stop and restart. The shared broker and Redis (global setup) are
 * used by other suites and people; a test that takes a server down starts its own here. A
 * restart is stop + start on the same data directory and port, so clients reconnect to the
 * same address and find the same data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { childEnv } from '@rotation/config';
import { startKafkaBroker, stopKafkaBroker, startRedisServer, stopRedisServer, freePort, signalGroup } from '@rotation/infra';

const log = (msg: string) => console.error(`[chaos-infra] ${msg}`);
const cleanups = new Set<() => Promise<void>>();
const pids = new Set<number>();
// A runner that dies without its hooks must not leave a JVM or redis-server behind.
process.once('exit', () => pids.forEach((pid) => signalGroup(pid, 'SIGKILL')));

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  cleanups.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface OwnKafka {
  readonly bootstrap: string;
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** A server that can be stopped and started again on the same port and data (tracked for cleanup). */
interface Restartable {
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function restartable(first: { pid: number }, startAgain: () => Promise<{ pid: number }>, stopPid: (pid: number) => Promise<void>): Restartable {
  let handle: { pid: number } | undefined = first;
  pids.add(first.pid);
  const own: Restartable = {
    get running() {
      return handle !== undefined;
    },
    async stop() {
      if (!handle) return;
      const h = handle;
      handle = undefined;
      await stopPid(h.pid);
      pids.delete(h.pid);
    },
    async start() {
      if (handle) return;
      handle = await startAgain();
      pids.add(handle.pid);
    },
  };
  cleanups.add(() => own.stop());
  return own;
}

/** A broker of this test's own (about 10-20 s to start on two cores). */
export async function startOwnKafka(): Promise<OwnKafka> {
  const dataDir = await tempDir('chaos-kafka-');
  const first = await startKafkaBroker({ dataDir, log, heapMb: 384 });
  const { port, controllerPort } = first;
  const server = restartable(first, () => startKafkaBroker({ dataDir, port, controllerPort, log, heapMb: 384 }), stopKafkaBroker);
  return {
    bootstrap: first.bootstrap,
    get running() {
      return server.running;
    },
    stop: () => server.stop(),
    start: () => server.start(),
    async restart() {
      await server.stop();
      await server.start();
    },
  };
}

export interface OwnRedis extends Restartable {
  readonly url: string;
}

/**
 * A Redis of this test's own. Persistence (AOF) is on: an outage must not double as data loss,
 * which would test something else (the detector cannot keep state Redis threw away).
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const dataDir = await tempDir('chaos-redis-');
  const first = await startRedisServer({ dataDir, persist: true, log });
  const { port } = first;
  const server = restartable(first, () => startRedisServer({ dataDir, port, persist: true, log }), stopRedisServer);
  return {
    url: first.url,
    get running() {
      return server.running;
    },
    stop: () => server.stop(),
    start: () => server.start(),
  };
}

/** Stops every server started here and removes their data (afterAll). */
export async function stopOwnInfra(): Promise<void> {
  // Servers first (registered after their directory), then directories.
  for (const c of [...cleanups].reverse()) {
    cleanups.delete(c);
    await c().catch((e: unknown) => log(`cleanup failed: ${(e as Error).message}`));
  }
}

export function sharedInfra(): { kafkaBrokers: string; redisUrl: string } {
  return { kafkaBrokers: inject('kafkaBrokers'), redisUrl: inject('redisUrl') };
}

export interface ChaosEnvOptions {
  ns: string;
  kafkaBrokers: string;
  redisUrl: string;
  ticksPartitions?: number;
  set?: Record<string, string | undefined>;
}

/**
 * The complete environment of a service under test: this process's environment (PATH, HOME,
 * ...) with the pipeline's settings replaced, so nothing leaks in from the developer's shell.
 */
export async function chaosEnv(o: ChaosEnvOptions): Promise<Record<string, string>> {
  return childEnv(
    {
      ROTATION_NAMESPACE: o.ns,
      KAFKA_BROKERS: o.kafkaBrokers,
      REDIS_URL: o.redisUrl,
      KAFKA_TICKS_PARTITIONS: String(o.ticksPartitions ?? 3),
      LOG_LEVEL: 'info',
      INGESTER_HTTP_PORT: '0',
      DETECTOR_HTTP_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      GATEWAY_HOST: '127.0.0.1',
      ...o.set,
    },
    ['NODE_OPTIONS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'ROTATION_UNIVERSE_FILE', 'GATEWAY_AUTH_TOKENS', 'GATEWAY_JWT_SECRET', 'GATEWAY_INSTANCE_ID', 'DETECTOR_INSTANCE_ID'],
  );
}

export { freePort };
