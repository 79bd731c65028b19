/**
 * A scripted HTTP server on 127.0.0.1, port 0, for REST adapters: every request is recorded
 * (path, query, headers) and answered by a handler. A reply can be delayed, can hang until the
 * client gives up, can send its body slowly, or can be any status, headers and body.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface FakeReply {
  status?: number;
  /** Objects go as JSON; strings verbatim. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before the status line. */
  delayMs?: number;
  /** Never answer (the client's timeout must end it). */
  hang?: boolean;
}

export type FakeHandler = (req: FakeRequest, index: number) => FakeReply;

export class FakeRestServer {
  readonly requests: FakeRequest[] = [];
  readonly #open = new Set<ServerResponse>();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handler: FakeHandler): Promise<FakeRestServer> {
    const ref: { fake?: FakeRestServer } = {};
    const server = createServer((req, res) => ref.fake!.#handle(handler, req.url ?? '/', req.headers, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.fake = new FakeRestServer(server, `http://127.0.0.1:${port}`);
    return ref.fake;
  }

  /** Requests to one path, in order. */
  to(path: string): FakeRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    for (const res of this.#open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #handle(handler: FakeHandler, rawUrl: string, headers: IncomingHttpHeaders, res: ServerResponse): void {
    const u = new URL(rawUrl, 'http://fake');
    const req: FakeRequest = { path: u.pathname, query: Object.fromEntries(u.searchParams), headers };
    const index = this.requests.push(req) - 1;
    const reply = handler(req, index);
    this.#open.add(res);
    res.on('close', () => this.#open.delete(res));
    if (reply.hang) return;
    const send = () => {
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    };
    if (!reply.delayMs) return send();
    const t = setTimeout(() => {
      this.#timers.delete(t);
      send();
    }, reply.delayMs);
    this.#timers.add(t);
  }
}
