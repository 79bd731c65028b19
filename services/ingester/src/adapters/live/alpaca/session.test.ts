import { describe, expect, it } from 'vitest';
import { Secret } from '@rotation/config';
import { alpacaSession } from './session.js';

const cfg = {
  keyId: new Secret('AKID'),
  secretKey: new Secret('SHH'),
  feed: 'iex',
  symbols: ['IWM', 'SPY'],
  channels: { trades: true, bars: false },
};

describe('alpacaSession', () => {
  it('authenticates on "connected", subscribes the symbols on "authenticated", and reports the subscription', () => {
    const s = alpacaSession(cfg);
    expect(s.onOpen()).toEqual([]);
    expect(s.onFrame('[{"T":"success","msg":"connected"}]', 0)).toEqual([{ kind: 'send', what: 'auth', text: '{"action":"auth","key":"AKID","secret":"SHH"}' }]);
    expect(s.onFrame('[{"T":"success","msg":"authenticated"}]', 0)).toEqual([
      { kind: 'log', level: 'info', message: 'authenticated' },
      { kind: 'send', what: 'subscribe', text: '{"action":"subscribe","trades":["IWM","SPY"]}' },
    ]);
    expect(s.onFrame('[{"T":"subscription","trades":["IWM","SPY"],"corrections":["IWM","SPY"]}]', 0)).toEqual([
      { kind: 'subscribed', detail: { trades: 2, corrections: 2 } },
    ]);
  });

  it('subscribes bars too when asked, and warns about symbols the reply lacks', () => {
    const s = alpacaSession({ ...cfg, channels: { trades: true, bars: true } });
    expect(s.onFrame('[{"T":"success","msg":"authenticated"}]', 0)[1]).toEqual({
      kind: 'send',
      what: 'subscribe',
      text: '{"action":"subscribe","trades":["IWM","SPY"],"bars":["IWM","SPY"]}',
    });
    expect(s.onFrame('[{"T":"subscription","trades":["SPY"]}]', 0)[1]).toMatchObject({ kind: 'log', level: 'warn', fields: { missing: ['IWM'] } });
  });

  it.each([
    [401, 'fatal', 'LIVE_AUTH_FAILED', /ALPACA_KEY_ID and ALPACA_SECRET_KEY/],
    [402, 'fatal', 'LIVE_AUTH_FAILED', /rejected the credentials \(402 auth failed\)/],
    [404, 'fatal', 'LIVE_AUTH_FAILED', /before authentication completed/],
    [405, 'fatal', 'LIVE_SYMBOL_LIMIT', /2 symbols exceed the plan's symbol limit/],
    [409, 'fatal', 'LIVE_INSUFFICIENT_SUBSCRIPTION', /iex feed needs a data subscription/],
    [410, 'fatal', 'LIVE_SUBSCRIPTION_REJECTED', /invalid subscribe action/],
  ])('error %i is %s (%s)', (code, kind, errorCode, message) => {
    const [effect] = alpacaSession(cfg).onFrame(`[{"T":"error","code":${code},"msg":"auth failed"}]`, 0);
    expect(effect).toEqual({ kind, code: errorCode, message: expect.stringMatching(message) });
  });

  it.each([
    [406, 'connection_limit'],
    [407, 'server_error'],
    [500, 'server_error'],
  ])('error %i reconnects (%s)', (code, why) => {
    expect(alpacaSession(cfg).onFrame(`[{"T":"error","code":${code},"msg":"x"}]`, 0)).toEqual([{ kind: 'reconnect', why, message: expect.any(String) }]);
  });

  it('keeps other errors as provider_error rejects without ending the session', () => {
    const effects = alpacaSession(cfg).onFrame('[{"T":"error","code":400,"msg":"invalid syntax"}]', 0);
    expect(effects.map((e) => e.kind)).toEqual(['log', 'reject']);
    expect(effects[1]).toEqual({ kind: 'reject', reason: 'provider_error', message: 'Alpaca error 400 invalid syntax', rawText: '{"T":"error","code":400,"msg":"invalid syntax"}' });
  });

  it('turns a batch into quotes and rejects in item order', () => {
    const effects = alpacaSession(cfg).onFrame('[{"T":"t","S":"SPY","p":1,"t":"2024-01-02T15:00:00Z"},{"T":"t","S":"SPY"},{"T":"t","S":"IWM","p":2,"t":"2024-01-02T15:00:00Z"}]', 0);
    expect(effects.map((e) => e.kind)).toEqual(['quote', 'reject', 'quote']);
    expect(effects[1]).toMatchObject({ reason: 'parse_error', message: 'trade: field p must be a number' });
  });
});
