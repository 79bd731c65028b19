import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, AlertKind, Channel, SpreadPoint } from '@rotation/schemas';
import { RotationClient, type ClientOptions, type ClientStatus, type GapInfo, type StateUpdate } from './client.js';
import type { ClientError } from './errors.js';
import { fakeWebSocket, flushMicrotasks, ManualScheduler, type FakeSocket } from './testing.js';

const T = '2026-11-23T20:00:00.000Z';

function alert(seq: number, kind: AlertKind = 'size_regime_change'): Alert & { seq: number } {
  return {
    id: `a_${kind}_${seq}`,
    kind,
    severity: 'warning',
    subject: 'IWM/SPY',
    window: '7d',
    eventTime: T,
    message: `alert ${seq}`,
    metrics: { spreadPp: seq },
    seq,
  };
}

function spread(window: string, spreadPp: number): SpreadPoint {
  return { pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window, smallReturnPct: 1, largeReturnPct: 1 - spreadPp, spreadPp, ratio: 100, zScore: null };
}

const welcome = (epoch = 'e1', heartbeatMs = 1_000) => ({ type: 'welcome', version: 1, serverTime: T, heartbeatMs, epoch, instance: 'gw-1' }) as const;
const event = (channel: Channel, seq: number, prevSeq: number, data: unknown, epoch = 'e1') => ({ type: 'event', channel, epoch, seq, prevSeq, data });

interface Harness {
  client: RotationClient;
  sched: ManualScheduler;
  sockets: FakeSocket[];
  socket: () => FakeSocket;
  alerts: Array<[number, Channel, string]>;
  states: StateUpdate[];
  statuses: ClientStatus[];
  errors: ClientError[];
  gaps: GapInfo[];
  /** Connects and lets the fake server welcome and acknowledge every subscribe. */
  welcomeAndAck: (epoch?: string) => Promise<FakeSocket>;
}

const open: RotationClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close(0);
});

function harness(options: Partial<ClientOptions> = {}, randoms: number[] = []): Harness {
  const fake = fakeWebSocket();
  const sched = new ManualScheduler();
  let r = 0;
  const client = new RotationClient({
    url: 'ws://gw.test/v1/stream',
    WebSocket: fake.WebSocket,
    scheduler: sched,
    random: () => randoms[r++] ?? 0.5,
    backoff: { baseMs: 1_000, capMs: 60_000 },
    ...options,
  });
  open.push(client);
  const h: Harness = {
    client,
    sched,
    sockets: fake.sockets,
    socket: fake.latest,
    alerts: [],
    states: [],
    statuses: [],
    errors: [],
    gaps: [],
    welcomeAndAck: async (epoch = 'e1') => {
      await flushMicrotasks();
      const s = fake.latest();
      s.open();
      s.receive(welcome(epoch));
      ack(s);
      return s;
    },
  };
  client.on('alert', (a, meta) => h.alerts.push([a.seq ?? -1, meta.channel, meta.source]));
  client.on('state', (u) => h.states.push(u));
  client.on('status', (s) => h.statuses.push(s));
  client.on('error', (e) => h.errors.push(e));
  client.on('gap', (g) => h.gaps.push(g));
  return h;
}

/** Acknowledges every subscribe the socket sent that has not been acknowledged yet. */
function ack(s: FakeSocket): void {
  const done = ackedIds.get(s) ?? new Set<string>();
  ackedIds.set(s, done);
  for (const c of s.sent) {
    if (c.op !== 'subscribe' || done.has(c.id)) continue;
    done.add(c.id);
    s.receive({ type: 'subscribed', id: c.id, channels: c.channels });
  }
}
const ackedIds = new WeakMap<FakeSocket, Set<string>>();

describe('connecting', () => {
  it('sends the token as a query parameter, resolves connect() on welcome and subscribes', async () => {
    const h = harness({ token: 'tok en', channels: ['alerts', 'spreads'] });
    const connected = h.client.connect();
    await flushMicrotasks();
    const s = h.socket();
    expect(s.url).toBe('ws://gw.test/v1/stream?token=tok+en');
    s.open();
    s.receive(welcome());
    await connected;
    expect(h.client.status).toEqual({ state: 'open', instance: 'gw-1', epoch: 'e1', heartbeatMs: 1_000 });
    expect(s.sent).toEqual([{ op: 'subscribe', id: 'c1', channels: ['alerts', 'spreads'] }]);
  });

  it('resolves subscribe() when the gateway acknowledges, also when called before connecting', async () => {
    const h = harness();
    const early = h.client.subscribe(['alerts']);
    void h.client.connect();
    const s = await h.welcomeAndAck();
    await expect(early).resolves.toEqual(['alerts']);
    const later = h.client.subscribe(['sectors']);
    expect(s.last('subscribe')).toMatchObject({ channels: ['sectors'] });
    ack(s);
    await expect(later).resolves.toEqual(['sectors']);
    // Already active: nothing sent, resolved at once.
    const sentBefore = s.sent.length;
    await expect(h.client.subscribe(['alerts'])).resolves.toEqual(['alerts']);
    expect(s.sent.length).toBe(sentBefore);
  });

  it('rejects subscribe() on a non-retryable error frame and stops asking for that channel', async () => {
    const h = harness();
    void h.client.connect();
    await flushMicrotasks();
    const s = h.socket();
    s.open();
    s.receive(welcome());
    const p = h.client.subscribe(['alerts:breadth_thrust']);
    const id = s.last('subscribe')!.id;
    s.receive({ type: 'error', id, code: 'too_many_subscriptions', message: 'at most 16', retryable: false });
    await expect(p).rejects.toMatchObject({ code: 'CLIENT_SERVER_ERROR', context: { code: 'too_many_subscriptions', retryable: false } });
    expect(h.client.channels).toEqual([]);
  });

  it('asks again after a retryable error frame', async () => {
    const h = harness({}, [0.5, 0.5]);
    void h.client.connect();
    await flushMicrotasks();
    const s = h.socket();
    s.open();
    s.receive(welcome());
    const p = h.client.subscribe(['alerts']);
    s.receive({ type: 'error', id: s.last('subscribe')!.id, code: 'history_unavailable', message: 'redis down', retryable: true });
    expect(s.sent.filter((c) => c.op === 'subscribe')).toHaveLength(1);
    h.sched.advance(1_000); // backoff step 1 with random 0.5 -> 1000 ms
    expect(s.sent.filter((c) => c.op === 'subscribe')).toHaveLength(2);
    ack(s);
    await expect(p).resolves.toEqual(['alerts']);
  });

  it('times out a subscribe that is never acknowledged', async () => {
    const h = harness({ requestTimeoutMs: 3_000 });
    void h.client.connect();
    await flushMicrotasks();
    h.socket().open();
    h.socket().receive(welcome());
    const p = h.client.subscribe(['rrg']);
    h.sched.advance(3_000);
    await expect(p).rejects.toMatchObject({ code: 'CLIENT_TIMEOUT' });
  });

  it('pings and unsubscribes with request ids', async () => {
    const h = harness({ channels: ['spreads'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    const ping = h.client.ping();
    s.receive({ type: 'pong', id: s.last('ping')!.id, serverTime: T });
    await expect(ping).resolves.toEqual({ serverTime: T });
    const unsub = h.client.unsubscribe(['spreads']);
    const cmd = s.last('unsubscribe')!;
    expect(cmd.channels).toEqual(['spreads']);
    s.receive({ type: 'unsubscribed', id: cmd.id, channels: ['spreads'] });
    await expect(unsub).resolves.toEqual(['spreads']);
    expect(h.client.channels).toEqual([]);
  });

  it('refuses ping while offline', async () => {
    const h = harness();
    await expect(h.client.ping()).rejects.toMatchObject({ code: 'CLIENT_NOT_CONNECTED' });
  });
});

describe('state channels', () => {
  it('merges the snapshot and every update into client.state', async () => {
    const h = harness({ channels: ['spreads'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive({ type: 'snapshot', channel: 'spreads', epoch: 'e1', seq: 10, data: [spread('7d', 1), spread('1d', 0.1)] });
    s.receive(event('spreads', 11, 10, [spread('7d', 1), spread('1d', 0.3)]));
    expect(h.client.state.spreads).toEqual([spread('7d', 1), spread('1d', 0.3)]);
    expect(h.states.map((u) => [u.source, u.seq, u.changed])).toEqual([
      ['snapshot', 10, ['IWM/SPY@7d', 'IWM/SPY@1d']],
      ['event', 11, ['IWM/SPY@1d']],
    ]);
    expect(h.client.cursors.get('spreads')).toEqual({ epoch: 'e1', seq: 11 });
  });

  it('a skipped version is reported as a gap and simply replaced (state messages carry the full value)', async () => {
    const h = harness({ channels: ['spreads'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive({ type: 'snapshot', channel: 'spreads', epoch: 'e1', seq: 10, data: [spread('7d', 1)] });
    s.receive(event('spreads', 14, 13, [spread('7d', 2)]));
    expect(h.gaps).toEqual([{ channel: 'spreads', expectedPrevSeq: 10, prevSeq: 13, seq: 14, recovery: 'replaced', reason: 'gap' }]);
    expect(h.client.state.spreads).toEqual([spread('7d', 2)]);
    expect(s.sent.filter((c) => c.op === 'unsubscribe')).toEqual([]);
  });

  it('typed per-channel listeners see only their channel', async () => {
    const h = harness({ channels: ['spreads', 'breadth'] });
    const seen: number[] = [];
    h.client.onState('spreads', (u) => seen.push(u.value.length));
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive({ type: 'snapshot', channel: 'breadth', epoch: 'e1', seq: 1, data: { sectorsBeatingBenchmarkPct: 1, sectorsLeadingOrImprovingPct: 2, constituents: null } });
    s.receive({ type: 'snapshot', channel: 'spreads', epoch: 'e1', seq: 1, data: [spread('7d', 1), spread('1d', 1)] });
    expect(seen).toEqual([2]);
  });
});

describe('alert channels', () => {
  it('emits each alert once even when it arrives on alerts and alerts:<kind>, and drops replays', async () => {
    const h = harness({ channels: ['alerts', 'alerts:size_regime_change'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive(event('alerts', 5, 4, alert(5)));
    s.receive(event('alerts:size_regime_change', 5, 2, alert(5)));
    s.receive(event('alerts', 6, 5, alert(6, 'spread_zscore')));
    s.receive(event('alerts', 6, 5, alert(6, 'spread_zscore')));
    expect(h.alerts).toEqual([
      [5, 'alerts', 'event'],
      [6, 'alerts', 'event'],
    ]);
    expect(h.client.cursors.get('alerts')).toEqual({ epoch: 'e1', seq: 6 });
    expect(h.client.cursors.get('alerts:size_regime_change')).toEqual({ epoch: 'e1', seq: 5 });
  });

  it('on a gap: reports it, resubscribes from the cursor, ignores events until the ack, then applies the replay in order', async () => {
    const h = harness({ channels: ['alerts'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive(event('alerts', 5, 4, alert(5)));
    s.receive(event('alerts', 8, 7, alert(8)));
    expect(h.gaps).toEqual([{ channel: 'alerts', expectedPrevSeq: 5, prevSeq: 7, seq: 8, recovery: 'resubscribe', reason: 'gap' }]);
    const [unsub, sub] = s.sent.slice(-2);
    expect(unsub).toMatchObject({ op: 'unsubscribe', channels: ['alerts'] });
    expect(sub).toMatchObject({ op: 'subscribe', channels: ['alerts'], resume: { alerts: 5 }, epoch: 'e1' });
    s.receive(event('alerts', 9, 8, alert(9))); // still the old subscription: ignored
    ack(s);
    for (const seq of [6, 7, 8, 9]) s.receive(event('alerts', seq, seq - 1, alert(seq)));
    expect(h.alerts.map(([seq]) => seq)).toEqual([5, 6, 7, 8, 9]);
  });

  it('a snapshot of recent alerts sets the cursor and emits the alerts not seen yet, oldest first', async () => {
    const h = harness({ channels: ['alerts'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive(event('alerts', 3, 2, alert(3)));
    s.receive({ type: 'snapshot', channel: 'alerts', epoch: 'e1', seq: 4, data: [alert(4), alert(3), alert(2)] });
    expect(h.alerts).toEqual([
      [3, 'alerts', 'event'],
      [2, 'alerts', 'snapshot'],
      [4, 'alerts', 'snapshot'],
    ]);
    expect(h.client.cursors.get('alerts')).toEqual({ epoch: 'e1', seq: 4 });
  });

  it('a resync moves the cursor to the new epoch and position and reports why', async () => {
    const h = harness({ channels: ['alerts'] });
    const resyncs: unknown[] = [];
    h.client.on('resync', (r) => resyncs.push(r));
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive(event('alerts', 40, 39, alert(40)));
    s.receive({ type: 'resync', channel: 'alerts', epoch: 'e2', seq: 2, reason: 'epoch_changed', data: [alert(1, 'breadth_thrust'), alert(2, 'breadth_thrust')] });
    expect(resyncs).toEqual([{ channel: 'alerts', reason: 'epoch_changed', epoch: 'e2', seq: 2 }]);
    expect(h.client.cursors.get('alerts')).toEqual({ epoch: 'e2', seq: 2 });
    s.receive(event('alerts', 3, 2, alert(3, 'breadth_thrust'), 'e2'));
    expect(h.alerts.map(([seq, , src]) => `${seq}:${src}`)).toEqual(['40:event', '1:resync', '2:resync', '3:event']);
    expect(h.gaps).toEqual([]);
  });

  it('an event from another epoch triggers a resubscribe with the old cursor, so the gateway can resync', async () => {
    const h = harness({ channels: ['alerts'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive(event('alerts', 40, 39, alert(40)));
    s.receive(event('alerts', 1, 0, alert(1, 'spread_zscore'), 'e2'));
    expect(h.gaps[0]).toMatchObject({ reason: 'epoch_changed', recovery: 'resubscribe' });
    expect(s.last('subscribe')).toMatchObject({ resume: { alerts: 40 }, epoch: 'e1' });
  });
});

describe('reconnecting', () => {
  it('reconnects after a full-jitter delay and resumes alert channels from their cursors', async () => {
    const h = harness({ channels: ['alerts', 'spreads'] }, [0.25]);
    void h.client.connect();
    const s1 = await h.welcomeAndAck();
    s1.receive(event('alerts', 7, 6, alert(7)));
    s1.receive({ type: 'snapshot', channel: 'spreads', epoch: 'e1', seq: 3, data: [spread('7d', 1)] });
    s1.serverClose(1006);
    expect(h.client.status).toMatchObject({ state: 'reconnecting', attempt: 1, delayMs: 250, code: 1006 });
    h.sched.advance(249);
    await flushMicrotasks();
    expect(h.sockets).toHaveLength(1);
    h.sched.advance(1);
    await flushMicrotasks();
    expect(h.sockets).toHaveLength(2);
    const s2 = h.socket();
    s2.open();
    s2.receive(welcome());
    expect(s2.sent).toEqual([
      { op: 'subscribe', id: expect.any(String), channels: ['alerts'], resume: { alerts: 7 }, epoch: 'e1' },
      { op: 'subscribe', id: expect.any(String), channels: ['spreads'] },
    ]);
    // State survives the reconnect until the fresh snapshot replaces it.
    expect(h.client.state.spreads).toEqual([spread('7d', 1)]);
  });

  it('grows the backoff while attempts fail, and resets it only after a connection that lasted', async () => {
    const h = harness({ stableAfterMs: 5_000 }, Array(20).fill(0.999));
    void h.client.connect();
    const delays: number[] = [];
    h.client.on('status', (st) => {
      if (st.state === 'reconnecting') delays.push(st.delayMs);
    });
    for (let i = 0; i < 4; i++) {
      await flushMicrotasks();
      h.socket().serverClose(1006);
      h.sched.advance(delays.at(-1)!);
    }
    expect(delays).toEqual([999, 1998, 3996, 7992]);
    // Welcomed but dropped at once (a flapping gateway): the backoff keeps climbing.
    await flushMicrotasks();
    h.socket().receive(welcome());
    h.socket().serverClose(1006);
    expect(delays.at(-1)).toBe(15_984);
    h.sched.advance(15_984);
    // A connection that lived past stableAfterMs: back to the first step.
    await flushMicrotasks();
    h.socket().receive(welcome('e1', 2_000));
    for (let t = 0; t < 6; t++) {
      h.sched.advance(1_000);
      h.socket().receive({ type: 'heartbeat', serverTime: T });
    }
    h.socket().serverClose(1001);
    expect(delays.at(-1)).toBe(999);
  });

  it('comes back promptly after being cut off as a slow consumer', async () => {
    const h = harness({ channels: ['alerts'] }, [0.5, 0.5, 0.5, 0.5, 0.5]);
    void h.client.connect();
    await flushMicrotasks();
    h.socket().serverClose(1006); // attempt 0 fails
    h.sched.advance(500);
    await flushMicrotasks();
    h.socket().serverClose(1006); // attempt 1 fails
    h.sched.advance(1_000);
    const s = await h.welcomeAndAck();
    s.serverClose(4008, 'slow consumer');
    expect(h.client.status).toMatchObject({ state: 'reconnecting', delayMs: 500, code: 4008 });
  });

  it('honours the shutdown announcement\'s reconnect hint, spread by jitter', async () => {
    const h = harness({}, [0.5, 0.1]);
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive({ type: 'shutdown', reconnectAfterMs: 2_000 });
    s.serverClose(1001, 'shutting down');
    expect(h.client.status).toMatchObject({ state: 'reconnecting', delayMs: 2_500 });
  });

  it('presumes a silent connection dead after the heartbeat grace and reconnects', async () => {
    const h = harness({ heartbeatGrace: 2.5 });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    h.sched.advance(2_000);
    s.receive({ type: 'heartbeat', serverTime: T });
    h.sched.advance(2_499);
    expect(h.client.status.state).toBe('open');
    h.sched.advance(1);
    expect(h.client.status).toMatchObject({ state: 'reconnecting', code: 4000 });
    expect(s.closedWith).toBeDefined();
  });

  it('gives up on a connection that never sends a welcome', async () => {
    const h = harness({ requestTimeoutMs: 4_000 });
    void h.client.connect();
    await flushMicrotasks();
    h.socket().open();
    h.sched.advance(4_000);
    expect(h.client.status).toMatchObject({ state: 'reconnecting', reason: expect.stringMatching(/no welcome/) });
  });
});

describe('unauthorized', () => {
  it.each([
    ['close code 4001', (s: FakeSocket) => s.serverClose(4001, 'bad token')],
    [
      'HTTP 401 on the upgrade (ws reports it in the error)',
      (s: FakeSocket) => {
        s.fail('Unexpected server response: 401');
        s.serverClose(1006);
      },
    ],
  ])('%s stops reconnecting with a clear error', async (_name, refuse) => {
    const h = harness({ token: 'wrong' });
    const connected = h.client.connect();
    await flushMicrotasks();
    refuse(h.socket());
    await expect(connected).rejects.toMatchObject({ code: 'CLIENT_UNAUTHORIZED', message: expect.stringMatching(/refused the token/) });
    expect(h.client.status).toMatchObject({ state: 'closed' });
    h.sched.advance(600_000);
    await flushMicrotasks();
    expect(h.sockets).toHaveLength(1);
    expect(h.sched.pending).toBe(0);
  });
});

describe('token expiry (close 4003)', () => {
  it('with a token function: reconnects promptly with a fresh token and resumes', async () => {
    const tokens = ['jwt-1', 'jwt-2'];
    let calls = 0;
    const h = harness({ token: () => tokens[calls++] ?? 'jwt-n', channels: ['alerts'] });
    void h.client.connect();
    const first = await h.welcomeAndAck();
    expect(first.url).toContain('token=jwt-1');
    first.receive(event('alerts', 7, 6, alert(7)));
    first.serverClose(4003, 'token expired');
    expect(h.client.status).toMatchObject({ state: 'reconnecting', code: 4003, reason: expect.stringMatching(/token expired/) });
    // The first backoff step (full jitter: 0.5 of 1 s), not the climbing one.
    expect(h.client.status).toMatchObject({ delayMs: 500 });
    h.sched.advance(500);
    const second = await h.welcomeAndAck();
    expect(second.url).toContain('token=jwt-2');
    expect(second.sent.find((c) => c.op === 'subscribe')).toMatchObject({ channels: ['alerts'], resume: { alerts: 7 } });
  });

  it('with a static token: stops with an unauthorized error that says how to refresh', async () => {
    const h = harness({ token: 'static-token' });
    const connected = h.client.connect();
    const s = await h.welcomeAndAck();
    await connected;
    s.serverClose(4003, 'token expired');
    expect(h.client.status).toMatchObject({ state: 'closed' });
    expect(h.errors.at(-1)).toMatchObject({ code: 'CLIENT_UNAUTHORIZED', message: expect.stringMatching(/expired.*function/) });
    h.sched.advance(600_000);
    await flushMicrotasks();
    expect(h.sockets).toHaveLength(1);
  });

  it('a failing token function is retried with backoff', async () => {
    let calls = 0;
    const h = harness({
      token: () => {
        calls += 1;
        if (calls === 1) throw new Error('auth server down');
        return 'jwt-ok';
      },
    });
    void h.client.connect();
    await flushMicrotasks();
    expect(h.sockets).toHaveLength(0);
    expect(h.errors.at(-1)?.message).toMatch(/token provider failed: auth server down/);
    expect(h.client.status).toMatchObject({ state: 'reconnecting' });
    h.sched.advance(60_000);
    await flushMicrotasks();
    expect(h.socket().url).toContain('token=jwt-ok');
  });
});

describe('bad input never reaches user code as a throw', () => {
  it('drops invalid frames with an error event, ignores unknown types, keeps state intact', async () => {
    const h = harness({ channels: ['spreads'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive({ type: 'snapshot', channel: 'spreads', epoch: 'e1', seq: 1, data: [spread('7d', 1)] });
    expect(() => {
      s.receive('not json');
      s.receive({ type: 'event', channel: 'spreads', epoch: 'e1', seq: 2, prevSeq: 1, data: [{ symbol: 'XLK', rsRatio: 1, rsMomentum: 1, quadrant: null, warm: false, tail: [] }] });
      s.receive({ type: 'presence', members: 3 });
      s.receive(new Uint8Array([1, 2, 3]));
    }).not.toThrow();
    expect(h.errors.map((e) => e.code)).toEqual(['CLIENT_INVALID_FRAME', 'CLIENT_INVALID_FRAME', 'CLIENT_INVALID_FRAME']);
    expect(h.errors[1]!.message).toMatch(/spreads data/);
    expect(h.client.state.spreads).toEqual([spread('7d', 1)]);
    expect(h.client.cursors.get('spreads')).toEqual({ epoch: 'e1', seq: 1 });
  });

  it('a listener that throws is reported and the others still run', async () => {
    const h = harness({ channels: ['alerts'] });
    h.client.on('alert', () => {
      throw new Error('dashboard bug');
    });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    s.receive(event('alerts', 1, 0, alert(1)));
    s.receive(event('alerts', 2, 1, alert(2)));
    expect(h.alerts.map(([seq]) => seq)).toEqual([1, 2]);
    expect(h.errors.map((e) => e.code)).toEqual(['CLIENT_LISTENER_THREW', 'CLIENT_LISTENER_THREW']);
  });

  it('stops on a welcome of another protocol version', async () => {
    const h = harness();
    const connected = h.client.connect();
    await flushMicrotasks();
    h.socket().receive({ ...welcome(), version: 2 } as Record<string, unknown>);
    await expect(connected).rejects.toMatchObject({ code: 'CLIENT_PROTOCOL_VERSION' });
  });
});

describe('close()', () => {
  it('closes with 1000, rejects pending requests and never reconnects', async () => {
    const h = harness({ channels: ['alerts'] });
    void h.client.connect();
    const s = await h.welcomeAndAck();
    const ping = h.client.ping();
    await h.client.close();
    await expect(ping).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    expect(s.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(h.client.status).toMatchObject({ state: 'closed' });
    h.sched.advance(600_000);
    await flushMicrotasks();
    expect(h.sockets).toHaveLength(1);
    await expect(h.client.connect()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});
