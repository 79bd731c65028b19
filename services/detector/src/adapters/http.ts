import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The detector's metrics, on a registry of its own (tests start several detectors per process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    records: new Counter({
      name: 'detector_records_total',
      help: 'Ticks-topic records consumed, by outcome (applied, skipped, dead_letter, extended_hours, market_closed, ineligible, amended, corporate_action, watermark)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    ineligible: new Counter({ name: 'detector_ineligible_prints_total', help: 'Regular-session prints that set no price because of their sale conditions, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    deadLetters: new Counter({ name: 'detector_dead_letters_total', help: 'Records dead-lettered, by reason (late, late_cancel, late_correction, ...)', labelNames: ['reason'] as const, registers: [registry] }),
    notices: new Counter({ name: 'detector_operator_notices_total', help: 'Corporate actions applied and split quarantines raised, lifted or expired, by kind', labelNames: ['kind'] as const, registers: [registry] }),
    quarantined: new Gauge({ name: 'detector_quarantined_symbols', help: 'Symbols whose analytics are held after a split-like jump with no known action', registers: [registry] }),
    commits: new Counter({ name: 'detector_commits_total', help: 'Batches committed to Redis', registers: [registry] }),
    commitFailures: new Counter({ name: 'detector_commit_failures_total', help: 'Commit attempts that failed and were retried', registers: [registry] }),
    alerts: new Counter({ name: 'detector_alerts_total', help: 'Alerts decided, by kind', labelNames: ['kind'] as const, registers: [registry] }),
    steps: new Counter({ name: 'detector_steps_total', help: 'In-session steps evaluated', registers: [registry] }),
    rules: new Gauge({ name: 'detector_rules_active', help: 'User alert rules being evaluated (active and evaluable)', registers: [registry] }),
    active: new Gauge({ name: 'detector_active', help: '1 when this instance owns the ticks partitions', registers: [registry] }),
    asOf: new Gauge({ name: 'detector_as_of_seconds', help: 'Event time of the last evaluated step', registers: [registry] }),
    batchSeconds: new Histogram({ name: 'detector_batch_seconds', help: 'Time to process and commit one batch', buckets: [0.001, 0.005, 0.02, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** /healthz (200 when the last Redis commit or ping succeeded, else 503) and /metrics. */
export function startHttp(port: number, metrics: Metrics, health: () => { ok: boolean; detail: Record<string, unknown> }): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.startsWith('/healthz')) {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', ...h.detail }));
      return;
    }
    if (req.method === 'GET' && url.startsWith('/metrics')) {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
