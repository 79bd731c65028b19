/**
 * The client against the real gateway (services/gateway) over the real broker and Redis: the
 * detector's writes are simulated through the shared keys and topics (test/gateway/support.ts).
 */
import { createHmac } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig } from '@rotation/config';
import { startGateway, type RunningGateway } from '@rotation/gateway';
import { RotationClient } from '@rotation/client';
import { DetectorSim, gateway } from '../gateway/support.js';
import { describe, expect, test } from '../support/fixtures.js';
import { until } from './protocol-server.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const SECRET = 'client-test-secret-0123456789abcdef-01';
function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

describe('client against the real gateway', () => {
  test('snapshot and live alerts, then a gateway restart: the client resumes on the new instance with exactly the missed alerts', async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gateways: RunningGateway[] = [];
    let c: RotationClient | undefined;
    try {
      await sim.snapshot(3.97);
      const gwA = await gateway(ns, logger, {}, {}, `${ns}-a`);
      gateways.push(gwA);
      c = new RotationClient({ url: gwA.wsUrl, channels: ['alerts', 'spreads'], backoff: { baseMs: 50, capMs: 500 } });
      const seen: number[] = [];
      const errors: string[] = [];
      c.on('alert', (_a, meta) => seen.push(meta.seq));
      c.on('error', (e) => errors.push(`${e.code} ${e.message}`));
      await c.connect();
      await until(() => c!.state.spreads !== undefined, 'spreads snapshot', 30_000);
      expect(c.state.spreads?.[0]).toMatchObject({ pair: 'IWM/SPY', spreadPp: 3.97 });

      await sim.alerts(3);
      await until(() => seen.length === 3, 'live alerts', 30_000);
      await sim.snapshot(5.1);
      await until(() => c!.state.spreads?.[0]?.spreadPp === 5.1, 'spreads update', 30_000);

      // Instance A goes away (announcing it); alerts keep coming while nobody serves them.
      await gwA.stop();
      await sim.alerts(4);
      const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl') });
      const gwB = await startGateway(config, { logger, port: gwA.port, host: '127.0.0.1', instanceId: `${ns}-b`, tuning: { probeMs: 300 } });
      gateways.push(gwB);
      await until(() => c!.status.state === 'open' && (c!.status as { instance: string }).instance === `${ns}-b`, 'reconnect to instance B', 30_000);
      await until(() => seen.length === 7, 'missed alerts', 30_000);
      await sim.alerts(2);
      await until(() => seen.length === 9, 'live alerts on B', 30_000);

      expect(seen).toEqual(range(1, 9));
      expect(c.cursors.get('alerts')?.seq).toBe(9);
      // Refused connections while no instance listened are expected; nothing else went wrong.
      expect(errors.filter((e) => !e.startsWith('CLIENT_SOCKET_ERROR ECONNREFUSED'))).toEqual([]);
    } finally {
      await c?.close();
      for (const g of gateways) await g.stop();
      await sim.close();
    }
  });

  test('a JWT that expires on an open connection: closed with 4003, the client fetches a fresh token and resumes with nothing missed', async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger, { GATEWAY_JWT_SECRET: SECRET });
    const issued: number[] = [];
    // The first token lives 1 s (closed at exp + the 5 s tolerance); the next ones 5 minutes.
    const c = new RotationClient({
      url: gw.wsUrl,
      channels: ['alerts'],
      backoff: { baseMs: 50, capMs: 500 },
      token: () => {
        const now = Math.floor(Date.now() / 1000);
        issued.push(now);
        return jwt({ sub: 'refresher', iat: now, exp: now + (issued.length === 1 ? 1 : 300) });
      },
    });
    const seen: number[] = [];
    const codes: number[] = [];
    c.on('alert', (_a, meta) => seen.push(meta.seq));
    c.on('status', (st) => {
      if (st.state === 'reconnecting' && st.code !== undefined) codes.push(st.code);
    });
    try {
      await c.connect();
      await sim.alerts(2);
      await until(() => seen.length === 2, 'first alerts', 30_000);
      await until(() => codes.length > 0, 'the expiry close', 15_000);
      expect(codes[0]).toBe(4003);
      await sim.alerts(2);
      await until(() => c.status.state === 'open' && issued.length >= 2, 'reconnect with a fresh token', 15_000);
      await until(() => seen.length === 4, 'alerts after the refresh', 30_000);
      expect(seen).toEqual(range(1, 4));
    } finally {
      await c.close();
      await gw.stop();
      await sim.close();
    }
  });
});
