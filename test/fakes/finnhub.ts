/**
 * A fake Finnhub trades websocket (docs/market-data-protocols.md): token in the query string
 * (HTTP 401 at the handshake when wrong, 429 when scripted as over the connection limit),
 * one subscribe message per symbol with no acknowledgement, {"type":"ping"} heartbeats, and a
 * stall (pings and data stop, the socket stays open). Each connection follows a script; the
 * last script repeats.
 */
import { FakeWsServer, sendAll, type FakeConnection } from './ws-fake.js';

export interface FinnhubScript {
  /** Refuse the handshake as over the connection limit (HTTP 429). */
  refuse?: 'connection-limit';
  /** Frames sent once `afterSubscriptions` subscribe messages arrived; strings go verbatim. */
  frames?: readonly unknown[];
  afterSubscriptions?: number;
  /** {"type":"ping"} every this many ms while the connection is not stalled. */
  pingEveryMs?: number;
  /** After the frames: stay (default), drop TCP, close cleanly, or stall (pings stop, socket stays open). */
  then?: 'stay' | 'drop' | 'close' | 'stall';
  /** With then = stall: keep pinging this many times first, so the stall follows a live heartbeat. */
  stallAfterPings?: number;
}

export interface FakeFinnhubOptions {
  token: string;
  scripts?: readonly FinnhubScript[];
}

export class FakeFinnhub {
  readonly #stalled = new Set<FakeConnection>();
  /** Every handshake attempt's token, in order (accepted or not). */
  readonly tokens: (string | null)[] = [];
  private constructor(
    readonly server: FakeWsServer,
    private readonly options: FakeFinnhubOptions,
  ) {}

  static async start(options: FakeFinnhubOptions): Promise<FakeFinnhub> {
    const ref: { fake?: FakeFinnhub } = {};
    const server = await FakeWsServer.start({
      onUpgrade: (req, index) => ref.fake!.#onUpgrade(req.url ?? '/', index),
      onConnection: (c) => ref.fake!.#onConnection(c),
      onMessage: (c, m) => ref.fake!.#onMessage(c, m),
    });
    ref.fake = new FakeFinnhub(server, options);
    return ref.fake;
  }

  get url(): string {
    return this.server.url;
  }

  get connections(): readonly FakeConnection[] {
    return this.server.connections;
  }

  /** Symbols a connection subscribed, in the order the messages came. */
  subscribed(index: number): string[] {
    const conn = this.server.connections[index];
    if (!conn) return [];
    return conn.received
      .filter((m): m is { type: string; symbol: string } => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'subscribe')
      .map((m) => m.symbol);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  #attempts = 0;
  #connected = 0;

  #scriptAt(index: number): FinnhubScript {
    const scripts = this.options.scripts ?? [{}];
    return scripts[Math.min(index, scripts.length - 1)] ?? {};
  }

  #onUpgrade(path: string, _index: number): number | undefined {
    const attempt = this.#attempts++;
    const token = new URL(path, 'http://fake').searchParams.get('token');
    this.tokens.push(token);
    if (token !== this.options.token) return 401;
    // Scripts are indexed by handshake attempt, so a refused attempt consumes its script.
    if (this.#scriptAt(attempt).refuse === 'connection-limit') return 429;
    this.#scriptFor.set(this.#connected++, this.#scriptAt(attempt));
    return undefined;
  }

  readonly #scriptFor = new Map<number, FinnhubScript>();

  #onConnection(conn: FakeConnection): void {
    const script = this.#scriptFor.get(conn.index) ?? {};
    if (script.pingEveryMs !== undefined) {
      const every = script.pingEveryMs;
      const tick = () => {
        if (!conn.open || this.#stalled.has(conn)) return;
        void conn.send({ type: 'ping' }).then(() => {
          this.#pings.set(conn.index, this.pings(conn.index) + 1);
          this.server.changed();
        });
        this.server.later(every, tick);
      };
      this.server.later(every, tick);
    }
    if ((script.afterSubscriptions ?? 1) === 0) void this.#play(conn, script);
  }

  #onMessage(conn: FakeConnection, msg: unknown): void {
    const script = this.#scriptFor.get(conn.index) ?? {};
    if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'subscribe') {
      if (this.subscribed(conn.index).length === (script.afterSubscriptions ?? 1)) void this.#play(conn, script);
    }
  }

  async #play(conn: FakeConnection, script: FinnhubScript): Promise<void> {
    await sendAll(conn, script.frames ?? []);
    if (script.then === 'drop') conn.drop();
    else if (script.then === 'close') conn.close(1000, 'bye');
    else if (script.then === 'stall') {
      await this.server.waitFor(() => this.pings(conn.index) >= (script.stallAfterPings ?? 0), 'pings before the stall', 60_000).catch(() => undefined);
      this.#stalled.add(conn);
    }
    this.server.changed();
  }

  readonly #pings = new Map<number, number>();

  /** Heartbeats sent on a connection so far. */
  pings(index: number): number {
    return this.#pings.get(index) ?? 0;
  }

  /** True once a connection has entered its stall. */
  stalled(index: number): boolean {
    const conn = this.server.connections[index];
    return conn !== undefined && this.#stalled.has(conn);
  }
}

export function finnhubTrades(trades: readonly { s: string; p: number; t: number; v: number }[]): Record<string, unknown> {
  return { type: 'trade', data: trades.map((t) => ({ ...t, c: ['1'] })) };
}
