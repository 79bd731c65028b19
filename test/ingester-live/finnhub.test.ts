import { parseEnv } from '@rotation/config';
import { silentLogger } from '@rotation/log';
import { createLiveSource, LiveSourceError, type LiveSourceOptions } from '@rotation/ingester';
import { FakeFinnhub, finnhubTrades, type FakeFinnhubOptions } from '../fakes/finnhub.js';
import { describe, expect, test } from '../support/fixtures.js';
import { capturedLogger, FAST, MemorySink, runSource, smallUniverse, withServer } from './support.js';

const TOKEN = 'fhtoken0123456789';
const universe = smallUniverse();
const N = universe.symbols.length;

const withFake = (options: Partial<FakeFinnhubOptions>, body: (fake: FakeFinnhub) => Promise<void>) => withServer(() => FakeFinnhub.start({ token: TOKEN, ...options }), body);

function source(fake: FakeFinnhub, extra: Partial<LiveSourceOptions> = {}, token = TOKEN) {
  const env = parseEnv({ FINNHUB_TOKEN: token, FINNHUB_STREAM_URL: fake.url });
  return createLiveSource('finnhub', { env, universe, logger: silentLogger(), ...FAST, ...extra });
}

const B1 = finnhubTrades([
  { s: 'SPY', p: 450.12, t: 1721831400123, v: 100 },
  { s: 'IWM', p: 200.5, t: 1721831400124, v: 0 },
  { s: 'XLK', p: 210, t: 1721831400200, v: 0.5 },
]);
const B2 = finnhubTrades([{ s: 'SPY', p: 450.13, t: 1721831401000, v: 200 }]);
// finnhubTrades marks every trade "1" (regular).
const REGULAR = { conditions: ['1'], eligibility: { last: true, volume: true } };
const B1_QUOTES = [
  { symbol: 'SPY', price: 450.12, size: 100, ts: 1721831400123, ...REGULAR },
  { symbol: 'IWM', price: 200.5, size: 0, ts: 1721831400124, ...REGULAR },
  { symbol: 'XLK', price: 210, size: 0.5, ts: 1721831400200, ...REGULAR },
];
const B2_QUOTES = [{ symbol: 'SPY', price: 450.13, size: 200, ts: 1721831401000, ...REGULAR }];

describe('Finnhub live adapter against a fake stream', () => {
  test('sends the token in the URL, subscribes one message per symbol, maps batched trades; pings keep a quiet connection alive', async () => {
    await withFake({ scripts: [{ afterSubscriptions: N, frames: [B1, { type: 'ping' }, B2], pingEveryMs: 20 }] }, async (fake) => {
      const { logger, text } = capturedLogger();
      const src = source(fake, { logger, watchdog: { idleMs: 400 } });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'four quotes');
      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(sink.rejects).toEqual([]);
      expect(sink.events.every((e) => e.source === 'finnhub' && e.origin.provider === 'finnhub')).toBe(true);
      expect(fake.tokens).toEqual([TOKEN]);
      expect(fake.subscribed(0)).toEqual(universe.symbols);
      expect(fake.connections[0]!.received).toEqual(universe.symbols.map((symbol) => ({ type: 'subscribe', symbol })));
      // Many heartbeats past the idle limit, and still the one connection: pings count as life.
      await fake.server.waitFor(() => fake.pings(0) >= 40, 'forty pings');
      expect(fake.connections).toHaveLength(1);
      expect(fake.connections[0]!.open).toBe(true);
      await src.stop();
      await done;
      expect(text()).not.toContain(TOKEN);
      expect(text()).toContain('token=%5Bredacted%5D');
    });
  });

  test('a refused token (HTTP 401 at the handshake) is fatal with a clear message and no reconnect loop', async () => {
    await withFake({}, async (fake) => {
      const { logger, text } = capturedLogger();
      const result = await runSource(source(fake, { logger }, 'wrong-token'), new MemorySink()).outcome;
      expect(result.ok).toBe(false);
      const error = (result as { error: LiveSourceError }).error;
      expect(error).toBeInstanceOf(LiveSourceError);
      expect(error).toMatchObject({ code: 'LIVE_AUTH_FAILED', message: expect.stringMatching(/HTTP 401: check FINNHUB_TOKEN/) });
      expect(fake.tokens).toEqual(['wrong-token']);
      expect(fake.server.refused).toEqual([401]);
      expect(fake.connections).toHaveLength(0);
      expect(text()).not.toContain('wrong-token');
    });
  });

  test('an error frame about the token is fatal too', async () => {
    await withFake({ scripts: [{ afterSubscriptions: 0, frames: [{ type: 'error', msg: 'Invalid API token' }] }] }, async (fake) => {
      const result = await runSource(source(fake), new MemorySink()).outcome;
      expect(result).toMatchObject({ ok: false, error: { code: 'LIVE_AUTH_FAILED', message: 'Finnhub rejected the token (Invalid API token): check FINNHUB_TOKEN' } });
      expect(fake.connections).toHaveLength(1);
    });
  });

  test('a connection-limit refusal (HTTP 429) backs off with the longer delay, then streams', async () => {
    await withFake({ scripts: [{ refuse: 'connection-limit' }, { afterSubscriptions: N, frames: [B2] }] }, async (fake) => {
      const { logger, lines } = capturedLogger();
      const src = source(fake, { logger });
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 1, 'a quote after the refusal');
      expect(sink.quotes).toEqual(B2_QUOTES);
      expect(fake.server.refused).toEqual([429]);
      expect(lines.filter((l) => l.msg === 'reconnecting after a delay').map((l) => [l.connectionLimit, l.delayMs])).toEqual([[true, 75]]);
      await src.stop();
      await done;
    });
  });

  test('a disconnect mid-stream reconnects, resubscribes every symbol and the stream continues', async () => {
    await withFake({ scripts: [{ afterSubscriptions: N, frames: [B1], then: 'drop' }, { afterSubscriptions: N, frames: [B2] }] }, async (fake) => {
      const src = source(fake);
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.quotes.length === 4, 'quotes from both connections');
      expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
      expect(fake.connections).toHaveLength(2);
      expect(fake.subscribed(1)).toEqual(universe.symbols);
      expect(fake.tokens).toEqual([TOKEN, TOKEN]);
      await src.stop();
      await done;
    });
  });

  test('malformed frames, bad trades and error frames become rejects with reasons; good trades still arrive', async () => {
    const mixed = { type: 'trade', data: [{ s: 'SPY', p: 1.5, t: 1721831400000, v: 1 }, { s: 'SPY', p: '1.5', t: 1 }, null, { s: 'IWM', p: 2.5, t: 1721831401000, v: 2 }] };
    const frames = ['not json at all', [1, 2], { type: 'trade', data: 'nope' }, mixed, { type: 'error', msg: 'Subscribing to too many symbols' }, B2];
    await withFake({ scripts: [{ afterSubscriptions: N, frames }] }, async (fake) => {
      const src = source(fake);
      const sink = new MemorySink();
      const { done } = runSource(src, sink);
      await sink.waitFor((s) => s.events.length === 8, 'eight events');
      expect(sink.events.map((e) => (e.type === 'quote' ? `quote ${String(e.raw.symbol)}` : `${e.reason}: ${e.message}`))).toEqual([
        expect.stringMatching(/^parse_error: frame is not JSON: /),
        'parse_error: frame is not a JSON object',
        'parse_error: trade frame: field data must be an array',
        'quote SPY',
        'parse_error: trade: field p must be a number',
        'parse_error: trade is not a JSON object',
        'quote IWM',
        'provider_error: Finnhub error: Subscribing to too many symbols',
      ]);
      await sink.waitFor((s) => s.quotes.length === 3, 'the trade after the error frame');
      expect(fake.connections).toHaveLength(1);
      await src.stop();
      await done;
    });
  });

  test('a stall (pings stop, socket stays open) trips the watchdog, which reconnects and resubscribes', async () => {
    await withFake(
      {
        scripts: [
          { afterSubscriptions: N, pingEveryMs: 20, frames: [B1], then: 'stall', stallAfterPings: 30 },
          { afterSubscriptions: N, pingEveryMs: 20, frames: [B2] },
        ],
      },
      async (fake) => {
        const { logger, lines } = capturedLogger();
        const src = source(fake, { logger, watchdog: { idleMs: 300 } });
        const sink = new MemorySink();
        const { done } = runSource(src, sink);
        await sink.waitFor((s) => s.quotes.length === 4, 'quotes from before and after the stall');
        expect(sink.quotes).toEqual([...B1_QUOTES, ...B2_QUOTES]);
        expect(fake.stalled(0)).toBe(true);
        // The heartbeat outlived the idle limit several times over before it stopped.
        expect(fake.pings(0)).toBeGreaterThanOrEqual(30);
        expect(fake.connections).toHaveLength(2);
        expect(fake.subscribed(1)).toEqual(universe.symbols);
        expect(lines.filter((l) => l.msg === 'no data or heartbeat within the idle limit; dropping the connection').map((l) => l.connection)).toEqual([1]);
        await fake.connections[0]!.closed;
        await src.stop();
        await done;
      },
    );
  });

  test('missing credentials fail at creation, naming the variable', () => {
    expect(() => createLiveSource('finnhub', { env: parseEnv({}), universe, logger: silentLogger() })).toThrow(/FINNHUB_TOKEN is not set/);
  });
});
