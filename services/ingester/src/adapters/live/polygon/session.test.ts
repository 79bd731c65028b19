import { describe, expect, it } from 'vitest';
import { Secret } from '@rotation/config';
import { polygonSession, subscriptionParams } from './session.js';

const cfg = { apiKey: new Secret('PK'), symbols: ['IWM', 'SPY'], channels: { trades: true, bars: false } };
const status = (status: string, message = '') => JSON.stringify([{ ev: 'status', status, message }]);

describe('polygonSession', () => {
  it('authenticates on connected, subscribes on auth_success and reports the first subscribed status once', () => {
    const s = polygonSession(cfg);
    expect(s.onFrame(status('connected', 'Connected Successfully'), 0)).toEqual([{ kind: 'send', what: 'auth', text: '{"action":"auth","params":"PK"}' }]);
    expect(s.onFrame(status('auth_success', 'authenticated'), 0)[1]).toEqual({ kind: 'send', what: 'subscribe', text: '{"action":"subscribe","params":"T.IWM,T.SPY"}' });
    const acks = JSON.stringify([
      { ev: 'status', status: 'success', message: 'subscribed to: T.IWM' },
      { ev: 'status', status: 'success', message: 'subscribed to: T.SPY' },
    ]);
    expect(s.onFrame(acks, 0)).toEqual([{ kind: 'subscribed', detail: { symbols: 2, first: 'subscribed to: T.IWM' } }]);
  });

  it.each([
    [{ trades: true, bars: false }, 'T.IWM,T.SPY'],
    [{ trades: false, bars: true }, 'AM.IWM,AM.SPY'],
    [{ trades: true, bars: true }, 'T.IWM,T.SPY,AM.IWM,AM.SPY'],
  ])('subscription params for %o', (channels, params) => {
    expect(subscriptionParams({ symbols: cfg.symbols, channels })).toBe(params);
  });

  it.each([
    ['auth_failed', 'fatal', /rejected the API key \(auth_failed: authentication failed\): check POLYGON_API_KEY/],
    ['auth_timeout', 'fatal', /before authentication completed/],
    ['max_connections', 'reconnect', /connection limit/],
  ])('%s -> %s', (st, kind, message) => {
    const [effect] = polygonSession(cfg).onFrame(status(st, 'authentication failed'), 0);
    expect(effect).toMatchObject({ kind, message: expect.stringMatching(message) });
  });

  it('takes the 2019-style acknowledgement (success / "authenticated") as authentication, once', () => {
    const s = polygonSession(cfg);
    s.onFrame(status('connected', 'Connected Successfully'), 0);
    const frame = JSON.stringify([
      { ev: 'status', status: 'success', message: 'authenticated' },
      { ev: 'status', status: 'success', message: 'subscribed to: C.AUD/USD' },
    ]);
    // Not "subscribed": the acknowledgement is of the key, and the channel is none of ours.
    expect(s.onFrame(frame, 0)).toEqual([
      { kind: 'log', level: 'info', message: 'authenticated (2019-style "success" acknowledgement)' },
      { kind: 'send', what: 'subscribe', text: '{"action":"subscribe","params":"T.IWM,T.SPY"}' },
      { kind: 'log', level: 'warn', message: 'Polygon / Massive acknowledged a subscription this client did not ask for', fields: { channel: 'C.AUD/USD' } },
    ]);
    expect(s.onFrame(status('auth_success', 'authenticated'), 0)).toEqual([]);
    expect(s.onFrame(status('success', 'subscribed to: T.SPY'), 0)).toEqual([{ kind: 'subscribed', detail: { symbols: 2, first: 'subscribed to: T.SPY' } }]);
  });

  it('an unsubscribe acknowledgement or another success text does not count as subscribed', () => {
    const s = polygonSession(cfg);
    expect(s.onFrame(status('success', 'unsubscribed to: T.SPY'), 0)).toEqual([{ kind: 'log', level: 'debug', message: 'Polygon / Massive status', fields: { status: 'success', statusMessage: 'unsubscribed to: T.SPY' } }]);
  });

  const PLAN = "Your plan doesn't include websocket access. Visit https://polygon.io/pricing to upgrade.";
  it.each([
    [{}, /accepted no websocket for this plan .*: the key is fine, the plan does not include the real-time stream; set POLYGON_FEED=delayed for the 15-minute delayed stream \(wss:\/\/delayed.massive.com\/stocks\)/],
    [{ feed: 'delayed' }, /does not include even the delayed stream \(POLYGON_FEED=delayed\); upgrade the plan/],
    [{ streamUrl: 'wss://socket.polygon.io/stocks' }, /the stream POLYGON_STREAM_URL points at \(it overrides POLYGON_FEED\); point it at wss:\/\/delayed.massive.com\/stocks/],
  ] as const)('a plan refusal (%o) is not blamed on the key and names the setting to change', (extra, message) => {
    const [effect] = polygonSession({ ...cfg, ...extra }).onFrame(status('auth_failed', PLAN), 0);
    expect(effect).toEqual({ kind: 'fatal', code: 'LIVE_INSUFFICIENT_SUBSCRIPTION', message: expect.stringMatching(message) });
    expect((effect as { message: string }).message).not.toContain('POLYGON_API_KEY');
  });

  it('max_connections reconnects later with the connection-limit backoff and says why', () => {
    const [effect] = polygonSession(cfg).onFrame(status('max_connections', 'Maximum number of websocket connections exceeded.'), 0);
    expect(effect).toEqual({ kind: 'reconnect', why: 'connection_limit', message: expect.stringMatching(/another client holds this key's connection .*connection-limit backoff/) });
  });

  it('reports unknown statuses as provider errors and keeps going', () => {
    const effects = polygonSession(cfg).onFrame(status('error', 'bad things'), 0);
    expect(effects.map((e) => e.kind)).toEqual(['log', 'reject']);
    expect(effects[1]).toMatchObject({ reason: 'provider_error', message: 'Polygon / Massive status error: bad things' });
  });
});
