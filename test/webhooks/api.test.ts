/**
 * Webhook sinks managed through /api/v1/webhooks on a real gateway, Kafka and Redis, with no
 * restart: an owner adds a sink and gets its rule alerts signed with its secret at a local
 * receiver, changes it (a new receiver and secret), deletes it (nothing more arrives); other
 * owners cannot see it; an admin's shared sink gets the built-in alerts; secrets are never
 * shown; a second gateway (a restart) finds the sinks in Redis.
 */
import { verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@rotation/webhooks';
import { describe, expect, test } from '../support/fixtures.js';
import { DetectorSim, gateway, until } from '../gateway/support.js';
import { Receiver } from './receiver.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdefgh';
const ADMIN = 'admin-token-0123456789abcdef';
const SECRET = 'alice-signing-secret-0123456789';
const SECRET2 = 'alice-second-secret-0123456789';

const call = (url: string, token: string, method = 'GET', body?: unknown) =>
  fetch(url, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

describe('webhook sinks through the API', () => {
  test('add, signed delivery, change, delete: owner-scoped, no restart, secrets never shown', { timeout: 180_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const env = { GATEWAY_AUTH_TOKENS: `alice:${ALICE},bob:${BOB},root:${ADMIN}:admin`, WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' };
    const first = await new Receiver().listen();
    const second = await new Receiver().listen();
    let gw = await gateway(ns, logger, env);
    const api = () => `${gw.url}/api/v1/webhooks`;
    const ruleAlert = (seq: number) => ({ kind: 'rule' as const, owner: 'alice', rule: 'r_0123456789abcdef01234567', deliver: { websocket: false, webhook: 'alice-hook' }, message: `rule alert ${seq}` });
    try {
      expect((await (await call(api(), ALICE)).json()) as unknown).toEqual({ sinks: [], relay: { running: false } });
      const created = await call(api(), ALICE, 'POST', { name: 'alice-hook', url: first.url, secret: SECRET, headers: { 'X-Receiver-Auth': 'receiver-credential' } });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/api/v1/webhooks/alice-hook');
      const view = (await created.json()) as Record<string, unknown>;
      expect(view).toMatchObject({ name: 'alice-hook', owner: 'alice', source: 'api', target: `http://127.0.0.1:${first.port}`, secret: true, headers: ['X-Receiver-Auth'], version: 1 });
      expect(JSON.stringify(view)).not.toMatch(/signing-secret|receiver-credential|url-credential/);
      const listed = (await (await call(api(), ALICE)).json()) as { sinks: unknown[]; relay: { running: boolean } };
      expect(listed.relay.running).toBe(true);
      expect(JSON.stringify(listed)).not.toMatch(/signing-secret|receiver-credential|url-credential/);

      // The rules API knows the new sink at once: alice's rules may deliver to it, bob's may not.
      const rule = { name: 'Small caps up 1 pp today', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1d', condition: { type: 'crosses_above', value: 1 }, hysteresis: 0.25, message: '{{pair}} {{spreadPp}} over {{window}}' };
      expect((await call(`${gw.url}/api/v1/rules`, ALICE, 'POST', { ...rule, deliver: { websocket: false, webhook: 'alice-hook' } })).status).toBe(201);
      expect((await call(`${gw.url}/api/v1/rules`, BOB, 'POST', { ...rule, deliver: { websocket: false, webhook: 'alice-hook' } })).status).toBe(400);

      // Another owner neither sees nor changes it; a duplicate name is refused; a bad URL is explained.
      expect((await (await call(api(), BOB)).json()) as unknown).toMatchObject({ sinks: [] });
      expect((await call(`${api()}/alice-hook`, BOB)).status).toBe(404);
      expect((await call(`${api()}/alice-hook`, BOB, 'DELETE')).status).toBe(404);
      expect((await call(api(), BOB, 'POST', { name: 'alice-hook', url: second.url })).status).toBe(409);
      const badUrl = await call(api(), BOB, 'POST', { name: 'bob-hook', url: 'ftp://example.com/x' });
      expect(badUrl.status).toBe(400);
      expect(((await badUrl.json()) as { issues: Array<{ path: string }> }).issues[0]!.path).toBe('url');
      expect((await call(api(), BOB, 'POST', { name: 'bob-hook', url: `https://example.com/${'x'.repeat(2_100)}` })).status).toBe(400);
      expect((await call(api(), BOB, 'POST', { name: 'bob-hook', url: 'https://example.com/x', owner: 'alice' })).status).toBe(403);

      await sim.alerts(2, ruleAlert);
      await until(() => first.requests.length >= 2, 'two signed deliveries');
      for (const r of first.requests) {
        expect(r.headers['x-receiver-auth']).toBe('receiver-credential');
        const verdict = verifySignature({ secret: SECRET, body: r.body, signature: String(r.headers[SIGNATURE_HEADER]), timestamp: String(r.headers[TIMESTAMP_HEADER]), nowSec: Math.floor(Date.now() / 1000) });
        expect(verdict.ok).toBe(true);
      }
      expect(first.requests.map((r) => (JSON.parse(r.body) as { alert: { message: string } }).alert.message)).toEqual(['rule alert 1', 'rule alert 2']);

      // Changed: another receiver and another secret, from the next alert on.
      const changed = await call(`${api()}/alice-hook`, ALICE, 'PUT', { url: second.url, secret: SECRET2 });
      expect(changed.status).toBe(200);
      expect((await changed.json()) as unknown).toMatchObject({ version: 2, target: `http://127.0.0.1:${second.port}`, headers: [] });
      await sim.alerts(1, ruleAlert);
      await until(() => second.requests.length >= 1, 'a delivery to the changed sink');
      const r = second.requests[0]!;
      expect(verifySignature({ secret: SECRET2, body: r.body, signature: String(r.headers[SIGNATURE_HEADER]), timestamp: String(r.headers[TIMESTAMP_HEADER]), nowSec: Math.floor(Date.now() / 1000) }).ok).toBe(true);
      expect(first.requests).toHaveLength(2);

      // An admin's shared sink gets the built-in alerts; an owner does not see it.
      expect((await call(api(), ADMIN, 'POST', { name: 'ops', url: first.url })).status).toBe(201);
      expect(((await (await call(api(), ALICE)).json()) as { sinks: Array<{ name: string }> }).sinks.map((s) => s.name)).toEqual(['alice-hook']);
      expect(((await (await call(api(), ADMIN)).json()) as { sinks: Array<{ name: string }> }).sinks.map((s) => s.name).sort()).toEqual(['alice-hook', 'ops']);
      await sim.alerts(1, (seq) => ({ message: `built-in ${seq}` }));
      await until(() => first.requests.some((q) => q.body.includes('built-in 4')), 'the built-in alert at the shared sink');

      // A restart (another instance) finds both in Redis.
      await gw.stop();
      gw = await gateway(ns, logger, env);
      expect(((await (await call(api(), ADMIN)).json()) as { sinks: Array<{ name: string }> }).sinks.map((s) => s.name).sort()).toEqual(['alice-hook', 'ops']);

      // Deleted: nothing more reaches it.
      expect((await call(`${api()}/alice-hook`, ALICE, 'DELETE')).status).toBe(200);
      expect((await call(`${api()}/alice-hook`, ALICE)).status).toBe(404);
      await sim.alerts(1, ruleAlert);
      await sim.alerts(1, (seq) => ({ message: `built-in ${seq}` }));
      await until(() => first.requests.some((q) => q.body.includes('built-in 6')), 'the next built-in alert (so alert 5 was consumed)');
      expect(second.requests).toHaveLength(1);
    } finally {
      await gw.stop();
      await sim.close();
      await first.close();
      await second.close();
    }
  });
});
