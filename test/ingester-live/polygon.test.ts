import { parseEnv } from '@rotation/config';
import { silentLogger } from '@rotation/log';
import { createLiveSource, LiveSourceError, type LiveSourceOptions } from '@rotation/ingester';
import { FakePolygon, polygonTrade, type FakePolygonOptions } from '../fakes/polygon.js';
import { describe, expect, test } from '../support/fixtures.js';
import { capturedLogger, FAST, MemorySink, runSource, smallUniverse, withServer } from './support.js';

const API_KEY = 'pk_fake_0123456789abcdef';
const universe = smallUniverse();
const TRADE_CHANNELS = universe.symbols.map((s) => `T.${s}`);

const withFake = (options: Partial<FakePolygonOptions>, body: (fake: FakePolygon) => Promise<void>) => withServer(() => FakePolygon.start({ apiKey: API_KEY, ...options }), body);

function source(fake: FakePolygon, extra: Partial<LiveSourceOptions> = {}, apiKey = API_KEY) {
  const env = parseEnv({ POLYGON_API_KEY: apiKey, POLYGON_STREAM_URL: fake.url });
  return createLiveSource('polygon', { env, universe, logger: silentLogger(), ...FAST, ...extra });
}

const B1 = [
  polygonTrade('SPY', 450.12, 100, 1721831400123, 'a1', 4),
  { ev: 'Q', sym: 'SPY', bx: 4, ax: 7, bp: 450.1, ap: 450.2, bs: 1, as: 2, c: 0, t: 1721831400124 },
  { ev: 'AM', sym: 'IWM', v: 5000, av: 100000, op: 199, vw: 200.2, o: 200, c: 200.5, h: 201, l: 199, a: 200, z: 50, s: 1721831340000, e: 1721831400000 },
  polygonTrade('XLK', 210, 5, 1721831400200, 'b7', 12),
];
const B2 = [polygonTrade('SPY', 450.13, 200, 1721831401000, 'a2', 4)];
const B1_QUOTES = [
  { symbol: 'SPY', price: 450.12, size: 100, ts: 1721831400123, id: '4-a1', conditions: ['0'], eligibility: { last: true, volume: true } },
  { symbol: 'IWM', price: 200.5, size: 5000, ts: 1721831400000 },
  { symbol: 'XLK', price: 210, size: 5, ts: 1721831400200, id: '12-b7', conditions: ['0'], eligibility: { last: true, volume: true } },
];
const B2_QUOTES = [{ symbol: 'SPY', price: 450.13, size: 200, ts: 1721831401000, id: '4-a2', conditions: ['0'], eligibility: { last: true, volume: true } }];

describe('Polygon / Massive live adapter against a fake stream', () => {
  test('authenticates, subscribes T.<symbol> for the universe and maps mixed batched frames to exact quotes', async () => {
    await withFake({ scripts: [{ frames: [B1, B2] }] }, async (fake) => {
      const { logger, text } = capturedLogger();
      const src = source(fake, { logger });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'four quotes');
      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(sink.rejects).toEqual([]);
      const frames = sink.events.map((e) => e.origin.frame!);
      expect(frames).toEqual([frames[0], frames[0], frames[0], frames[0]! + 1]);
      expect(sink.events.every((e) => e.source === 'polygon' && e.origin.provider === 'polygon')).toBe(true);
      expect(fake.connections[0]!.received).toEqual([
        { action: 'auth', params: API_KEY },
        { action: 'subscribe', params: TRADE_CHANNELS.join(',') },
      ]);
      expect(fake.subscribed(0)).toEqual([...TRADE_CHANNELS].sort());
      await src.stop();
      await done;
      expect(text()).not.toContain(API_KEY);
      expect(text()).toContain(fake.url);
    });
  });

  test('subscribes minute aggregates as well when bars are asked for', async () => {
    await withFake({}, async (fake) => {
      const src = source(fake, { channels: { trades: true, bars: true } });
      const { done } = runSource(src, new MemorySink());
      await fake.server.waitFor(() => fake.subscribed(0).length === 2 * universe.symbols.length, 'both channels subscribed');
      expect(fake.subscribed(0)).toEqual([...TRADE_CHANNELS, ...universe.symbols.map((s) => `AM.${s}`)].sort());
      await src.stop();
      await done;
    });
  });

  test('auth_failed ends the source with a clear error and no reconnect loop', async () => {
    await withFake({}, async (fake) => {
      const { logger, text } = capturedLogger();
      const result = await runSource(source(fake, { logger }, 'pk_wrong_key'), new MemorySink()).outcome;
      expect(result.ok).toBe(false);
      const error = (result as { error: LiveSourceError }).error;
      expect(error).toBeInstanceOf(LiveSourceError);
      expect(error).toMatchObject({ code: 'LIVE_AUTH_FAILED', message: expect.stringMatching(/rejected the API key \(auth_failed: authentication failed\): check POLYGON_API_KEY/) });
      expect(fake.connections).toHaveLength(1);
      expect(text()).not.toContain('pk_wrong_key');
    });
  });

  test('auth_timeout is fatal with a clear message', async () => {
    await withFake({ scripts: [{ auth: 'timeout' }], authTimeoutMs: 100 }, async (fake) => {
      const result = await runSource(source(fake), new MemorySink()).outcome;
      expect(result).toMatchObject({ ok: false, error: { code: 'LIVE_AUTH_FAILED', message: expect.stringMatching(/auth_timeout/) } });
      expect(fake.connections).toHaveLength(1);
    });
  });

  test('max_connections after a successful subscribe (then close 1008) backs off with the longer delay and retries', async () => {
    await withFake({ scripts: [{ auth: 'max-connections' }, { auth: 'max-connections' }, { frames: [B2] }] }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const src = source(fake, { logger });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 1, 'a quote once the limit clears');
      expect(sink.quotes).toEqual(B2_QUOTES);
      expect(fake.connections).toHaveLength(3);
      // The subscribe succeeded each time, yet the limit backoff kept growing (75 then 100 ms with random 0.5).
      const retries = lines.filter((l) => l.msg === 'reconnecting after a delay');
      expect(retries.map((l) => [l.connectionLimit, l.delayMs])).toEqual([
        [true, 75],
        [true, 100],
      ]);
      expect(lines.filter((l) => l.msg === 'disconnected').slice(0, 2).map((l) => l.code)).toEqual([1008, 1008]);
      await src.stop();
      await done;
    });
  });

  test('a disconnect mid-stream reconnects, re-authenticates, resubscribes and the stream continues', async () => {
    await withFake({ scripts: [{ frames: [B1], then: 'drop' }, { frames: [B2] }] }, async (fake) => {
      const src = source(fake);
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'quotes from both connections');
      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(fake.connections).toHaveLength(2);
      expect(fake.connections[1]!.received).toEqual([
        { action: 'auth', params: API_KEY },
        { action: 'subscribe', params: TRADE_CHANNELS.join(',') },
      ]);
      await src.stop();
      await done;
    });
  });

  test('malformed frames and bad items become rejects with reasons; good items of the same frame still arrive', async () => {
    const mixed = [
      polygonTrade('SPY', 1.5, 1, 1721831400000, 'x1'),
      { ev: 'T', sym: 'SPY', p: 1.5, t: '2024-07-24T14:30:00Z' },
      'a string item',
      { ev: 'AM', sym: 'IWM', c: 2 },
      { ev: 'status', status: 'error', message: 'something broke' },
      polygonTrade('IWM', 2.5, 2, 1721831401000, 'x2'),
    ];
    await withFake({ scripts: [{ frames: ['{not json', { ev: 'T' }, mixed] }] }, async (fake) => {
      const src = source(fake);
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.events.length === 8, 'eight events');
      expect(sink.events.map((e) => (e.type === 'quote' ? `quote ${String(e.raw.symbol)}` : `${e.reason}: ${e.message}`))).toEqual([
        expect.stringMatching(/^parse_error: frame is not JSON: /),
        'parse_error: frame is not a JSON array',
        'quote SPY',
        'parse_error: trade: field t must be a number',
        'parse_error: item is not a JSON object',
        'parse_error: aggregate: field e must be a number',
        'provider_error: Polygon / Massive status error: something broke',
        'quote IWM',
      ]);
      expect(sink.rejects[0]!.rawText).toBe('{not json');
      expect(fake.connections).toHaveLength(1);
      await src.stop();
      await done;
    });
  });

  test('a quiet market is not a dead connection: transport pings are answered and the connection stays', async () => {
    await withFake({}, async (fake) => {
      const src = source(fake, { watchdog: { idleMs: 400, pingIntervalMs: 20 } });
      const { done } = runSource(src, new MemorySink());
      // Far more ping intervals than the idle limit spans, with no data at all.
      await fake.server.waitFor(() => (fake.connections[0]?.transportPings ?? 0) >= 40, 'forty transport pings');
      expect(fake.connections).toHaveLength(1);
      expect(fake.connections[0]!.open).toBe(true);
      await src.stop();
      await done;
    });
  });

  test('a half-open connection (no data, pings unanswered) trips the watchdog, which reconnects and resubscribes', async () => {
    await withFake({ answerPings: false, scripts: [{ frames: [B1] }, { frames: [B2] }] }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const src = source(fake, { logger, watchdog: { idleMs: 300, pingIntervalMs: 50 } });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'quotes from before and after the watchdog');
      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(fake.connections[0]!.transportPings).toBeGreaterThan(0);
      expect(lines.filter((l) => l.msg === 'no data or heartbeat within the idle limit; dropping the connection').map((l) => l.connection)).toEqual([1]);
      expect(fake.subscribed(1)).toEqual([...TRADE_CHANNELS].sort());
      await src.stop();
      await done;
    });
  });

  test('missing credentials fail at creation, naming the variable', () => {
    expect(() => createLiveSource('polygon', { env: parseEnv({}), universe, logger: silentLogger() })).toThrow(/POLYGON_API_KEY is not set/);
  });
});
