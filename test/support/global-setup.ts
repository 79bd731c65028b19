/**
 * One real Kafka broker and one real Redis server for the whole integration run:
 * KAFKA_BROKERS / REDIS_URL when set, else testcontainers when a Docker engine answers, else
 * the project's own launcher (infra/local). Tests isolate themselves by namespace.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { infraOverrides } from '@rotation/config';
import { dockerEngineAvailable, startContainers, startKafkaBroker, stopKafkaBroker, startRedisServer, stopRedisServer, signalGroup } from '@rotation/infra';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    redisUrl: string;
    /** How the infrastructure was obtained: env, containers or launcher. */
    infraMode: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = infraOverrides();
  const cleanups: Array<() => Promise<void>> = [];
  const log = (msg: string) => console.error(`[test-infra] ${msg}`);
  let kafkaBrokers = given.kafkaBrokers;
  let redisUrl = given.redisUrl;
  let mode = 'env';

  if (!kafkaBrokers || !redisUrl) {
    if (await dockerEngineAvailable()) {
      mode = 'containers';
      const c = await startContainers();
      kafkaBrokers ??= c.kafkaBrokers;
      redisUrl ??= c.redisUrl;
      cleanups.push(c.stop);
    } else {
      mode = 'launcher';
      const dir = await mkdtemp(path.join(os.tmpdir(), 'rotation-test-infra-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const pids: number[] = [];
      // If the runner dies without teardown, do not leave a JVM behind.
      process.once('exit', () => pids.forEach((pid) => signalGroup(pid, 'SIGKILL')));
      const [k, r] = await Promise.all([
        kafkaBrokers ? undefined : startKafkaBroker({ dataDir: path.join(dir, 'kafka'), log }),
        redisUrl ? undefined : startRedisServer({ dataDir: path.join(dir, 'redis'), log }),
      ]);
      if (k) {
        pids.push(k.pid);
        kafkaBrokers = k.bootstrap;
        cleanups.unshift(() => stopKafkaBroker(k.pid));
      }
      if (r) {
        pids.push(r.pid);
        redisUrl = r.url;
        cleanups.unshift(() => stopRedisServer(r.pid));
      }
    }
  }
  log(`kafka ${kafkaBrokers}, redis ${redisUrl} (${mode})`);
  project.provide('kafkaBrokers', kafkaBrokers!);
  project.provide('redisUrl', redisUrl!);
  project.provide('infraMode', mode);
  return async () => {
    for (const c of cleanups) await c();
  };
}
