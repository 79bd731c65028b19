/**
 * A quiet evening on Finnhub: a real websocket server on a free port that sends nothing but
 * {"type":"ping"}, 60-120 s apart (seeded, as users measured it), for an hour. Time is vitest's
 * fake clock (timers and performance.now: the watchdog, the backoff, the server's schedule), the
 * sockets are real, so the hour takes about a second. With the default idle limit the one
 * connection survives the hour; with the old 60 s limit the same hour reconnects again and
 * again; and a feed whose pings stop is still dropped and replaced within 1.25 x the limit.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { parseEnv } from '@rotation/config';
import { createLiveSource, Mulberry32 } from '@rotation/ingester';
import { FakeWsServer, type FakeConnection } from '../fakes/ws-fake.js';
import { capturedLogger, FAST, MemorySink, runSource, smallUniverse } from './support.js';

const TOKEN = 'fh-quiet-hour-token';
const HOUR_MS = 3_600_000;
const universe = smallUniverse();

/** The project's seeded source (the synthetic feed's), so the simulated cadence is the same on every run. */
function seeded(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
}

/** Gaps between pings, uniform in [60 s, 120 s], filling one hour. */
function pingGaps(seed: number): number[] {
  const random = seeded(seed);
  const gaps: number[] = [];
  for (let total = 0; ; ) {
    const gap = 60_000 + Math.floor(random() * 60_001);
    if (total + gap > HOUR_MS) return gaps;
    gaps.push(gap);
    total += gap;
  }
}

/** Waits on real I/O (setImmediate is not faked); the cap only turns a hang into a message. */
async function until(predicate: () => boolean, what: string, advanceMs = 0): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (advanceMs > 0) await vi.advanceTimersByTimeAsync(advanceMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A Finnhub stand-in: token in the query string, subscriptions recorded, nothing sent on its own. */
async function quietServer(): Promise<FakeWsServer> {
  return FakeWsServer.start({
    onUpgrade: (req) => (new URL(req.url ?? '/', 'http://fake').searchParams.get('token') === TOKEN ? undefined : 401),
    onConnection: () => undefined,
    onMessage: () => undefined,
  });
}

const subscribed = (c: FakeConnection) => c.received.filter((m) => (m as { type?: string }).type === 'subscribe').length;

async function startSource(server: FakeWsServer, idleMs?: number) {
  const { logger, lines } = capturedLogger();
  const env = parseEnv({ FINNHUB_TOKEN: TOKEN, FINNHUB_STREAM_URL: server.url });
  const src = createLiveSource('finnhub', {
    env,
    universe,
    logger,
    backoff: FAST.backoff,
    limitBackoff: FAST.limitBackoff,
    closeTimeoutMs: 500,
    random: () => 0.5,
    // No override: the default limit (FINNHUB_IDLE_MS) is what is under test.
    ...(idleMs === undefined ? {} : { watchdog: { idleMs } }),
  });
  const sink = new MemorySink();
  const { done } = runSource(src, sink);
  const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
  const counts = () => ({
    connections: server.connections.length,
    reconnects: count('reconnecting after a delay'),
    idle: count('no data or heartbeat within the idle limit; dropping the connection'),
    heartbeats: count('heartbeat'),
  });
  /** Every drop so far has been followed by a new connection that subscribed the universe again. */
  const settled = () => {
    const c = counts();
    const last = server.connections[server.connections.length - 1];
    return c.connections === 1 + c.idle && last !== undefined && last.open && subscribed(last) === universe.symbols.length;
  };
  await until(settled, 'the first connection to subscribe');
  return { src, done, sink, lines, counts, settled };
}

/** Plays the hour: advance to each ping, let any reconnect finish, send the ping, wait for its receipt. */
async function playHour(server: FakeWsServer, run: Awaited<ReturnType<typeof startSource>>, gaps: readonly number[]): Promise<void> {
  for (const [i, gap] of gaps.entries()) {
    await vi.advanceTimersByTimeAsync(gap);
    // A drop needs real I/O to close, then fake time for the backoff, then real I/O to connect.
    await until(run.settled, 'a reconnect after a drop', 10);
    await server.connections[server.connections.length - 1]!.send({ type: 'ping' });
    await until(() => run.counts().heartbeats === i + 1, `ping ${i + 1} to arrive`);
  }
}

describe('Finnhub quiet hour (real socket, fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('pings 60-120 s apart for an hour: one connection, no reconnect; then the pings stop and the stall is caught', async () => {
    const server = await quietServer();
    try {
      const idleMs = parseEnv({}).FINNHUB_IDLE_MS;
      const run = await startSource(server);
      const gaps = pingGaps(20261201);
      expect(gaps).toHaveLength(41);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(120_000);
      await playHour(server, run, gaps);

      expect(run.counts()).toEqual({ connections: 1, reconnects: 0, idle: 0, heartbeats: gaps.length });
      expect(server.connections[0]!.open).toBe(true);

      // The feed goes silent. Nothing until the limit; the verdict by the next quarter-limit check.
      await vi.advanceTimersByTimeAsync(idleMs - 1);
      await until(() => true, 'I/O to settle');
      expect(run.counts().idle).toBe(0);
      await vi.advanceTimersByTimeAsync(idleMs / 4 + 1);
      await until(() => run.counts().idle === 1, 'the stall to be detected');
      await until(run.settled, 'the replacement connection to subscribe', 10);
      expect(run.counts()).toMatchObject({ connections: 2, reconnects: 1, idle: 1 });
      expect(server.connections[0]!.open).toBe(false);

      await run.src.stop();
      await run.done;
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });

  test('the same hour with the old 60 s limit reconnects again and again', async () => {
    const server = await quietServer();
    try {
      const run = await startSource(server, 60_000);
      const gaps = pingGaps(20261201);
      await playHour(server, run, gaps);
      const { connections, reconnects, idle } = run.counts();
      // Every gap that outlasts 60 s (plus up to one 15 s check) costs a connection.
      expect(idle).toBeGreaterThanOrEqual(20);
      expect(reconnects).toBe(idle);
      expect(connections).toBe(idle + 1);
      await run.src.stop();
      await run.done;
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });
});
