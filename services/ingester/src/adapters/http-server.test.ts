import { describe, expect, it } from 'vitest';
import { startHealthServer } from './http-server.js';
import { createIngesterMetrics } from './metrics.js';

describe('health server', () => {
  it('serves /healthz from the producer state and /metrics from the publisher observer', async () => {
    const metrics = createIngesterMetrics();
    let failure: string | undefined;
    metrics.watchProducer({ bufferedBytes: 4_096 });
    const server = await startHealthServer({ ports: [0], host: '127.0.0.1', registry: metrics.registry, unhealthy: () => failure });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      metrics.observer.published();
      metrics.observer.published();
      metrics.observer.deadLettered('parse_error');
      metrics.observer.duplicate();
      const body = await fetch(`${url}/metrics`).then((r) => r.text());
      expect(body).toMatch(/^ingester_ticks_published_total 2$/m);
      expect(body).toMatch(/^ingester_dead_letters_total\{reason="parse_error"\} 1$/m);
      expect(body).toMatch(/^ingester_duplicates_total 1$/m);
      expect(body).toMatch(/^ingester_producer_buffered_bytes 4096$/m);

      expect(await fetch(`${url}/healthz`).then(async (r) => [r.status, await r.json()])).toEqual([200, { status: 'ok' }]);
      failure = 'produce failed after retries';
      expect(await fetch(`${url}/healthz`).then(async (r) => [r.status, await r.json()])).toEqual([503, { status: 'failing', reason: 'produce failed after retries' }]);
      expect((await fetch(`${url}/nope`)).status).toBe(404);
      expect((await fetch(`${url}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
