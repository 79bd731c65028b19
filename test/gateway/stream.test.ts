import { ServerMessage, type Snapshot } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import { Client, DetectorSim, gateway, until } from './support.js';

describe('gateway stream', () => {
  test('welcome, subscribe -> ack -> snapshots -> live alert and live state, and the HTTP API agrees', async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const first = await sim.snapshot(1.5);
    await sim.alerts(2);
    const gw = await gateway(ns, logger);
    const client = await Client.connect(gw.wsUrl);
    try {
      const welcome = await client.next('welcome');
      expect(welcome).toMatchObject({ version: 1, epoch: 'e1', instance: gw.instanceId });
      expect(welcome.heartbeatMs).toBeGreaterThan(0);

      client.send({ op: 'subscribe', id: 'r1', channels: ['alerts', 'spreads', 'breadth'] });
      const ack = await client.next('subscribed');
      expect(ack).toEqual({ type: 'subscribed', id: 'r1', channels: ['alerts', 'spreads', 'breadth'] });
      const spreads = await client.next('snapshot', (m) => m.channel === 'spreads');
      expect(spreads).toMatchObject({ epoch: 'e1', seq: first.version, data: first.snapshot.spreads });
      const breadth = await client.next('snapshot', (m) => m.channel === 'breadth');
      expect(breadth.data).toEqual(first.snapshot.breadth);
      const recent = await client.next('snapshot', (m) => m.channel === 'alerts');
      expect(recent).toMatchObject({ seq: 2, data: [{ seq: 1 }, { seq: 2 }] });
      // Order on the wire: ack before any snapshot.
      const types = client.messages.map((m) => m.type);
      expect(types.indexOf('subscribed')).toBeLessThan(types.indexOf('snapshot'));

      // Raised for a step 3 s ago: the end-to-end histogram puts it between 1 and 5 s.
      const [live] = await sim.alerts(1, () => ({ kind: 'breadth_thrust', severity: 'critical', eventTime: new Date(Date.now() - 3_000).toISOString() }));
      const event = await client.next('event', (m) => m.channel === 'alerts');
      expect(event).toEqual({ type: 'event', channel: 'alerts', epoch: 'e1', seq: 3, prevSeq: 2, data: live });

      const next = await sim.snapshot(2.5);
      const stateEvent = await client.next('event', (m) => m.channel === 'spreads');
      expect(stateEvent).toMatchObject({ seq: next.version, prevSeq: first.version, data: next.snapshot.spreads });
      // Not subscribed to sectors: nothing arrives for it.
      expect(client.messages.some((m) => 'channel' in m && m.channel === 'sectors')).toBe(false);

      const snap = await fetch(`${gw.url}/api/v1/snapshot`);
      expect(snap.status).toBe(200);
      expect(snap.headers.get('x-snapshot-version')).toBe(String(next.version));
      expect((await snap.json()) as Snapshot).toEqual(next.snapshot);

      const all = (await (await fetch(`${gw.url}/api/v1/alerts`)).json()) as { alerts: Array<{ seq: number }>; head: number };
      expect(all.alerts.map((a) => a.seq)).toEqual([1, 2, 3]);
      const since = (await (await fetch(`${gw.url}/api/v1/alerts?since=1&limit=1`)).json()) as { alerts: Array<{ seq: number }> };
      expect(since.alerts.map((a) => a.seq)).toEqual([2]);
      expect((await fetch(`${gw.url}/api/v1/alerts?since=-1`)).status).toBe(400);
      expect((await fetch(`${gw.url}/api/v1/alerts?limit=abc`)).status).toBe(400);

      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      await until(async () => (await fetch(`${gw.url}/readyz`)).status === 200, 'readyz 200');
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).toMatch(/^gateway_connections 1$/m);
      expect(metrics).toMatch(/^gateway_alerts_forwarded_total 1$/m);
      expect(metrics).toMatch(/^gateway_alert_event_to_send_seconds_bucket\{le="1"\} 0$/m);
      expect(metrics).toMatch(/^gateway_alert_event_to_send_seconds_bucket\{le="5"\} 1$/m);
      expect(metrics).toMatch(/^gateway_alert_event_to_send_seconds_count 1$/m);
      expect(metrics).toMatch(/gateway_consumer_lag\{topic="[^"]+\.alerts",partition="0"\} 0/);

      // Every frame the client got is valid against the published schema.
      for (const m of client.messages) expect(ServerMessage.safeParse(m).success).toBe(true);

      // unsubscribe: ack, and no more spreads events afterwards.
      client.send({ op: 'unsubscribe', id: 'r2', channels: ['spreads'] });
      await client.next('unsubscribed', (m) => m.id === 'r2');
      const mark = client.messages.length;
      await sim.snapshot(3.5);
      await sim.alerts(1);
      await client.next('event', (m) => m.channel === 'alerts' && m.seq === 4, mark);
      // Breadth did not change in version 3, so it sends nothing; the snapshot is proven applied by the HTTP API.
      await until(async () => ((await (await fetch(`${gw.url}/api/v1/snapshot`)).json()) as Snapshot).spreads[0]?.spreadPp === 3.5, 'snapshot version 3 applied');
      expect(client.messages.slice(mark).some((m) => m.type === 'event' && m.channel === 'breadth')).toBe(false);
      expect(client.messages.slice(mark).some((m) => m.type === 'event' && m.channel === 'spreads')).toBe(false);

      // Graceful stop: a shutdown notice, then a close with 1001.
      await gw.stop();
      expect(await client.closed).toMatchObject({ code: 1001 });
      expect(client.messages.at(-1)).toEqual({ type: 'shutdown', reconnectAfterMs: 0 });
    } finally {
      await client.close();
      await gw.stop();
      await sim.close();
    }
  });
});
