/**
 * Clean market data end to end: NDJSON replayed by the ingester into `<ns>.ticks` (3
 * partitions), the detector with the SHIPPED universe, Redis. A stream as a live feed delivers
 * it (odd lots and average-price prints at off prices, extended-hours prints, a busted print
 * and its cancel, a wrong print and its correction, and 2-for-1 splits of NVDA, an AI-basket
 * member, and XLK, a sector ETF, with their corporate actions) must give exactly the snapshot
 * and the alerts of the clean stream, and the metrics must count each case. Without the
 * actions, the splits quarantine both symbols instead of raising a single alert about them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '@rotation/config';
import { startDetector, type DetectorHandle } from '@rotation/detector';
import { createKafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { createRedis, connectRedis, sharedKeys, type Redis } from '@rotation/redis';
import type { Alert, Snapshot, SnapshotRecord } from '@rotation/schemas';
import { Pipeline, type RunSummary, ReplaySource } from '@rotation/ingester';
import { lastPrintTs, SPLIT, writeScenario, type Scenario, type ScenarioCounts } from '../fixtures/clean-prints.js';
import { describe, dropNamespace, expect, test } from '../support/fixtures.js';

interface Outcome {
  summary: RunSummary;
  snapshot: Snapshot | null;
  alerts: Alert[];
  metrics: string;
  counts: ScenarioCounts;
}

/** Waits until the committed snapshot has reached the stream's last step; returns it either way. */
async function committedSnapshot(redis: Redis, ns: string, asOf: string, timeoutMs = 90_000): Promise<Snapshot | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await redis.get(sharedKeys(ns).snapshot);
    const snap = text === null ? null : (JSON.parse(text) as SnapshotRecord).snapshot;
    if ((snap?.asOf != null && snap.asOf >= asOf) || Date.now() > deadline) return snap;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function committedAlerts(redis: Redis, ns: string): Promise<Alert[]> {
  const entries = await redis.xrange(sharedKeys(ns).alertHistory, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('a') + 1]!) as Alert);
}

/** One scenario in a namespace of its own: replay, detector, Redis; everything removed after. */
async function runScenario(base: string, kind: Scenario, dir: string, logger: Logger, redis: Redis): Promise<Outcome> {
  const ns = `${base}-${kind.replace('_', '')}`;
  const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: '3' });
  const kafka = createKafka({ brokers: inject('kafkaBrokers').split(','), clientId: `test-${ns}`, logger });
  const { file, counts } = await writeScenario(dir, kind);
  let det: DetectorHandle | undefined;
  try {
    det = await startDetector({ config, logger, httpPort: 0 });
    await det.joined;
    const source = new ReplaySource({ files: [file], speed: { kind: 'max' }, logger });
    const summary = await new Pipeline({ env: config.env, universe: config.universe, logger, source, kafka }).run();
    const snapshot = await committedSnapshot(redis, ns, new Date(lastPrintTs()).toISOString());
    const alerts = await committedAlerts(redis, ns);
    const metrics = await (await fetch(`http://127.0.0.1:${det.httpPort}/metrics`)).text();
    return { summary, snapshot, alerts, metrics, counts };
  } finally {
    await det?.stop();
    await dropNamespace(kafka, redis, ns);
  }
}

/** The value of one Prometheus sample, 0 when absent. */
function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (want.length === 0 && line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (want.every((w) => inside.split(',').includes(w))) return Number(line.slice(line.indexOf('}') + 1));
  }
  return 0;
}

/** A Redis client and a temp folder for one test, both gone after it. */
async function withScratch(ns: string, logger: Logger, body: (redis: Redis, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clean-prints-'));
  const url = inject('redisUrl');
  const redis = createRedis({ url, logger, connectionName: `test-${ns}` });
  await connectRedis(redis, url);
  try {
    await body(redis, dir);
  } finally {
    await redis.quit();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What an alert says, without the delivery sequence number. */
const said = (alerts: Alert[]) => alerts.map(({ seq: _seq, ...a }) => a);

describe('clean market data through ingester, Kafka, detector and Redis', () => {
  test('odd lots, extended hours, a cancel, a correction and two splits change nothing; the metrics count each', { timeout: 300_000 }, async ({ ns, logger }) => {
    await withScratch(ns, logger, async (redis, dir) => {
      const clean = await runScenario(ns, 'clean', dir, logger, redis);
      const dirty = await runScenario(ns, 'dirty', dir, logger, redis);

      // The clean run says something: it is a market with alerts, not an empty comparison.
      expect(clean.snapshot?.asOf).toBe(new Date(lastPrintTs()).toISOString());
      expect(clean.alerts.length).toBeGreaterThan(0);
      expect(clean.summary).toMatchObject({ deadLettered: 0 });

      // Every record of the dirty feed was taken, none dead-lettered.
      const c = dirty.counts;
      expect(dirty.summary).toMatchObject({ read: c.lines, deadLettered: 0, duplicates: 0 });
      // The ingester counts what it published, by reason and type.
      expect(dirty.summary.ineligibleByReason).toEqual({ ...c.ineligible, extended_hours: c.extendedHours });
      expect(dirty.summary.eventsByType).toEqual({ cancel: c.cancels, correction: c.corrections, corporate_action: c.actions });
      expect(dirty.snapshot).toEqual(clean.snapshot);
      expect(said(dirty.alerts)).toEqual(said(clean.alerts));
      for (const a of dirty.alerts) expect(a.message).not.toMatch(/-4\d\.\d+ ?%|-50\.\d+ ?%/);

      // The detector's /metrics count each case.
      const m = dirty.metrics;
      expect(metric(m, 'detector_ineligible_prints_total', { reason: 'odd_lot' })).toBe(c.ineligible.odd_lot);
      expect(metric(m, 'detector_ineligible_prints_total', { reason: 'average_price' })).toBe(c.ineligible.average_price);
      expect(metric(m, 'detector_records_total', { outcome: 'extended_hours' })).toBe(c.extendedHours);
      expect(metric(m, 'detector_records_total', { outcome: 'amended' })).toBe(c.cancels + c.corrections);
      expect(metric(m, 'detector_records_total', { outcome: 'corporate_action' })).toBe(c.actions);
      expect(metric(m, 'detector_operator_notices_total', { kind: 'action_applied' })).toBe(SPLIT.symbols.length);
      expect(metric(m, 'detector_operator_notices_total', { kind: 'quarantine' })).toBe(0);
      expect(metric(m, 'detector_records_total', { outcome: 'dead_letter' })).toBe(0);
      expect(c).toMatchObject({ cancels: 1, corrections: 1, actions: 2 });
      expect(clean.metrics).toContain('detector_records_total{outcome="applied"}');
    });
  });

  test('without the corporate actions the split symbols are quarantined and no alert is about them', { timeout: 300_000 }, async ({ ns, logger }) => {
    await withScratch(ns, logger, async (redis, dir) => {
      const run = await runScenario(ns, 'no_action', dir, logger, redis);
      // Held from the ex-date's first print to the fifth close after it (holdSessions = 5),
      // which is the fixture's last step: then taken as a price move.
      const m = run.metrics;
      expect(metric(m, 'detector_operator_notices_total', { kind: 'quarantine' })).toBe(SPLIT.symbols.length);
      expect(metric(m, 'detector_operator_notices_total', { kind: 'quarantine_expired' })).toBe(SPLIT.symbols.length);
      expect(metric(m, 'detector_quarantined_symbols', {})).toBe(0);
      expect(run.snapshot?.asOf).toBe(new Date(lastPrintTs()).toISOString());
      const exOpen = `${SPLIT.exDate}T13:30:00.000Z`;
      const held = run.alerts.filter((a) => a.eventTime > exOpen);
      expect(held.filter((a) => /NVDA|XLK|\bAI\b/.test(`${a.subject} ${a.message}`)).map((a) => a.message)).toEqual([]);
      for (const a of run.alerts) expect(a.message).not.toMatch(/-4\d\.\d+ ?%|-50\.\d+ ?%/);
      expect(run.summary).toMatchObject({ deadLettered: 0 });
    });
  });
});
