/**
 * Guarantee 6: gateway failover. Two gateway instances serve one namespace; a client on the
 * first loses it (the instance is killed with -9, or the connection is cut) while alerts keep
 * coming, resumes on the second with its last seq, and ends with every alert exactly once, in
 * order: no gap, no duplicate.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { AlertWriter } from './support/alert-writer.js';
import { chaosEnv } from './support/infra.js';
import { createNamespaceTopics, openRedis } from './support/read.js';
import { spawnService, waitUntil, type ServiceProcess } from './support/services.js';
import { ResumingAlertClient } from './support/ws-client.js';
import { sharedPipeline } from './support/shared-pipeline.js';

const { kafkaBrokers, redisUrl, kafka, namespace } = sharedPipeline();
const ALERTS = 240;

async function startGateway(env: Record<string, string>, label: string): Promise<{ proc: ServiceProcess; wsUrl: string }> {
  const proc = spawnService('gateway', [], { env: { ...env, GATEWAY_INSTANCE_ID: label }, label });
  const line = await proc.waitForLog('ready for clients', 90_000);
  return { proc, wsUrl: String(line.json?.websocket) };
}

describe('gateway failover', () => {
  it.each(['the first instance is killed with -9', 'the connection to the first instance is cut'] as const)(
    'a client resumes on the second instance with no gap and no duplicate when %s',
    async (how) => {
      const ns = namespace();
      await createNamespaceTopics(kafka, ns, 3);
      const redis = await openRedis(redisUrl);
      const writer = new AlertWriter(kafka, redis, ns);
      const client = new ResumingAlertClient();
      try {
        await writer.connect();
        const [a, b] = await Promise.all([
          chaosEnv({ ns, kafkaBrokers, redisUrl }).then((env) => startGateway(env, 'gw-a')),
          chaosEnv({ ns, kafkaBrokers, redisUrl }).then((env) => startGateway(env, 'gw-b')),
        ]);
        await client.connect(a.wsUrl);

        let writing = true;
        const produced = (async () => {
          for (let i = 1; i <= ALERTS; i++) {
            await writer.write(i);
            await sleep(15);
          }
          writing = false;
        })();

        await waitUntil('the client to receive alerts from gw-a', () => client.lastSeq >= 60, 60_000, 20);
        if (how === 'the first instance is killed with -9') await a.proc.kill9();
        else client.cut();
        // Alerts keep flowing while the client is away.
        await sleep(300);
        await client.connect(b.wsUrl);
        await produced;
        expect(writing).toBe(false);
        await waitUntil(`the client to reach seq ${ALERTS}`, () => client.lastSeq >= ALERTS, 60_000, 50);
        // Room for a late duplicate to show up before judging.
        await sleep(500);

        expect(client.resyncs).toEqual([]);
        expect(client.errors).toEqual([]);
        expect(client.received.map((r) => r.seq)).toEqual(writer.written.map((w) => w.seq));
        expect(client.received.map((r) => r.alert.id)).toEqual(writer.written.map((w) => w.id));
        // Both instances really served: the failover happened mid-stream.
        const served = new Set(client.received.map((r) => r.connection));
        expect([...served].sort()).toEqual([1, 2]);
      } finally {
        await client.close();
        await writer.close();
        await redis.quit();
      }
    },
    240_000,
  );
});
