import type { Socket } from 'node:net';
import { CloseCode } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import { Client, CuttableProxy, DetectorSim, gateway, until } from './support.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('gateway backpressure and outages', () => {
  test('a client that stops reading is cut off with 4008 while a healthy client on the same channel gets every alert in order', async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger, { GATEWAY_MAX_BUFFER_BYTES: String(256 * 1024) });
    const healthy = await Client.connect(gw.wsUrl);
    const slow = await Client.connect(gw.wsUrl);
    try {
      for (const c of [healthy, slow]) {
        c.send({ op: 'subscribe', id: 's', channels: ['alerts', 'spreads'] });
        await c.next('snapshot', (m) => m.channel === 'alerts');
      }
      // The slow client's process stops reading: the kernel buffers fill, then the gateway's.
      (slow.ws as unknown as { _socket: Socket })._socket.pause();

      // ~16 KiB alerts (a large metrics map), in rounds well under the 256 KiB buffer so a
      // client that reads keeps up, until the gateway gives up on the one that does not.
      const padding = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`m${i}`, `${'x'.repeat(30)}${i}`]));
      let published = 0;
      const slowClosed = async () => (await gw.metrics.slowDisconnects.get()).values[0]?.value === 1;
      while (!(await slowClosed())) {
        if (published > 8_000) throw new Error('the slow client was never disconnected');
        // One state update per alert: once the slow client's socket is stuck, several of them
        // wait in its buffer together, which is what must coalesce (not queue up).
        for (let i = 0; i < 8; i++) {
          await sim.alerts(1, () => ({ metrics: padding }));
          await sim.snapshot(published + i);
        }
        published += 8;
        await healthy.untilSeq(published);
      }
      expect((await gw.metrics.coalesced.get()).values[0]?.value ?? 0).toBeGreaterThan(0);
      // A few more after the cut: the healthy client is unaffected.
      await sim.alerts(20);
      published += 20;
      await healthy.untilSeq(published);
      expect(healthy.alertSeqs()).toEqual(range(1, published));
      expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);

      // Once it reads again, the slow client finds the documented close code.
      (slow.ws as unknown as { _socket: Socket })._socket.resume();
      expect((await slow.closed).code).toBe(CloseCode.slowConsumer);
      const got = slow.alertSeqs();
      expect(got).toEqual(range(1, got.length)); // what it did get is an unbroken prefix: resume fills the rest
      expect(got.length).toBeLessThan(published);

      // And it resumes on a new connection with exactly what it missed.
      const back = await Client.connect(gw.wsUrl);
      back.send({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: got.at(-1) ?? 0 } });
      await back.untilSeq(published);
      expect(back.alertSeqs()).toEqual(range((got.at(-1) ?? 0) + 1, published));
      await back.close();
    } finally {
      await healthy.close();
      slow.ws.terminate();
      await gw.stop();
      await sim.close();
    }
  });

  test('Redis outage: live events keep flowing from Kafka, /readyz says 503, and it recovers', async ({ ns, kafka, redis, logger, withTopics, env }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const target = new URL(env.REDIS_URL);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port) });
    await proxy.listen();
    // Memory of 2 alerts, so that a resume from 1 needs Redis.
    const gw = await gateway(ns, logger, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, { redisTimeoutMs: 500, memoryAlerts: 2 });
    const client = await Client.connect(gw.wsUrl);
    try {
      await until(async () => (await fetch(`${gw.url}/readyz`)).status === 200, 'ready');
      client.send({ op: 'subscribe', id: 's', channels: ['alerts', 'spreads'] });
      await client.next('snapshot', (m) => m.channel === 'alerts');
      await sim.alerts(2);
      await client.untilSeq(2);

      proxy.cut();
      await until(async () => (await fetch(`${gw.url}/readyz`)).status === 503, 'not ready during the outage');
      expect(await (await fetch(`${gw.url}/readyz`)).json()).toMatchObject({ ready: false, redis: false, kafka: true });
      // The detector would pause during a real outage; records already on Kafka still flow.
      await sim.alerts(3);
      const record = await sim.snapshot(7);
      await client.untilSeq(5);
      await client.next('event', (m) => m.channel === 'spreads' && m.seq === record.version);
      expect(client.alertSeqs()).toEqual(range(1, 5));
      // A resume that memory cannot serve says so, retryably, instead of hanging.
      const late = await Client.connect(gw.wsUrl);
      late.send({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 1 } });
      expect(await late.next('error', (m) => m.id === 'r')).toMatchObject({ code: 'history_unavailable', retryable: true });
      // One above every head seen is answered without Redis (issue #19), outage or not.
      late.send({ op: 'subscribe', id: 'a', channels: ['alerts:spread_zscore'], resume: { 'alerts:spread_zscore': 99 } });
      expect(await late.next('resync', (m) => m.channel === 'alerts:spread_zscore')).toMatchObject({ reason: 'ahead_of_history' });
      await late.close();

      proxy.restore();
      await until(async () => (await fetch(`${gw.url}/readyz`)).status === 200, 'ready again');
      await sim.alerts(1);
      await client.untilSeq(6);
      expect(client.alertSeqs()).toEqual(range(1, 6));
    } finally {
      await client.close();
      await gw.stop();
      await proxy.close();
      await sim.close();
    }
  });
});
