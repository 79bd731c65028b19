/**
 * CORS on a real gateway (GATEWAY_CORS_ORIGINS): preflights of /api/* answered, an allowed
 * origin echoed with Vary: Origin, any other origin left without CORS headers and its
 * preflight refused; without the setting, no origin gets any.
 */
import { describe, expect, test } from '../support/fixtures.js';
import { gateway } from './support.js';

const TOKEN = 'cors-token-0123456789abcdef';
const APP = 'https://app.example.com';

const preflight = (url: string, origin: string, method = 'POST') =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' } });

describe('gateway CORS', () => {
  test('an allowed origin gets its preflights answered and its responses readable; others get nothing', { timeout: 120_000 }, async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `alice:${TOKEN}`, GATEWAY_CORS_ORIGINS: `${APP},http://localhost:5173` });
    try {
      for (const [path, method] of [['/api/v1/rules', 'POST'], ['/api/v1/rules/r_x', 'DELETE'], ['/api/v1/alerts', 'GET'], ['/api/v1/events', 'GET']] as const) {
        const res = await preflight(`${gw.url}${path}`, APP, method);
        expect(res.status, path).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(APP);
        expect(res.headers.get('vary')).toBe('Origin');
        expect(res.headers.get('access-control-allow-methods')).toContain(method);
        expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
        expect(res.headers.get('access-control-max-age')).toBe('600');
      }
      const alerts = await fetch(`${gw.url}/api/v1/alerts`, { headers: { origin: APP, authorization: `Bearer ${TOKEN}` } });
      expect(alerts.status).toBe(200);
      expect(alerts.headers.get('access-control-allow-origin')).toBe(APP);
      expect(alerts.headers.get('vary')).toBe('Origin');
      // A refusal is readable by the page too, so it can tell a bad token from a network error.
      const unauthorised = await fetch(`${gw.url}/api/v1/alerts`, { headers: { origin: APP } });
      expect(unauthorised.status).toBe(401);
      expect(unauthorised.headers.get('access-control-allow-origin')).toBe(APP);

      const evil = await preflight(`${gw.url}/api/v1/rules`, 'https://evil.example.com');
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const evilGet = await fetch(`${gw.url}/api/v1/alerts`, { headers: { origin: 'https://evil.example.com', authorization: `Bearer ${TOKEN}` } });
      expect(evilGet.headers.get('access-control-allow-origin')).toBeNull();
      expect(evilGet.headers.get('vary')).toBe('Origin');
      // Outside /api nothing changes: the dashboard files are same-origin only.
      expect((await preflight(`${gw.url}/healthz`, APP, 'GET')).status).toBe(405);
    } finally {
      await gw.stop();
    }
  });

  test('without GATEWAY_CORS_ORIGINS no origin gets CORS headers; * allows any, only when written', { timeout: 120_000 }, async ({ ns, withTopics, logger }) => {
    await withTopics();
    const off = await gateway(ns, logger);
    try {
      const res = await preflight(`${off.url}/api/v1/alerts`, APP, 'GET');
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect((await fetch(`${off.url}/api/v1/alerts`, { headers: { origin: APP } })).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await off.stop();
    }
    const any = await gateway(ns, logger, { GATEWAY_CORS_ORIGINS: '*' });
    try {
      const res = await preflight(`${any.url}/api/v1/alerts`, 'https://anyone.example', 'GET');
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect((await fetch(`${any.url}/api/v1/alerts`, { headers: { origin: 'https://anyone.example' } })).headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await any.stop();
    }
  });
});
