/** A real HTTP webhook receiver on loopback, and helpers the webhook tests share. */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '@rotation/schemas';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver whose answer per request is decided by `respond` (status, or 'hang'). */
export class Receiver {
  readonly server: Server;
  readonly requests: Received[] = [];
  /** The answer to each request, by index (0 for one left hanging). */
  readonly statuses: number[] = [];
  respond: (n: number, r: Received) => number | 'hang' = () => 200;
  port = 0;
  readonly #hanging: ServerResponse[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(r);
        const answer = this.respond(this.requests.length, r);
        this.statuses.push(answer === 'hang' ? 0 : answer);
        if (answer === 'hang') return void this.#hanging.push(res);
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
      });
    });
  }

  async listen(port = 0): Promise<this> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/rotation?token=url-credential`;
  }

  /** Alert ids that were answered 2xx, in arrival order. */
  deliveredIds(statuses: number[]): string[] {
    return this.requests.filter((_r, i) => statuses[i]! < 300).map((r) => (JSON.parse(r.body) as { alert: Alert }).alert.id);
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.server.closeAllConnections();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on (taken and released), for "connection refused". */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
