import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { listenOnFirstFree } from '@rotation/service';

export interface HealthServerOptions {
  /** Tried in order; the first free one is used (see portsToTry). */
  ports: readonly number[];
  host?: string;
  registry: Registry;
  /** Unhealthy (/healthz 503) when this returns a reason (e.g. the producer failed). */
  unhealthy: () => string | undefined;
  /** Not ready (/readyz 503) when this returns a reason (e.g. the live feed is disconnected); unhealthy is never ready. */
  notReady?: () => string | undefined;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** `/healthz`, `/readyz` and `/metrics` for a long-running ingester. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (url === '/healthz' || url === '/readyz') {
      const reason = options.unhealthy() ?? (url === '/readyz' ? options.notReady?.() : undefined);
      res.writeHead(reason ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(reason ? { status: 'failing', reason } : { status: 'ok' }));
    } else if (url === '/metrics') {
      options.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await listenOnFirstFree(server, options.ports, options.host ?? '0.0.0.0');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
