/**
 * A fake Alpaca market data v2 stock stream (docs/market-data-protocols.md): array framing,
 * "connected" greeting, auth by message with the configured key pair, additive subscriptions,
 * and the documented error codes (400, 401, 402, 403, 404 auth timeout, 405 symbol limit,
 * 406 connection limit). Each connection follows a script; the last script repeats.
 */
import { FakeWsServer, sendAll, type FakeConnection } from './ws-fake.js';

export interface AlpacaScript {
  /** ok: credentials checked (402 and close when wrong); timeout: auth ignored until 404; connection-limit: 406 and close. */
  auth?: 'ok' | 'timeout' | 'connection-limit';
  /** Sent after the first subscription reply; strings go verbatim (malformed frames). */
  frames?: readonly unknown[];
  /** After the frames: stay open (default), drop TCP without a close frame, or close cleanly. */
  then?: 'stay' | 'drop' | 'close';
}

export interface FakeAlpacaOptions {
  keyId: string;
  secretKey: string;
  scripts?: readonly AlpacaScript[];
  /** Distinct symbols allowed across channels (405 beyond it); unlimited by default. */
  symbolLimit?: number;
  /** Server-side auth deadline (Alpaca: 10 s). */
  authTimeoutMs?: number;
  path?: string;
}

type Channel = 'trades' | 'quotes' | 'bars' | 'dailyBars' | 'updatedBars' | 'statuses';
const CHANNELS: readonly Channel[] = ['trades', 'quotes', 'bars', 'dailyBars', 'updatedBars', 'statuses'];

interface State {
  authed: boolean;
  subscribed: boolean;
  channels: Record<Channel, Set<string>>;
}

export class FakeAlpaca {
  readonly #states = new Map<FakeConnection, State>();
  private constructor(
    readonly server: FakeWsServer,
    private readonly options: FakeAlpacaOptions,
  ) {}

  static async start(options: FakeAlpacaOptions): Promise<FakeAlpaca> {
    const ref: { fake?: FakeAlpaca } = {};
    const server = await FakeWsServer.start(
      {
        onConnection: (conn) => ref.fake!.#onConnection(conn),
        onMessage: (conn, msg) => ref.fake!.#onMessage(conn, msg),
      },
      options.path ?? '/v2/iex',
    );
    ref.fake = new FakeAlpaca(server, options);
    return ref.fake;
  }

  get url(): string {
    return this.server.url;
  }

  get connections(): readonly FakeConnection[] {
    return this.server.connections;
  }

  /** The server-side subscription set of a connection. */
  subscribed(index: number, channel: Channel = 'trades'): string[] {
    const conn = this.server.connections[index];
    return conn ? [...(this.#states.get(conn)?.channels[channel] ?? [])].sort() : [];
  }

  close(): Promise<void> {
    return this.server.close();
  }

  #script(conn: FakeConnection): AlpacaScript {
    const scripts = this.options.scripts ?? [{}];
    return scripts[Math.min(conn.index, scripts.length - 1)] ?? {};
  }

  #onConnection(conn: FakeConnection): void {
    const channels = Object.fromEntries(CHANNELS.map((c) => [c, new Set<string>()])) as Record<Channel, Set<string>>;
    this.#states.set(conn, { authed: false, subscribed: false, channels });
    void conn.send([{ T: 'success', msg: 'connected' }]);
    this.server.later(this.options.authTimeoutMs ?? 10_000, () => {
      if (conn.open && !this.#states.get(conn)?.authed) void this.#fail(conn, 404, 'auth timeout');
    });
  }

  async #fail(conn: FakeConnection, code: number, msg: string): Promise<void> {
    await conn.send([{ T: 'error', code, msg }]);
    conn.close(1008, msg);
  }

  #onMessage(conn: FakeConnection, msg: unknown): void {
    const state = this.#states.get(conn)!;
    const script = this.#script(conn);
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      void conn.send([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
      return;
    }
    const m = msg as Record<string, unknown>;
    if (m.action === 'auth') {
      if (state.authed) return void conn.send([{ T: 'error', code: 403, msg: 'already authenticated' }]);
      if (script.auth === 'timeout') return;
      if (script.auth === 'connection-limit') return void this.#fail(conn, 406, 'connection limit exceeded');
      if (m.key !== this.options.keyId || m.secret !== this.options.secretKey) return void this.#fail(conn, 402, 'auth failed');
      state.authed = true;
      void conn.send([{ T: 'success', msg: 'authenticated' }]);
      return;
    }
    if (m.action === 'subscribe' || m.action === 'unsubscribe') {
      if (!state.authed) return void conn.send([{ T: 'error', code: 401, msg: 'not authenticated' }]);
      for (const c of CHANNELS) {
        const list = m[c];
        if (!Array.isArray(list)) continue;
        for (const s of list) if (typeof s === 'string') state.channels[c][m.action === 'subscribe' ? 'add' : 'delete'](s);
      }
      const distinct = new Set(CHANNELS.flatMap((c) => [...state.channels[c]]));
      if (this.options.symbolLimit !== undefined && distinct.size > this.options.symbolLimit) {
        return void conn.send([{ T: 'error', code: 405, msg: 'symbol limit exceeded' }]);
      }
      const reply: Record<string, unknown> = { T: 'subscription' };
      for (const c of CHANNELS) reply[c] = [...state.channels[c]];
      reply.corrections = [...state.channels.trades];
      reply.cancelErrors = [...state.channels.trades];
      void conn.send([reply]).then(async () => {
        if (state.subscribed) return;
        state.subscribed = true;
        await sendAll(conn, script.frames ?? []);
        if (script.then === 'drop') conn.drop();
        else if (script.then === 'close') conn.close(1000, 'bye');
        this.server.changed();
      });
      return;
    }
    void conn.send([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
  }
}

/** An Alpaca trade item as the stream sends it. */
export function alpacaTrade(symbol: string, price: number, size: number, t: string, id: number, exchange = 'V'): Record<string, unknown> {
  return { T: 't', S: symbol, i: id, x: exchange, p: price, s: size, c: ['@'], z: 'B', t };
}
