import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_DETECTOR_HTTP_PORT } from '@rotation/config';
import type { Redis } from '@rotation/redis';
import { listenOnFirstFree, portsToTry, registerProcessMetrics } from '@rotation/service';
import type { InstanceState } from './context.js';

/** The detector's metrics, on a registry of its own (tests start several detectors per process). */
export function createMetrics() {
  const registry = new Registry();
  registerProcessMetrics(registry);
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
    asOf: new Gauge({ name: 'detector_as_of_timestamp_seconds', help: 'Event time (Unix seconds) of the last evaluated step', registers: [registry] }),
    batchSeconds: new Histogram({ name: 'detector_batch_duration_seconds', help: 'Time to process and commit one batch', buckets: [0.001, 0.005, 0.02, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
    eventToCommit: new Histogram({
      name: 'detector_event_to_commit_seconds',
      help: 'Wall-clock time of a batch commit minus the event time of its newest record (its Kafka timestamp): how far behind the market the committed state is on a live feed (a replay lands in +Inf)',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    batchPhase: new Histogram({
      name: 'detector_batch_phase_seconds',
      help: 'Time of each phase of a ticks batch: process (decode, apply, evaluate the steps), commit (the Redis transaction), publish (outbox: Redis reads, produce, acks=all), so a latency can be pinned on its phase',
      labelNames: ['phase'] as const,
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

export interface DetectorProbe {
  /** Alive: false only once the consumer crashed for good (a supervisor should restart it). */
  live: boolean;
  /** Ready: joined its group, the commit connection is up and the last commit (if any) landed. */
  ready: boolean;
  detail: Record<string, unknown>;
}

/**
 * /healthz (liveness: 503 only after a fatal consumer crash, so an orchestrator does not restart
 * detectors through a Redis outage), /readyz (503 while Redis is unreachable or the last commit
 * failed) and /metrics, on the first free port of `ports`.
 */
export async function startHttp(ports: readonly number[], metrics: Metrics, probe: () => DetectorProbe): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (url === '/healthz' || url === '/readyz')) {
      const p = probe();
      const ok = url === '/healthz' ? p.live : p.ready;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', live: p.live, ready: p.ready, ...p.detail }));
      return;
    }
    if (req.method === 'GET' && url === '/metrics') {
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
  await listenOnFirstFree(server, ports);
  return server;
}

/** `override`: tests' port (0 = ephemeral) or null for none; else DETECTOR_HTTP_PORT, where 0 = off. */
export function probePorts(override: number | null | undefined, configured: number | undefined): number[] {
  if (override !== undefined) return override === null ? [] : [override];
  return configured === 0 ? [] : portsToTry(configured, DEFAULT_DETECTOR_HTTP_PORT);
}

/** The probes and /metrics of one instance, or null when `ports` is empty (no HTTP). */
export async function startProbes(ports: readonly number[], metrics: Metrics, state: InstanceState, commitConn: Redis, instance: string): Promise<Server | null> {
  if (ports.length === 0) return null;
  // Not ready while the last commit failed or the commit connection is down (a Redis outage
  // is visible here even when no ticks arrive).
  return startHttp(ports, metrics, () => ({
    live: !state.fatal,
    ready: !state.fatal && !state.stopping && state.groupJoined && state.healthy && commitConn.status === 'ready',
    detail: { active: state.active, instance, redis: commitConn.status, lastError: state.lastError },
  }));
}

/** The port `server` listens on, or null without a server. */
export function portOf(server: Server | null): number | null {
  const a = server?.address();
  return typeof a === 'object' && a ? a.port : null;
}
