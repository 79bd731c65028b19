/**
 * The client against a real websocket server (test/client/protocol-server.ts) over real TCP,
 * using the client's default WebSocket (the `ws` package, which the client prefers in Node).
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import type { Channel } from '@rotation/schemas';
import { RotationClient, type ClientError, type ClientOptions, type ClientStatus, type GapInfo, type ResyncInfo } from '@rotation/client';
import { describe, expect, test } from '../support/fixtures.js';
import { makeSnapshot, ProtocolServer, until, type ProtocolServerOptions } from './protocol-server.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Recorded {
  client: RotationClient;
  alerts: Array<{ seq: number; channel: Channel; source: string }>;
  errors: ClientError[];
  gaps: GapInfo[];
  resyncs: ResyncInfo[];
  statuses: ClientStatus[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
  const s = new ProtocolServer(options);
  await s.listen();
  cleanups.push(() => s.close());
  return s;
}

function client(url: string, options: Partial<ClientOptions> = {}): Recorded {
  const c = new RotationClient({ url, backoff: { baseMs: 20, capMs: 200 }, requestTimeoutMs: 5_000, ...options });
  cleanups.push(() => c.close());
  const r: Recorded = { client: c, alerts: [], errors: [], gaps: [], resyncs: [], statuses: [] };
  c.on('alert', (a, meta) => r.alerts.push({ seq: meta.seq, channel: meta.channel, source: meta.source }));
  c.on('error', (e) => r.errors.push(e));
  c.on('gap', (g) => r.gaps.push(g));
  c.on('resync', (x) => r.resyncs.push(x));
  c.on('status', (s) => r.statuses.push(s));
  return r;
}

const seqs = (r: Recorded) => r.alerts.map((a) => a.seq);

describe('client against a real protocol v1 server', () => {
  test('subscribe -> ack -> snapshot merged into state -> live updates and alerts', async () => {
    const srv = await server({ token: 't0k' });
    srv.publishSnapshot(makeSnapshot(3.97));
    srv.publish(2);
    const r = client(srv.url, { token: 't0k' });
    await r.client.connect();
    await expect(r.client.subscribe(['alerts', 'spreads', 'breadth'])).resolves.toEqual(['alerts', 'spreads', 'breadth']);
    // The token went as a header (ws supports it), so it never appears in a URL.
    expect(srv.conns[0]!.auth).toBe('header');
    await until(() => r.client.state.spreads !== undefined && r.client.state.breadth !== undefined, 'state snapshots');
    expect(r.client.state.spreads?.[0]?.spreadPp).toBe(3.97);
    // The alert snapshot carries the recent history.
    await until(() => r.alerts.length === 2, 'recent alerts');
    expect(r.alerts.map((a) => `${a.seq}:${a.source}`)).toEqual(['1:snapshot', '2:snapshot']);

    const before = r.client.state.spreads!;
    srv.publishSnapshot(makeSnapshot(4.5));
    srv.publish(1);
    await until(() => r.client.state.spreads?.[0]?.spreadPp === 4.5 && r.alerts.length === 3, 'live updates');
    // Only the row that changed was replaced.
    expect(r.client.state.spreads![1]).toBe(before[1]);
    expect(r.alerts.at(-1)).toEqual({ seq: 3, channel: 'alerts', source: 'event' });
    await expect(r.client.ping()).resolves.toMatchObject({ serverTime: expect.any(String) });
    expect(r.errors).toEqual([]);
  });

  test('the token can go as a query parameter, as browsers must send it', async () => {
    const srv = await server({ token: 't0k' });
    const r = client(srv.url, { token: 't0k', authTransport: 'query' });
    await r.client.connect();
    expect(srv.conns[0]!.auth).toBe('query');
  });

  test('killed connection: reconnects, resumes from the last seq per channel and gets exactly the missed alerts in order', async () => {
    const srv = await server();
    const r = client(srv.url, { channels: ['alerts', 'alerts:breadth_thrust'] });
    await r.client.connect();
    await until(() => srv.open()[0]?.subs.size === 2, 'subscriptions');
    const kind = (seq: number) => (seq % 3 === 0 ? 'breadth_thrust' : 'spread_zscore');
    srv.publish(4, kind);
    await until(() => r.alerts.length === 4, 'first alerts');

    srv.killAll();
    // Published while the client is away.
    srv.publish(5, kind);
    await until(() => srv.conns.length === 2 && r.client.status.state === 'open', 'reconnect');
    await until(() => r.alerts.length === 9, 'missed alerts');
    srv.publish(3, kind);
    await until(() => r.alerts.length === 12, 'live alerts after the resume');

    // Each alert exactly once, in order, although two subscribed channels carry some of them.
    expect(seqs(r)).toEqual(range(1, 12));
    const resume = srv.conns[1]!.commands.find((c) => c.op === 'subscribe');
    expect(resume).toMatchObject({ resume: { alerts: 4, 'alerts:breadth_thrust': 3 }, epoch: 'e1' });
    expect(r.client.cursors.get('alerts')).toEqual({ epoch: 'e1', seq: 12 });
    expect(r.client.cursors.get('alerts:breadth_thrust')).toEqual({ epoch: 'e1', seq: 12 });
    expect(r.gaps).toEqual([]);
    expect(r.statuses.some((s) => s.state === 'reconnecting')).toBe(true);
  });

  test('a frame lost in transit is noticed through prevSeq and recovered by a resubscribe', async () => {
    const srv = await server();
    const r = client(srv.url, { channels: ['alerts'] });
    await r.client.connect();
    await until(() => srv.open()[0]?.subs.size === 1, 'subscription');
    srv.skipLive.add(3);
    srv.publish(5);
    await until(() => r.alerts.length === 5, 'all alerts including the recovered one');
    expect(seqs(r)).toEqual([1, 2, 3, 4, 5]);
    expect(r.gaps).toEqual([{ channel: 'alerts', expectedPrevSeq: 2, prevSeq: 3, seq: 4, recovery: 'resubscribe', reason: 'gap' }]);
    const cmds = srv.conns[0]!.commands;
    expect(cmds.at(-2)).toMatchObject({ op: 'unsubscribe', channels: ['alerts'] });
    expect(cmds.at(-1)).toMatchObject({ op: 'subscribe', channels: ['alerts'], resume: { alerts: 2 }, epoch: 'e1' });
  });

  test('history lost while away (new epoch): the resume is answered with a resync and the client follows the new epoch', async () => {
    const srv = await server();
    const r = client(srv.url, { channels: ['alerts'] });
    await r.client.connect();
    await until(() => srv.open()[0]?.subs.size === 1, 'subscription');
    srv.publish(6);
    await until(() => r.alerts.length === 6, 'alerts of the first epoch');
    srv.killAll();
    srv.newEpoch('e2');
    srv.publish(2, () => 'leadership_change');
    await until(() => r.resyncs.length === 1, 'resync');
    expect(r.resyncs[0]).toEqual({ channel: 'alerts', reason: 'epoch_changed', epoch: 'e2', seq: 2 });
    srv.publish(1, () => 'leadership_change');
    await until(() => r.alerts.length === 9, 'alerts of the new epoch');
    expect(r.alerts.slice(6).map((a) => `${a.seq}:${a.source}`)).toEqual(['1:resync', '2:resync', '3:event']);
    expect(r.client.cursors.get('alerts')).toEqual({ epoch: 'e2', seq: 3 });
  });

  test.each([
    ['slow consumer (4008)', (s: ProtocolServer) => s.closeAll(4008, 'slow consumer')],
    ['announced shutdown', (s: ProtocolServer) => s.shutdownAll(10)],
  ])('%s: reconnects and resumes', async (_name, cut) => {
    const srv = await server();
    const r = client(srv.url, { channels: ['alerts', 'sectors'] });
    await r.client.connect();
    await until(() => srv.open()[0]?.subs.size === 2, 'subscriptions');
    srv.publish(2);
    await until(() => r.alerts.length === 2, 'alerts');
    cut(srv);
    srv.publish(2);
    await until(() => r.alerts.length === 4, 'missed alerts after reconnecting');
    expect(seqs(r)).toEqual([1, 2, 3, 4]);
    expect(srv.conns[1]!.commands[0]).toMatchObject({ op: 'subscribe', channels: ['alerts'], resume: { alerts: 2 } });
    expect(srv.conns[1]!.commands[1]).toMatchObject({ op: 'subscribe', channels: ['sectors'] });
  });

  test.each([
    ['no token', {}],
    ['a wrong token in the header', { token: 'nope' }],
    ['a wrong token in the query', { token: 'nope', authTransport: 'query' as const }],
  ])('HTTP 401 with %s: connect() rejects with a clear error and the client stops trying', async (_name, opts) => {
    const srv = await server({ token: 'right' });
    const r = client(srv.url, opts);
    await expect(r.client.connect()).rejects.toMatchObject({ code: 'CLIENT_UNAUTHORIZED', message: expect.stringMatching(/HTTP 401/) });
    expect(r.client.status.state).toBe('closed');
    expect(srv.upgrades).toBe(1);
    // The token never shows in what the client reports.
    expect(JSON.stringify(r.errors.map((e) => e.message))).not.toContain('nope');
  });

  test('close 4001 after the welcome also stops reconnecting', async () => {
    const srv = await server();
    const r = client(srv.url);
    await r.client.connect();
    srv.closeAll(4001, 'token revoked');
    await until(() => r.client.status.state === 'closed', 'closed status');
    expect(r.client.status).toMatchObject({ error: { code: 'CLIENT_UNAUTHORIZED' } });
    expect(srv.upgrades).toBe(1);
  });

  test('garbage and unknown messages from the server are dropped and reported; the stream goes on', async () => {
    const srv = await server();
    const r = client(srv.url, { channels: ['alerts'] });
    await r.client.connect();
    await until(() => srv.open()[0]?.subs.size === 1, 'subscription');
    srv.sendRaw('{oops');
    srv.sendRaw(JSON.stringify({ type: 'event', channel: 'alerts', epoch: 'e1', seq: 1, prevSeq: 0, data: { id: 'x' } }));
    srv.sendRaw(JSON.stringify({ type: 'presence', n: 1 }));
    srv.publish(2);
    await until(() => r.alerts.length === 2, 'alerts after garbage');
    expect(seqs(r)).toEqual([1, 2]);
    expect(r.errors.map((e) => e.code)).toEqual(['CLIENT_INVALID_FRAME', 'CLIENT_INVALID_FRAME']);
  });

  test('a server that is down at first: connect() waits through the backoff and resolves once it is up', async () => {
    const probe = new ProtocolServer();
    await probe.listen();
    const port = probe.port;
    await probe.close();
    const r = client(`ws://127.0.0.1:${port}/v1/stream`, { channels: ['alerts'] });
    const connected = r.client.connect();
    await until(() => r.statuses.filter((s) => s.state === 'reconnecting').length >= 2, 'failed attempts');
    const srv = new ProtocolServer();
    await srv.listen(port);
    cleanups.push(() => srv.close());
    await connected;
    expect(r.client.status.state).toBe('open');
    expect(r.errors.some((e) => e.code === 'CLIENT_SOCKET_ERROR' && /ECONNREFUSED/.test(e.message))).toBe(true);
  });

  test('a server that accepts TCP but never answers the upgrade: the client gives up, retries, and closes without an uncaught ws error', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as { port: number }).port;
    const r = client(`ws://127.0.0.1:${port}/v1/stream`, { requestTimeoutMs: 200 });
    const connected = r.client.connect();
    // Each attempt is dropped (terminate() while CONNECTING) when no welcome comes; ws then emits an error.
    await until(() => r.statuses.filter((s) => s.state === 'reconnecting' && /no welcome/.test(s.reason)).length >= 2, 'dropped handshakes');
    await until(() => r.client.status.state === 'connecting', 'an attempt in progress');
    await r.client.close();
    await expect(connected).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});
