/**
 * The lifecycle every chaos test on the shared broker and Redis repeats: kill what the test
 * spawned after each test, and delete the namespaces it used (topics and keys) after the file.
 * Call once at the top of a test file; `namespace()` hands out a fresh, tracked namespace.
 */
import { afterAll, afterEach } from 'vitest';
import { topicNames } from '@rotation/schemas';
import { uniqueNamespace } from '../../support/fixtures.js';
import { sharedInfra } from './infra.js';
import { deleteNamespaceKeys, deleteNamespaceTopics, openRedis, testKafka } from './read.js';
import { killAllServices } from './services.js';

export function sharedPipeline() {
  const { kafkaBrokers, redisUrl } = sharedInfra();
  const kafka = testKafka(kafkaBrokers);
  const namespaces: string[] = [];

  afterEach(async () => {
    await killAllServices();
  });

  afterAll(async () => {
    const redis = await openRedis(redisUrl);
    for (const ns of namespaces) {
      await deleteNamespaceKeys(redis, ns);
      await deleteNamespaceTopics(kafka, Object.values(topicNames(ns)));
    }
    await redis.quit();
  });

  return {
    kafkaBrokers,
    redisUrl,
    kafka,
    namespace(): string {
      const ns = uniqueNamespace();
      namespaces.push(ns);
      return ns;
    },
  };
}
