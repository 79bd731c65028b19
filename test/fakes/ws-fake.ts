/**
 * A websocket server on 127.0.0.1, port 0, that records every connection and every client
 * message, for the provider fakes (and tests or benchmarks that need a scripted peer).
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

export interface FakeConnection {
  /** 0-based, in order of arrival. */
  readonly index: number;
  /** Request path and query, e.g. /v2/iex or /?token=... */
  readonly path: string;
  /** Client messages, parsed as JSON when they are (otherwise the text). */
  readonly received: unknown[];
  readonly socket: WebSocket;
  /** Sends a frame: strings verbatim (for malformed frames), anything else as JSON. Resolves once written. */
  send(frame: unknown): Promise<void>;
  /** Closes the TCP connection without a close frame (a network drop). */
  drop(): void;
  close(code?: number, reason?: string): void;
  readonly open: boolean;
  /** Resolves when the connection is closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** Transport-level (RFC 6455) pings the client sent. */
  readonly transportPings: number;
}

export interface FakeServerHandlers {
  /** Return an HTTP status to refuse the handshake (e.g. 401), or undefined to accept. */
  onUpgrade?(req: IncomingMessage, index: number): number | undefined;
  onConnection(conn: FakeConnection): void;
  onMessage(conn: FakeConnection, message: unknown): void;
}

export class FakeWsServer {
  readonly connections: FakeConnection[] = [];
  /** Handshakes refused with an HTTP status, in order. */
  readonly refused: number[] = [];
  readonly #events = new EventEmitter();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(
    readonly url: string,
    private readonly http: ReturnType<typeof createServer>,
    private readonly wss: WebSocketServer,
  ) {}

  /** `answerPings: false` makes the server ignore transport pings, like a half-open connection. */
  static async start(handlers: FakeServerHandlers, path = '/', options: { answerPings?: boolean } = {}): Promise<FakeWsServer> {
    const http = createServer((_req, res) => res.writeHead(426).end());
    const wss = new WebSocketServer({ noServer: true, autoPong: options.answerPings ?? true });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const server = new FakeWsServer(`ws://127.0.0.1:${port}${path}`, http, wss);
    let attempts = 0;
    http.on('upgrade', (req, socket, head) => {
      const index = attempts++;
      const status = handlers.onUpgrade?.(req, index);
      if (status !== undefined) {
        server.refused.push(status);
        socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        server.changed();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => server.#accept(ws, req, handlers));
    });
    return server;
  }

  #accept(ws: WebSocket, req: IncomingMessage, handlers: FakeServerHandlers): void {
    const received: unknown[] = [];
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    let transportPings = 0;
    ws.on('ping', () => {
      transportPings++;
      this.changed();
    });
    const conn: FakeConnection = {
      index: this.connections.length,
      path: req.url ?? '/',
      received,
      socket: ws,
      send: (frame) =>
        new Promise<void>((resolve, reject) => {
          if (ws.readyState !== WebSocket.OPEN) return resolve();
          ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame), (err) => (err ? reject(err) : resolve()));
        }),
      drop: () => ws.terminate(),
      close: (code = 1000, reason = '') => ws.close(code, reason),
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      closed,
      get transportPings() {
        return transportPings;
      },
    };
    this.connections.push(conn);
    ws.on('message', (data) => {
      const text = data.toString();
      let message: unknown = text;
      try {
        message = JSON.parse(text);
      } catch {
        // kept as text: a client sending non-JSON is something tests want to see
      }
      received.push(message);
      handlers.onMessage(conn, message);
      this.changed();
    });
    ws.on('close', () => this.changed());
    ws.on('error', () => undefined);
    handlers.onConnection(conn);
    this.changed();
  }

  /** A timer that close() cancels, for scripted delays. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  changed(): void {
    this.#events.emit('change');
  }

  /**
   * Resolves once `predicate` holds (checked after every connection, message and close).
   * The timeout only turns a hang into a readable failure; nothing asserts on durations.
   */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake server: timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#events.off('change', onChange);
      };
      this.#events.on('change', onChange);
    });
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Sends frames one after the other, each fully written before the next. */
export async function sendAll(conn: FakeConnection, frames: readonly unknown[]): Promise<void> {
  for (const f of frames) await conn.send(f);
}
