import type { Server } from 'node:http';

/**
 * The ports a metrics/health server tries: the configured one only, or the default and nine
 * more two apart (the ingester's defaults are even from 9464, the detector's odd from 9465, so
 * neither moves onto the other's).
 */
export function portsToTry(configured: number | undefined, defaultPort: number): number[] {
  return configured === undefined ? Array.from({ length: 10 }, (_, i) => defaultPort + 2 * i) : [configured];
}

/**
 * Listens on the first of `ports` that is free. Two detectors (or ingesters) on one host with
 * the default setting then both serve /metrics instead of the second failing to start; a port
 * set explicitly is the only one tried, so a clash with it stays an error.
 */
export async function listenOnFirstFree(server: Server, ports: readonly number[], host?: string): Promise<number> {
  let lastError: unknown;
  for (const port of ports) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    } catch (err) {
      lastError = err;
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw lastError;
}
