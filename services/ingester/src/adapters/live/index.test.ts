import { describe, expect, it } from 'vitest';
import { parseEnv, parseUniverse } from '@rotation/config';
import { silentLogger } from '@rotation/log';
import { createLiveSource, LiveSourceError, providerSpec } from './index.js';

const universe = parseUniverse({
  benchmark: 'SPY',
  equalWeight: 'RSP',
  smallCaps: ['IWM'],
  largeCaps: ['SPY'],
  sectors: [
    { symbol: 'XLK', name: 'Technology' },
    { symbol: 'XLB', name: 'Materials' },
  ],
  pairs: [{ small: 'IWM', large: 'SPY' }],
  windows: ['5m'],
});
const alpacaKeys = { ALPACA_KEY_ID: 'AK', ALPACA_SECRET_KEY: 'SK' };

describe('providerSpec', () => {
  it.each([
    [{ ...alpacaKeys }, 'wss://stream.data.alpaca.markets/v2/iex'],
    [{ ...alpacaKeys, ALPACA_FEED: 'sip' }, 'wss://stream.data.alpaca.markets/v2/sip'],
    [{ ...alpacaKeys, ALPACA_FEED: 'sip', ALPACA_STREAM_URL: 'wss://stream.data.sandbox.alpaca.markets/v2/sip' }, 'wss://stream.data.sandbox.alpaca.markets/v2/sip'],
  ])('alpaca URL for %o is %s', (vars, url) => {
    expect(providerSpec('alpaca', { env: parseEnv(vars), universe }).url).toBe(url);
  });

  it('subscribes the universe, or FAKEPACA on the Alpaca test feed (the only symbol it serves)', () => {
    const subscribe = (feed: string) => {
      const s = providerSpec('alpaca', { env: parseEnv({ ...alpacaKeys, ALPACA_FEED: feed }), universe }).newSession();
      const effects = s.onFrame('[{"T":"success","msg":"authenticated"}]', 0);
      return effects.find((e) => e.kind === 'send');
    };
    expect(subscribe('iex')).toMatchObject({ text: JSON.stringify({ action: 'subscribe', trades: universe.symbols }) });
    expect(subscribe('test')).toMatchObject({ text: JSON.stringify({ action: 'subscribe', trades: ['FAKEPACA'] }) });
  });

  it('puts the Finnhub token in the query string, keeping the configured URL', () => {
    const spec = providerSpec('finnhub', { env: parseEnv({ FINNHUB_TOKEN: 'tok en&1' }), universe });
    expect(spec.url).toBe('wss://ws.finnhub.io/?token=tok+en%261');
    expect(new URL(spec.url).searchParams.get('token')).toBe('tok en&1');
    expect(spec.transportHeartbeat).toBe(false);
  });

  it.each([
    [{}, 'wss://socket.massive.com/stocks'],
    [{ POLYGON_FEED: 'realtime' }, 'wss://socket.massive.com/stocks'],
    [{ POLYGON_FEED: 'delayed' }, 'wss://delayed.massive.com/stocks'],
    [{ POLYGON_FEED: 'delayed', POLYGON_STREAM_URL: 'ws://127.0.0.1:9/stocks' }, 'ws://127.0.0.1:9/stocks'],
  ])('Polygon / Massive URL for %o is %s', (vars, url) => {
    expect(providerSpec('polygon', { env: parseEnv({ POLYGON_API_KEY: 'PK', ...vars }), universe }).url).toBe(url);
  });

  it('the delayed feed is one setting: its plan refusal message follows it', () => {
    const plan = '[{"ev":"status","status":"auth_failed","message":"Your plan doesn\'t include websocket access."}]';
    const refusal = (vars: Record<string, string>) => providerSpec('polygon', { env: parseEnv({ POLYGON_API_KEY: 'PK', ...vars }), universe }).newSession().onFrame(plan, 0)[0];
    expect(refusal({})).toMatchObject({ message: expect.stringContaining('set POLYGON_FEED=delayed') });
    expect(refusal({ POLYGON_FEED: 'delayed' })).toMatchObject({ message: expect.stringContaining('even the delayed stream') });
    expect(() => parseEnv({ POLYGON_FEED: 'fast' })).toThrow(/POLYGON_FEED/);
  });

  it.each([
    ['alpaca', {}, 'ALPACA_KEY_ID'],
    ['alpaca', { ALPACA_KEY_ID: 'AK' }, 'ALPACA_SECRET_KEY'],
    ['polygon', {}, 'POLYGON_API_KEY'],
    ['finnhub', {}, 'FINNHUB_TOKEN'],
  ] as const)('%s without %o names %s', (provider, vars, variable) => {
    let error: unknown;
    try {
      createLiveSource(provider, { env: parseEnv(vars), universe, logger: silentLogger() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LiveSourceError);
    expect(error).toMatchObject({ code: 'LIVE_MISSING_CREDENTIALS', context: { variable }, message: expect.stringContaining(`${variable} is not set`) });
  });

  it('rejects bad tuning and an empty channel choice', () => {
    const env = parseEnv({ POLYGON_API_KEY: 'PK' });
    expect(() => createLiveSource('polygon', { env, universe, logger: silentLogger(), backoff: { initialMs: 0 } })).toThrow(/backoff: expected/);
    expect(() => createLiveSource('polygon', { env, universe, logger: silentLogger(), channels: { trades: false } })).toThrow(/channels/);
  });
});
