/**
 * The webhook dispatcher against real HTTP receivers (node:http on loopback): signatures a
 * receiver can verify, a receiver that is down (connection refused, then 500s) and comes back,
 * dead letters after N failures, timeouts, the queue bound and a bounded close.
 */
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { createLogger } from '@rotation/log';
import type { Alert, AlertKind, Severity } from '@rotation/schemas';
import { SinkConfig, verifySignature, WebhookDispatcher, type DeadLetterEntry, type SinkConfigInput } from '@rotation/webhooks';
import { describe, expect, test } from '../support/fixtures.js';
import { freePort, Receiver } from './receiver.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(port = 0): Promise<Receiver> {
  const r = await new Receiver().listen(port);
  cleanups.push(() => r.close());
  return r;
}

function alert(seq: number, kind: AlertKind = 'size_regime_change', severity: Severity = 'warning'): Alert {
  return {
    id: `a_${kind}_${seq}`,
    kind,
    severity,
    subject: 'IWM/SPY',
    window: '7d',
    eventTime: new Date(Date.UTC(2024, 2, 8, 14, 30) + seq * 60_000).toISOString(),
    message: `Small caps lead: alert ${seq}`,
    metrics: { spreadPp: seq / 10 },
    seq,
  };
}

const SECRET = 'whsec_test_0123456789abcdef';

interface Setup {
  dispatcher: WebhookDispatcher;
  dead: DeadLetterEntry[];
  logs: string[];
}

/** The receivers listen on loopback, so these tests allow private targets unless a test says otherwise. */
function dispatcher(sinks: SinkConfigInput[], allowPrivateTargets = true): Setup {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const dead: DeadLetterEntry[] = [];
  const d = new WebhookDispatcher({
    sinks: sinks.map((s) => SinkConfig.parse(s)),
    logger: createLogger({ name: 'webhooks-test', level: 'debug', destination }),
    deadLetter: (e) => void dead.push(e),
    allowPrivateTargets,
  });
  cleanups.push(() => d.close(2_000));
  return { dispatcher: d, dead, logs };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const fast = { baseMs: 10, capMs: 50 };

describe('webhook dispatcher against a real HTTP receiver', () => {
  test('POSTs signed JSON that the receiver can verify, with a stable delivery id', async () => {
    const rx = await receiver();
    const { dispatcher: d } = dispatcher([{ name: 'ops', url: rx.url, secret: SECRET }]);
    d.push(alert(1));
    await until(() => d.stats().ops!.delivered === 1, 'delivery');
    const [req] = rx.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-rotation-delivery']).toBe('ops:a_size_regime_change_1');
    expect(req!.headers['x-rotation-attempt']).toBe('1');
    expect(JSON.parse(req!.body)).toEqual({ v: 1, type: 'alert', alert: alert(1) });
    // Verified exactly as docs/webhooks.md tells a receiver to.
    const verdict = verifySignature({
      secret: SECRET,
      body: req!.body,
      signature: req!.headers['x-rotation-signature'] as string,
      timestamp: req!.headers['x-rotation-timestamp'] as string,
      nowSec: Math.floor(Date.now() / 1000),
    });
    expect(verdict).toEqual({ ok: true });
    expect(verifySignature({ secret: 'another-secret-0123456', body: req!.body, signature: req!.headers['x-rotation-signature'] as string, timestamp: req!.headers['x-rotation-timestamp'] as string, nowSec: Math.floor(Date.now() / 1000) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  test('filters by kind and severity per sink and sends Slack bodies where asked', async () => {
    const rx = await receiver();
    const { dispatcher: d } = dispatcher([
      { name: 'critical-only', url: rx.url, minSeverity: 'critical' },
      { name: 'slack', url: rx.url, format: 'slack', kinds: ['breadth_thrust'] },
    ]);
    expect(d.push(alert(1, 'breadth_thrust', 'warning'))).toEqual({ 'critical-only': 'filtered', slack: 'queued' });
    expect(d.push(alert(2, 'spread_zscore', 'critical'))).toEqual({ 'critical-only': 'queued', slack: 'filtered' });
    d.push(alert(3, 'spread_zscore', 'info'));
    await until(() => rx.requests.length === 2, 'two deliveries');
    await d.close(2_000);
    const bodies = rx.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies).toContainEqual({ text: expect.stringMatching(/^:warning: \*WARNING\* breadth thrust — IWM\/SPY · 7d\nSmall caps lead: alert 1/) });
    expect(bodies).toContainEqual({ v: 1, type: 'alert', alert: alert(2, 'spread_zscore', 'critical') });
    expect(rx.requests).toHaveLength(2);
    // No secret configured: no signature header.
    expect(rx.requests.every((r) => r.headers['x-rotation-signature'] === undefined)).toBe(true);
  });

  test('a receiver that refuses connections, then answers 500, then recovers gets every alert exactly once, in order', async () => {
    const port = await freePort();
    const { dispatcher: d, dead } = dispatcher([{ name: 'flaky', url: `http://127.0.0.1:${port}/hook`, maxAttempts: 50, backoff: fast }]);
    for (let seq = 1; seq <= 6; seq++) d.push(alert(seq));
    // Down: connection refused, several times.
    await until(() => d.stats().flaky!.failedAttempts >= 3, 'refused attempts');
    expect(d.stats().flaky!.delivered).toBe(0);
    // Up, but failing for its first 4 requests, then healthy.
    const statuses: number[] = [];
    const rx = await receiver(port);
    rx.respond = (n) => {
      const status = n <= 4 ? 500 : 200;
      statuses.push(status);
      return status;
    };
    // Pushed while retrying: still queued behind the others.
    d.push(alert(7));
    await until(() => d.stats().flaky!.delivered === 7, 'all deliveries');
    expect(rx.deliveredIds(statuses)).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => `a_size_regime_change_${s}`));
    expect(dead).toEqual([]);
    // The first alert was tried until the receiver healed; the attempt counter says so.
    const firstOk = rx.requests[statuses.indexOf(200)]!;
    expect(Number(firstOk.headers['x-rotation-attempt'])).toBeGreaterThanOrEqual(5);
    expect(d.stats().flaky).toMatchObject({ queued: 0, delivered: 7, deadLettered: 0 });
  });

  test('dead-letters an alert after maxAttempts failures and goes on with the next', async () => {
    const rx = await receiver();
    rx.respond = (_n, r) => ((JSON.parse(r.body) as { alert: Alert }).alert.seq === 1 ? 503 : 200);
    const { dispatcher: d, dead } = dispatcher([{ name: 'strict', url: rx.url, maxAttempts: 3, backoff: fast }]);
    d.push(alert(1));
    d.push(alert(2));
    await until(() => d.stats().strict!.delivered === 1, 'second alert delivered');
    expect(dead).toEqual([{ sink: 'strict', alert: alert(1), reason: 'max_attempts', attempts: 3, lastStatus: 503, lastError: 'HTTP 503', at: expect.any(String) }]);
    expect(rx.requests.map((r) => r.headers['x-rotation-attempt'])).toEqual(['1', '2', '3', '1']);
  });

  test('a 4xx is not retried: dead-lettered as rejected after one attempt', async () => {
    const rx = await receiver();
    rx.respond = () => 410;
    const { dispatcher: d, dead } = dispatcher([{ name: 'gone', url: rx.url, maxAttempts: 5, backoff: fast }]);
    d.push(alert(1));
    await until(() => dead.length === 1, 'dead letter');
    expect(dead[0]).toMatchObject({ reason: 'rejected', attempts: 1, lastStatus: 410 });
    expect(rx.requests).toHaveLength(1);
  });

  test('loopback targets are refused by default, however the URL spells them: dead-lettered once as refused_target, nothing sent', async () => {
    const rx = await receiver();
    const spellings = [rx.url, `http://2130706433:${rx.port}/h`, `http://0x7f.1:${rx.port}/h`, `http://localhost:${rx.port}/h`, `http://[::1]:${rx.port}/h`, `http://[::ffff:127.0.0.1]:${rx.port}/h`];
    const { dispatcher: d, dead, logs } = dispatcher(
      spellings.map((url, i) => ({ name: `s${i}`, url, maxAttempts: 5, backoff: fast })),
      false,
    );
    d.push(alert(1));
    await until(() => dead.length === spellings.length, 'a dead letter per sink');
    for (const e of dead) expect(e).toMatchObject({ reason: 'refused_target', attempts: 1, lastError: expect.stringMatching(/^target resolves to a loopback address$/) });
    expect(rx.requests).toHaveLength(0);
    expect(logs.join('')).not.toContain('url-credential');
  });

  test('with private targets allowed, a name resolving to loopback is delivered (the pinned lookup path)', async () => {
    const rx = await receiver();
    const { dispatcher: d, dead } = dispatcher([{ name: 'local', url: `http://localhost:${rx.port}/h`, backoff: fast }], true);
    d.push(alert(1));
    await until(() => d.stats().local!.delivered === 1, 'delivery');
    expect(dead).toEqual([]);
  });

  test('a receiver that never answers is timed out per request and retried', async () => {
    const rx = await receiver();
    rx.respond = (n) => (n === 1 ? 'hang' : 200);
    const { dispatcher: d, dead } = dispatcher([{ name: 'slow', url: rx.url, timeoutMs: 200, backoff: fast }]);
    d.push(alert(1));
    await until(() => d.stats().slow!.delivered === 1, 'delivery after the timeout');
    expect(rx.requests.map((r) => r.headers['x-rotation-attempt'])).toEqual(['1', '2']);
    expect(dead).toEqual([]);
  });

  test('the per-sink queue is bounded: overflow is dead-lettered as queue_full, other sinks unaffected', async () => {
    const port = await freePort();
    const rx = await receiver();
    const { dispatcher: d, dead } = dispatcher([
      { name: 'down', url: `http://127.0.0.1:${port}/hook`, queueSize: 2, maxAttempts: 50, backoff: fast },
      { name: 'up', url: rx.url },
    ]);
    for (let seq = 1; seq <= 4; seq++) d.push(alert(seq));
    expect(dead.map((e) => [e.sink, e.alert.seq, e.reason])).toEqual([
      ['down', 3, 'queue_full'],
      ['down', 4, 'queue_full'],
    ]);
    await until(() => d.stats().up!.delivered === 4, 'healthy sink deliveries');
    await d.close(100);
  });

  test('close() drains within its bound and dead-letters what is left as shutdown', async () => {
    const port = await freePort();
    const { dispatcher: d, dead } = dispatcher([{ name: 'down', url: `http://127.0.0.1:${port}/hook`, maxAttempts: 50, backoff: { baseMs: 50, capMs: 100 } }]);
    d.push(alert(1));
    d.push(alert(2));
    await until(() => d.stats().down!.failedAttempts >= 1, 'a failed attempt');
    await d.close(300);
    expect(dead.map((e) => [e.alert.seq, e.reason])).toEqual([
      [1, 'shutdown'],
      [2, 'shutdown'],
    ]);
    expect(d.push(alert(3))).toEqual({ down: 'closed' });
  });

  test('logs name the sink and the failure but never the URL, its credential or the signing secret', async () => {
    const rx = await receiver();
    rx.respond = (n) => (n === 1 ? 500 : 200);
    const { dispatcher: d, logs } = dispatcher([{ name: 'audited', url: rx.url, secret: SECRET, headers: { 'x-receiver-key': 'receiver-credential' }, backoff: fast }]);
    d.push(alert(1));
    await until(() => d.stats().audited!.delivered === 1, 'delivery');
    await d.close(1_000);
    const text = logs.join('');
    expect(text).toContain('"sink":"audited"');
    expect(text).toContain('HTTP 500');
    for (const secret of [SECRET, 'url-credential', 'receiver-credential', '/hooks/rotation']) expect(text).not.toContain(secret);
  });
});
