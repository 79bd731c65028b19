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
    [401, 'not authenticated', 'fatal', 'LIVE_AUTH_FAILED', /rejected the credentials \(401 not authenticated\) on the iex feed \(ALPACA_FEED=iex\): check ALPACA_KEY_ID and ALPACA_SECRET_KEY/],
    [402, 'auth failed', 'fatal', 'LIVE_AUTH_FAILED', /rejected the credentials \(402 auth failed\)/],
    [404, 'auth timeout', 'fatal', 'LIVE_AUTH_FAILED', /before authentication completed \(404 auth timeout\)/],
    [405, 'symbol limit exceeded', 'fatal', 'LIVE_SYMBOL_LIMIT', /\(405 symbol limit exceeded\) on the iex feed \(ALPACA_FEED=iex\): 2 symbols, the free plan allows 30/],
    [408, 'v2 not enabled', 'fatal', 'LIVE_INSUFFICIENT_SUBSCRIPTION', /market data v2 is not enabled .*no feed setting changes that/],
    [409, 'insufficient subscription', 'fatal', 'LIVE_INSUFFICIENT_SUBSCRIPTION', /on the iex feed \(ALPACA_FEED=iex\): the iex feed is included with every Alpaca account, so another feed will not help/],
    [410, 'invalid subscribe action for this feed', 'fatal', 'LIVE_SUBSCRIPTION_REJECTED', /invalid subscribe action/],
  ])('error %i %s is %s (%s)', (code, msg, kind, errorCode, message) => {
    const [effect] = alpacaSession(cfg).onFrame(JSON.stringify([{ T: 'error', code, msg }]), 0);
    expect(effect).toEqual({ kind, code: errorCode, message: expect.stringMatching(message) });
  });

  it.each([
    // The advice depends on the feed in use: only a paid feed can be swapped for a cheaper one.
    ['sip', {}, 'on the sip feed (ALPACA_FEED=sip): set ALPACA_FEED=iex (free, IEX trades only), or set ALPACA_FEED=delayed_sip (all exchanges, 15 minutes late), or upgrade to a plan with real-time SIP'],
    ['delayed_sip', {}, 'on the delayed_sip feed (ALPACA_FEED=delayed_sip): set ALPACA_FEED=iex (free, IEX trades only), or upgrade the data plan'],
    ['iex', {}, 'on the iex feed (ALPACA_FEED=iex): the iex feed is included with every Alpaca account, so another feed will not help'],
    // ALPACA_STREAM_URL decides the feed; the advice names that setting, not ALPACA_FEED.
    ['iex', { streamUrl: 'wss://stream.data.sandbox.alpaca.markets/v2/sip' }, 'on the sip feed (ALPACA_STREAM_URL): point ALPACA_STREAM_URL at the /v2/iex stream (free, IEX trades only; it overrides ALPACA_FEED)'],
  ] as [string, { streamUrl?: string }, string][])('409 on the %s feed (%o) gives advice that fits it', (feed, extra, advice) => {
    const [effect] = alpacaSession({ ...cfg, feed, ...extra }).onFrame('[{"T":"error","code":409,"msg":"insufficient subscription"}]', 0);
    expect(effect).toMatchObject({ kind: 'fatal', code: 'LIVE_INSUFFICIENT_SUBSCRIPTION', message: expect.stringContaining(advice) });
    // Never the advice to move to the feed already in use.
    const current = extra.streamUrl ? 'sip' : feed;
    expect((effect as { message: string }).message).not.toMatch(new RegExp(`(ALPACA_FEED=|/v2/)${current} `));
  });

  it('405 on a paid feed does not quote the free plan limit', () => {
    const [effect] = alpacaSession({ ...cfg, feed: 'sip' }).onFrame('[{"T":"error","code":405,"msg":"symbol limit exceeded"}]', 0);
    expect(effect).toMatchObject({ message: expect.stringContaining('2 symbols, more than the data plan allows') });
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

  it('turns cancels and corrections into events and warns once about an unknown condition', () => {
    const s = alpacaSession(cfg);
    const effects = s.onFrame(
      JSON.stringify([
        { T: 'x', S: 'SPY', i: 7, x: 'V', p: 1, s: 10, a: 'C', z: 'B', t: '2024-01-02T15:00:00Z' },
        { T: 't', S: 'SPY', i: 8, x: 'V', p: 1, c: ['@', '~'], z: 'B', t: '2024-01-02T15:00:00Z' },
        { T: 't', S: 'SPY', i: 9, x: 'V', p: 1, c: ['~'], z: 'B', t: '2024-01-02T15:00:00Z' },
      ]),
      0,
    );
    expect(effects.map((e) => e.kind)).toEqual(['event', 'log', 'quote', 'quote']);
    expect(effects[0]).toMatchObject({ kind: 'event', raw: { type: 'cancel', id: 'V-7', action: 'cancel' } });
    expect(effects[1]).toMatchObject({ level: 'warn', fields: { provider: 'alpaca', conditions: ['~'] } });
  });

  it('turns a batch into quotes and rejects in item order', () => {
    const effects = alpacaSession(cfg).onFrame('[{"T":"t","S":"SPY","p":1,"t":"2024-01-02T15:00:00Z"},{"T":"t","S":"SPY"},{"T":"t","S":"IWM","p":2,"t":"2024-01-02T15:00:00Z"}]', 0);
    expect(effects.map((e) => e.kind)).toEqual(['quote', 'reject', 'quote']);
    expect(effects[1]).toMatchObject({ reason: 'parse_error', message: 'trade: field p must be a number' });
  });
});
