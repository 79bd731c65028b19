/**
 * A fake Polygon.io / Massive stocks websocket (docs/market-data-protocols.md): array framing,
 * status messages, auth by API key, one "subscribed to" status per channel, and the failure
 * statuses auth_failed, auth_timeout and max_connections (sent after a successful auth and
 * subscribe, then close 1008, as reported for the real service). Each connection follows a
 * script; the last script repeats.
 */
import { FakeWsServer, sendAll, type FakeConnection } from './ws-fake.js';

export interface PolygonScript {
  /** ok: key checked (auth_failed and close when wrong); timeout: auth ignored until auth_timeout; max-connections: see above. */
  auth?: 'ok' | 'timeout' | 'max-connections';
  /** Sent after the subscribe statuses; strings go verbatim (malformed frames). */
  frames?: readonly unknown[];
  then?: 'stay' | 'drop' | 'close';
}

export interface FakePolygonOptions {
  apiKey: string;
  scripts?: readonly PolygonScript[];
  authTimeoutMs?: number;
  path?: string;
  /** false: transport pings go unanswered (a half-open connection). Default true. */
  answerPings?: boolean;
}

const status = (status: string, message: string) => ({ ev: 'status', status, message });

export class FakePolygon {
  readonly #authed = new Set<FakeConnection>();
  readonly #params = new Map<FakeConnection, Set<string>>();
  private constructor(
    readonly server: FakeWsServer,
    private readonly options: FakePolygonOptions,
  ) {}

  static async start(options: FakePolygonOptions): Promise<FakePolygon> {
    const ref: { fake?: FakePolygon } = {};
    const server = await FakeWsServer.start(
      { onConnection: (c) => ref.fake!.#onConnection(c), onMessage: (c, m) => ref.fake!.#onMessage(c, m) },
      options.path ?? '/stocks',
      { answerPings: options.answerPings ?? true },
    );
    ref.fake = new FakePolygon(server, options);
    return ref.fake;
  }

  get url(): string {
    return this.server.url;
  }

  get connections(): readonly FakeConnection[] {
    return this.server.connections;
  }

  /** Channels ("T.SPY", ...) a connection is subscribed to, sorted. */
  subscribed(index: number): string[] {
    const conn = this.server.connections[index];
    return conn ? [...(this.#params.get(conn) ?? [])].sort() : [];
  }

  close(): Promise<void> {
    return this.server.close();
  }

  #script(conn: FakeConnection): PolygonScript {
    const scripts = this.options.scripts ?? [{}];
    return scripts[Math.min(conn.index, scripts.length - 1)] ?? {};
  }

  #onConnection(conn: FakeConnection): void {
    this.#params.set(conn, new Set());
    void conn.send([status('connected', 'Connected Successfully')]);
    this.server.later(this.options.authTimeoutMs ?? 10_000, () => {
      if (conn.open && !this.#authed.has(conn)) {
        void conn.send([status('auth_timeout', 'authentication timed out')]).then(() => conn.close(1008, 'auth timeout'));
      }
    });
  }

  #onMessage(conn: FakeConnection, msg: unknown): void {
    const script = this.#script(conn);
    const m = (typeof msg === 'object' && msg !== null ? msg : {}) as Record<string, unknown>;
    if (m.action === 'auth') {
      if (script.auth === 'timeout') return;
      if (m.params !== this.options.apiKey) {
        void conn.send([status('auth_failed', 'authentication failed')]).then(() => conn.close(1008, 'auth failed'));
        return;
      }
      this.#authed.add(conn);
      void conn.send([status('auth_success', 'authenticated')]);
      return;
    }
    if (m.action === 'subscribe' && typeof m.params === 'string') {
      if (!this.#authed.has(conn)) return void conn.send([status('error', 'not authorized')]);
      const first = this.#params.get(conn)!.size === 0;
      const channels = m.params.split(',').map((s) => s.trim()).filter(Boolean);
      for (const c of channels) this.#params.get(conn)!.add(c);
      void conn.send(channels.map((c) => status('success', `subscribed to: ${c}`))).then(async () => {
        this.server.changed();
        if (!first) return;
        if (script.auth === 'max-connections') {
          await conn.send([status('max_connections', 'Maximum number of websocket connections exceeded. You have reached the connection limit for your account. Please contact support at https://massive.com/contact to increase your limit.')]);
          conn.close(1008, 'max connections');
          return;
        }
        await sendAll(conn, script.frames ?? []);
        if (script.then === 'drop') conn.drop();
        else if (script.then === 'close') conn.close(1000, 'bye');
        this.server.changed();
      });
      return;
    }
    void conn.send([status('error', 'invalid action')]);
  }
}

/** A Polygon trade item as the stream sends it. */
export function polygonTrade(sym: string, price: number, size: number, t: number, id: string, exchange = 4): Record<string, unknown> {
  return { ev: 'T', sym, x: exchange, i: id, z: 1, p: price, s: size, c: [0], t, q: 1 };
}
