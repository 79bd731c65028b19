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

  it('reports unknown statuses as provider errors and keeps going', () => {
    const effects = polygonSession(cfg).onFrame(status('error', 'bad things'), 0);
    expect(effects.map((e) => e.kind)).toEqual(['log', 'reject']);
    expect(effects[1]).toMatchObject({ reason: 'provider_error', message: 'Polygon / Massive status error: bad things' });
  });
});
