/**
 * The gateway's HTTP side against a real instance: security headers on the dashboard and on
 * JSON, /metrics in each GATEWAY_METRICS mode, and source maps only when GATEWAY_SOURCE_MAPS is on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describe, expect, test } from '../support/fixtures.js';
import { gateway } from './support.js';

const API_TOKEN = 'api-token-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789ab';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gw-http-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>dash</title><script src="app.js"></script>');
  await writeFile(path.join(dir, 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map');
  await writeFile(path.join(dir, 'app.js.map'), '{"version":3,"sources":[]}');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

describe('gateway HTTP', () => {
  test('the dashboard carries CSP, framing and referrer headers; JSON answers carry nosniff; source maps are off by default', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_STATIC_DIR: dir });
    try {
      const page = await fetch(`${gw.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      for (const p of ['/healthz', '/readyz', '/api/v1/alerts', '/nope', '/v1/stream']) {
        const res = await fetch(`${gw.url}${p}`);
        expect(res.headers.get('content-type'), p).toMatch(/^application\/json/);
        expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      }
      expect((await fetch(`${gw.url}/app.js`)).status).toBe(200);
      expect((await fetch(`${gw.url}/app.js.map`)).status).toBe(404);
      // auto with auth off: as open as everything else.
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  test('GATEWAY_SOURCE_MAPS=true serves the map', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_STATIC_DIR: dir, GATEWAY_SOURCE_MAPS: 'true' });
    try {
      const map = await fetch(`${gw.url}/app.js.map`);
      expect(map.status).toBe(200);
      expect(map.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await gw.stop();
    }
  });

  test('/metrics: auto with auth on needs an API credential or the metrics token, in the header only', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: API_TOKEN, GATEWAY_METRICS_TOKEN: METRICS_TOKEN });
    try {
      const open = await fetch(`${gw.url}/metrics`);
      expect(open.status).toBe(401);
      expect(open.headers.get('www-authenticate')).toBe('Bearer');
      expect(await open.text()).not.toContain('nodejs_version');
      expect((await fetch(`${gw.url}/metrics?token=${METRICS_TOKEN}`)).status).toBe(401);
      expect((await fetch(`${gw.url}/metrics`, bearer('wrong-token-0123456789'))).status).toBe(401);
      expect((await fetch(`${gw.url}/metrics`, bearer(API_TOKEN))).status).toBe(200);
      const scraped = await fetch(`${gw.url}/metrics`, bearer(METRICS_TOKEN));
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('gateway_auth_failures_total');
      // The metrics token opens only /metrics, not the stream's API.
      expect((await fetch(`${gw.url}/api/v1/alerts`, bearer(METRICS_TOKEN))).status).toBe(401);
    } finally {
      await gw.stop();
    }
  });

  test('/metrics: token accepts only the metrics token, off answers 404, on is open even with auth on', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const token = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: API_TOKEN, GATEWAY_METRICS: 'token', GATEWAY_METRICS_TOKEN: METRICS_TOKEN });
    try {
      expect((await fetch(`${token.url}/metrics`, bearer(API_TOKEN))).status).toBe(401);
      expect((await fetch(`${token.url}/metrics`, bearer(METRICS_TOKEN))).status).toBe(200);
    } finally {
      await token.stop();
    }
    const off = await gateway(ns, logger, { GATEWAY_METRICS: 'off' });
    try {
      const res = await fetch(`${off.url}/metrics`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('process_');
    } finally {
      await off.stop();
    }
    const on = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: API_TOKEN, GATEWAY_METRICS: 'on' });
    try {
      expect((await fetch(`${on.url}/metrics`)).status).toBe(200);
    } finally {
      await on.stop();
    }
    await expect(gateway(ns, logger, { GATEWAY_METRICS: 'token' })).rejects.toThrow(/GATEWAY_METRICS=token needs GATEWAY_METRICS_TOKEN/);
  });
});
