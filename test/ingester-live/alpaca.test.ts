import { parseEnv } from '@rotation/config';
import { silentLogger } from '@rotation/log';
import { createLiveSource, LiveSourceError, type LiveSourceOptions, createIngesterMetrics } from '@rotation/ingester';
import { alpacaTrade, FakeAlpaca, type FakeAlpacaOptions } from '../fakes/alpaca.js';
import { describe, expect, test } from '../support/fixtures.js';
import { capturedLogger, FAST, MemorySink, runSource, smallUniverse, withServer } from './support.js';

const KEY = 'AKFAKEKEYID0001';
const SECRET = 'fake-secret-value-0001';
const universe = smallUniverse();

const withFake = (options: Partial<FakeAlpacaOptions>, body: (fake: FakeAlpaca) => Promise<void>) => withServer(() => FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, ...options }), body);

function source(fake: FakeAlpaca, extra: Partial<LiveSourceOptions> = {}, secret = SECRET) {
  const env = parseEnv({ ALPACA_KEY_ID: KEY, ALPACA_SECRET_KEY: secret, ALPACA_STREAM_URL: fake.url });
  return createLiveSource('alpaca', { env, universe, logger: silentLogger(), ...FAST, ...extra });
}

const B1 = [
  alpacaTrade('SPY', 450.12, 100, '2024-07-24T14:30:00.123456789Z', 1001),
  { T: 'b', S: 'IWM', o: 200, h: 201, l: 199, c: 200.5, v: 5000, t: '2024-07-24T14:29:00Z', n: 40, vw: 200.2 },
  alpacaTrade('XLK', 210, 5, '2024-07-24T14:30:00.2Z', 77, 'K'),
];
const B2 = [alpacaTrade('SPY', 450.13, 200, '2024-07-24T14:30:01Z', 1002)];
const B1_QUOTES = [
  { symbol: 'SPY', price: 450.12, size: 100, ts: '2024-07-24T14:30:00.123456789Z', id: 'V-1001', conditions: ['@'], eligibility: { last: true, volume: true } },
  { symbol: 'IWM', price: 200.5, size: 5000, ts: Date.parse('2024-07-24T14:30:00Z') },
  { symbol: 'XLK', price: 210, size: 5, ts: '2024-07-24T14:30:00.2Z', id: 'K-77', conditions: ['@'], eligibility: { last: true, volume: true } },
];
const B2_QUOTES = [{ symbol: 'SPY', price: 450.13, size: 200, ts: '2024-07-24T14:30:01Z', id: 'V-1002', conditions: ['@'], eligibility: { last: true, volume: true } }];

describe('Alpaca live adapter against a fake stream', () => {
  test('authenticates, subscribes the universe and maps batched trades and bars to exact quotes', async () => {
    await withFake({ scripts: [{ frames: [B1, B2] }] }, async (fake) => {
      const { logger, text } = capturedLogger();
      const src = source(fake, { logger });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'four quotes');

      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(sink.rejects).toEqual([]);
      const origins = sink.events.map((e) => e.origin);
      expect(new Set(origins.map((o) => o.provider))).toEqual(new Set(['alpaca']));
      // One batch = one frame number; the next frame counts up by one.
      expect(origins.map((o) => o.frame)).toEqual([origins[0]!.frame, origins[0]!.frame, origins[0]!.frame, origins[0]!.frame! + 1]);
      expect(sink.events.every((e) => e.source === 'alpaca')).toBe(true);
      expect(sink.events[0]!.rawText).toBe(JSON.stringify(B1[0]));

      const conn = fake.connections[0]!;
      expect(conn.received).toEqual([
        { action: 'auth', key: KEY, secret: SECRET },
        { action: 'subscribe', trades: universe.symbols },
      ]);
      expect(fake.subscribed(0)).toEqual(universe.symbols);

      await src.stop();
      await done;
      await conn.closed;
      expect(conn.socket.readyState).toBe(conn.socket.CLOSED);
      expect(fake.connections).toHaveLength(1);
      // The credentials never reach the log; the URL does.
      expect(text()).not.toContain(KEY);
      expect(text()).not.toContain(SECRET);
      expect(text()).toContain(fake.url);
    });
  });

  test('wrong credentials end the source with a clear error and no reconnect loop', async () => {
    await withFake({}, async (fake) => {
      const { logger, text } = capturedLogger();
      const sink = new MemorySink();
      const { outcome } = runSource(source(fake, { logger }, 'not-the-secret'), sink);
      const result = await outcome;
      expect(result.ok).toBe(false);
      const error = (result as { error: LiveSourceError }).error;
      expect(error).toBeInstanceOf(LiveSourceError);
      expect(error.code).toBe('LIVE_AUTH_FAILED');
      expect(error.message).toMatch(/Alpaca rejected the credentials \(402 auth failed\) on the iex feed \(ALPACA_STREAM_URL\): check ALPACA_KEY_ID and ALPACA_SECRET_KEY/);
      expect(fake.connections).toHaveLength(1);
      expect(fake.connections[0]!.received).toEqual([{ action: 'auth', key: KEY, secret: 'not-the-secret' }]);
      expect(text()).not.toContain('not-the-secret');
    });
  });

  test('a server-side auth timeout (404) is fatal with a clear message', async () => {
    await withFake({ scripts: [{ auth: 'timeout' }], authTimeoutMs: 100 }, async (fake) => {
      const result = await runSource(source(fake), new MemorySink()).outcome;
      expect(result).toMatchObject({ ok: false, error: { code: 'LIVE_AUTH_FAILED', message: expect.stringMatching(/404 auth timeout/) } });
      expect(fake.connections).toHaveLength(1);
    });
  });

  test('a connection-limit rejection (406) backs off with the longer delay, then streams', async () => {
    await withFake({ scripts: [{ auth: 'connection-limit' }, { auth: 'connection-limit' }, { frames: [B2] }] }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const src = source(fake, { logger });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 1, 'a quote after the limit clears');
      expect(sink.quotes).toEqual(B2_QUOTES);
      expect(fake.connections).toHaveLength(3);
      // Deterministic jitter (random = 0.5): limit policy floor 50 + half of the 50, then 100 ms cap.
      const retries = lines.filter((l) => l.msg === 'reconnecting after a delay');
      expect(retries.map((l) => [l.connectionLimit, l.delayMs])).toEqual([
        [true, 75],
        [true, 100],
      ]);
      expect(fake.subscribed(2)).toEqual(universe.symbols);
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
        { action: 'auth', key: KEY, secret: SECRET },
        { action: 'subscribe', trades: universe.symbols },
      ]);
      // Frame numbers keep counting across connections, so every origin stays unique.
      const frames = sink.events.map((e) => e.origin.frame!);
      expect(frames[3]).toBeGreaterThan(frames[0]!);
      // What /metrics and /readyz see: subscribed again, one reconnect, a recent message.
      const metrics = createIngesterMetrics();
      metrics.watchFeed(() => src.status());
      const status = src.status();
      expect(status).toMatchObject({ connected: true, reconnects: 1 });
      expect(Date.now() - status.lastMessageAt!).toBeLessThan(10_000);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/^ingester_feed_connected 1$/m);
      expect(text).toMatch(/^ingester_feed_reconnects_total 1$/m);
      expect(text).toMatch(/^ingester_feed_last_message_timestamp_seconds \d+(\.\d+)?$/m);
      await src.stop();
      await done;
      expect(src.status().connected).toBe(false);
      expect(await metrics.registry.metrics()).toMatch(/^ingester_feed_connected 0$/m);
      // Counted once however often it is scraped.
      expect(await metrics.registry.metrics()).toMatch(/^ingester_feed_reconnects_total 1$/m);
    });
  });

  test('a slow-client disconnect (407) reconnects with the normal backoff and resubscribes', async () => {
    await withFake({ scripts: [{ frames: [B1, [{ T: 'error', code: 407, msg: 'slow client' }]], then: 'close' }, { frames: [B2] }] }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const src = source(fake, { logger });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'quotes from both connections');
      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(sink.rejects).toEqual([]);
      // Data arrived on the first connection, so the backoff started over: attempt 0, 20 ms cap, random 0.5.
      expect(lines.filter((l) => l.msg === 'reconnecting after a delay').map((l) => [l.connectionLimit, l.delayMs])).toEqual([[false, 10]]);
      expect(fake.subscribed(1)).toEqual(universe.symbols);
      await src.stop();
      await done;
    });
  });

  test('malformed frames and bad items become rejects with reasons; good items of the same frame still arrive', async () => {
    const mixed = [
      alpacaTrade('SPY', 1.5, 1, '2024-07-24T14:30:00Z', 1),
      { T: 't', S: 'SPY', p: 'a lot', t: '2024-07-24T14:30:00Z' },
      42,
      { T: 'zz', S: 'SPY' },
      { T: 'b', S: 'IWM', c: 2, t: 'yesterday' },
      alpacaTrade('IWM', 2.5, 2, '2024-07-24T14:30:01Z', 2),
    ];
    await withFake({ scripts: [{ frames: ['this is not json', '{"T":"t","S":"SPY"}', mixed] }] }, async (fake) => {
      const src = source(fake);
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.events.length === 8, 'eight events');
      expect(sink.events.map((e) => (e.type === 'quote' ? `quote ${String(e.raw.symbol)}` : `${e.reason}: ${e.message}`))).toEqual([
        'parse_error: frame is not JSON: ' + (() => { try { JSON.parse('this is not json'); } catch (e) { return (e as Error).message; } return ''; })(),
        'parse_error: frame is not a JSON array',
        'quote SPY',
        'parse_error: trade: field p must be a number',
        'parse_error: item is not a JSON object',
        'parse_error: unknown message type "zz"',
        'parse_error: bar: field t is not an RFC 3339 timestamp',
        'quote IWM',
      ]);
      expect(sink.rejects[0]!.rawText).toBe('this is not json');
      expect(sink.rejects[2]!.rawText).toBe(JSON.stringify(mixed[1]));
      expect(sink.rejects.every((r) => r.origin.provider === 'alpaca' && r.source === 'alpaca')).toBe(true);
      // The adapter kept streaming: nothing reconnected.
      expect(fake.connections).toHaveLength(1);
      await src.stop();
      await done;
    });
  });

  test('a symbol limit rejection (405) is fatal and says what to change', async () => {
    await withFake({ symbolLimit: 3 }, async (fake) => {
      const result = await runSource(source(fake), new MemorySink()).outcome;
      expect(result).toMatchObject({ ok: false, error: { code: 'LIVE_SYMBOL_LIMIT', message: expect.stringMatching(/\(405 symbol limit exceeded\) on the iex feed \(ALPACA_STREAM_URL\): 5 symbols, the free plan allows 30; shrink the universe/) } });
    });
  });

  test('a frame over the size limit drops that connection; the next one streams', async () => {
    const huge = [alpacaTrade('SPY', 1, 1, '2024-07-24T14:30:00Z', 1), { T: 'q', S: 'SPY', pad: 'x'.repeat(4096) }];
    await withFake({ scripts: [{ frames: [huge] }, { frames: [B2] }] }, async (fake) => {
      const src = source(fake, { maxPayloadBytes: 2048 });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 1, 'a quote from the second connection');
      expect(sink.quotes).toEqual(B2_QUOTES);
      expect(fake.connections).toHaveLength(2);
      await src.stop();
      await done;
    });
  });

  test('stop() during a reconnect delay cancels it and start() resolves', async () => {
    await withFake({ scripts: [{ auth: 'connection-limit' }] }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const src = source(fake, { logger, limitBackoff: { initialMs: 60_000, maxMs: 60_000, minMs: 60_000 } });
      const { outcome } = runSource(src, new MemorySink());
      await fake.server.waitFor(() => lines.some((l) => l.msg === 'reconnecting after a delay'), 'the first retry to be scheduled');
      await src.stop();
      expect(await outcome).toEqual({ ok: true });
      expect(fake.connections).toHaveLength(1);
    });
  });

  test('waits for a slow sink: each quote is handed over only after the previous one was accepted, in order', async () => {
    const frames = Array.from({ length: 30 }, (_, f) => Array.from({ length: 5 }, (_, i) => alpacaTrade('SPY', 100 + f, 1, '2024-07-24T14:30:00Z', f * 5 + i)));
    await withFake({ scripts: [{ frames }] }, async (fake) => {
      const log: string[] = [];
      let inFlight = 0;
      let delivered = 0;
      const gate = new MemorySink();
      const slowSink = {
        quote: async (...args: Parameters<MemorySink['quote']>) => {
          inFlight++;
          log.push(inFlight === 1 ? 'enter' : 'overlap');
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          delivered++;
          gate.quote(...args);
        },
        reject: (...args: Parameters<MemorySink['reject']>) => gate.reject(...args),
        event: (...args: Parameters<MemorySink['event']>) => gate.event(...args),
        skip: (...args: Parameters<MemorySink['skip']>) => gate.skip(...args),
      };
      const src = source(fake);
      const done = src.start(slowSink);
      await gate.waitFor((s) => s.quotes.length === 150, 'all 150 quotes');
      expect(log).toEqual(Array.from({ length: 150 }, () => 'enter'));
      expect(delivered).toBe(150);
      expect(gate.quotes.map((q) => q.id)).toEqual(Array.from({ length: 150 }, (_, i) => `V-${i}`));
      await src.stop();
      await done;
    });
  });

  test('missing credentials fail at creation, naming the variable', () => {
    const env = parseEnv({ ALPACA_KEY_ID: KEY });
    expect(() => createLiveSource('alpaca', { env, universe, logger: silentLogger() })).toThrow(/ALPACA_SECRET_KEY is not set/);
  });
});
