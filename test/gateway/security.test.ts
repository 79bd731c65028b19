import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '@rotation/log';
import { CloseCode } from '@rotation/schemas';
import { inject } from 'vitest';
import { loadConfig } from '@rotation/config';
import { startGateway } from '@rotation/gateway';
import { describe, expect, test } from '../support/fixtures.js';
import { Client, DetectorSim, gateway, upgradeStatus } from './support.js';

const SECRET = 'gateway-test-secret-0123456789abcdef';
const TOKEN = 'tok-9f8e7d6c5b4a';

/** An HS256 JWT, signed the standard way (RFC 7519) without a library. */
function jwt(claims: Record<string, unknown>, secret = SECRET): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('gateway security', () => {
  test('auth: refused with 401 before the upgrade, accepted with header, query token or JWT; the HTTP API too; tokens never logged', async ({ ns, withTopics, kafka, redis }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    await sim.snapshot(1);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ name: 'gateway', level: 'debug', destination: sink });
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `other-token-0123456,${TOKEN}`, GATEWAY_JWT_SECRET: SECRET });
    const now = Math.floor(Date.now() / 1000);
    const good = jwt({ sub: 'alice', iat: now, exp: now + 300 });
    try {
      expect(await upgradeStatus(gw.wsUrl)).toBe(401);
      expect(await upgradeStatus(`${gw.wsUrl}?token=wrong-token`)).toBe(401);
      expect(await upgradeStatus(gw.wsUrl, { headers: { authorization: `Bearer ${jwt({ sub: 'x', exp: now + 300 }, 'another-secret-0123456789abcdef')}` } })).toBe(401);
      expect(await upgradeStatus(gw.wsUrl, { headers: { authorization: `Bearer ${jwt({ sub: 'x', exp: now - 120 })}` } })).toBe(401);
      expect(await upgradeStatus(gw.wsUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).toBe(101);
      expect(await upgradeStatus(`${gw.wsUrl}?token=${TOKEN}`)).toBe(101);
      expect(await upgradeStatus(gw.wsUrl, { headers: { authorization: `Bearer ${good}` } })).toBe(101);

      // An accepted connection works end to end.
      const client = await Client.connect(`${gw.wsUrl}?token=${encodeURIComponent(good)}`);
      client.send({ op: 'subscribe', id: 'a', channels: ['spreads'] });
      await client.next('snapshot', (m) => m.channel === 'spreads');
      await client.close();

      expect((await fetch(`${gw.url}/api/v1/snapshot`)).status).toBe(401);
      expect((await fetch(`${gw.url}/api/v1/alerts?token=nope`)).status).toBe(401);
      expect((await fetch(`${gw.url}/api/v1/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${gw.url}/api/v1/alerts?token=${TOKEN}`)).status).toBe(200);
      // Probes stay open for orchestrators.
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);

      await gw.stop();
      const log = lines.join('');
      expect(log).toMatch(/websocket upgrade refused/);
      expect(log).toContain('token=redacted');
      for (const secret of [TOKEN, good, SECRET, 'wrong-token']) expect(log).not.toContain(secret);
    } finally {
      await gw.stop();
      await sim.close();
    }
  });

  test('auth off on a non-loopback bind warns loudly at start-up; on loopback it does not', async ({ ns, withTopics }) => {
    await withTopics();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ name: 'gateway', level: 'warn', destination: sink });
    const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl') });
    for (const [host, warned] of [['0.0.0.0', true], ['127.0.0.1', false]] as const) {
      lines.length = 0;
      const gw = await startGateway(config, { logger, port: 0, host, tuning: { probeMs: 300 } });
      await gw.stop();
      expect(lines.some((l) => /AUTH IS OFF/.test(l) && (JSON.parse(l) as { level: string }).level === 'warn')).toBe(warned);
    }
  });

  test('an Origin outside the allow-list is refused with 403', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_ALLOWED_ORIGINS: 'http://dash.example' });
    try {
      expect(await upgradeStatus(gw.wsUrl, { origin: 'http://evil.example' })).toBe(403);
      expect(await upgradeStatus(gw.wsUrl, { origin: 'http://dash.example' })).toBe(101);
      expect(await upgradeStatus(`${gw.wsUrl.replace('/v1/stream', '/other')}`)).toBe(404);
    } finally {
      await gw.stop();
    }
  });

  test('malformed frames and unknown ops get error frames and the connection stays usable', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_MAX_SUBSCRIPTIONS: '2' });
    const client = await Client.connect(gw.wsUrl);
    try {
      const cases: Array<[unknown, string, string | undefined]> = [
        ['this is not json', 'bad_json', undefined],
        [{ op: 'publish', id: 'x1', channels: ['alerts'] }, 'unknown_op', 'x1'],
        [{ op: 'subscribe', id: 'x2', channels: ['nonsense'] }, 'unknown_channel', 'x2'],
        [{ op: 'subscribe', id: 'x3', channels: [] }, 'bad_command', 'x3'],
        [{ op: 'subscribe', id: 'x4', channels: ['alerts'], resume: { alerts: 'latest' } }, 'bad_command', 'x4'],
        [`{"op":"ping","id":"${'p'.repeat(5000)}"}`, 'frame_too_large', undefined],
      ];
      for (const [frame, code, id] of cases) {
        const from = client.messages.length;
        client.send(frame);
        const error = await client.next('error', () => true, from);
        expect(error).toMatchObject({ code, retryable: false });
        expect(error.id).toBe(id);
      }
      client.send({ op: 'subscribe', id: 'x5', channels: ['alerts', 'spreads', 'sectors'] });
      expect(await client.next('subscribed', (m) => m.id === 'x5')).toMatchObject({ channels: ['alerts', 'spreads'] });
      expect(await client.next('error', (m) => m.id === 'x5')).toMatchObject({ code: 'too_many_subscriptions' });
      client.send({ op: 'ping', id: 'still-here' });
      expect(await client.next('pong')).toMatchObject({ id: 'still-here' });
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    } finally {
      await client.close();
      await gw.stop();
    }
  });

  test('sustained abuse (a flood of commands) is closed with 4009 after rate_limited errors', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_COMMAND_RATE: '5' });
    const client = await Client.connect(gw.wsUrl);
    try {
      for (let i = 0; i < 200 && client.ws.readyState === client.ws.OPEN; i++) client.send({ op: 'ping', id: `p${i}` });
      const { code } = await client.closed;
      expect(code).toBe(CloseCode.abuse);
      expect(client.messages.filter((m) => m.type === 'pong').length).toBeGreaterThan(0);
      expect(client.messages.some((m) => m.type === 'error' && m.code === 'rate_limited' && m.retryable)).toBe(true);
    } finally {
      await client.close();
      await gw.stop();
    }
  });

  test('a frame above maxPayload closes the connection with 1009', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger);
    const client = await Client.connect(gw.wsUrl);
    try {
      client.send('x'.repeat(64 * 1024));
      expect((await client.closed).code).toBe(CloseCode.tooLarge);
    } finally {
      await client.close();
      await gw.stop();
    }
  });
});
