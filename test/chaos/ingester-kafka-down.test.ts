/**
 * Issue #19 (5): SIGTERM to a replay while the broker is down. The shutdown is bounded by
 * INGESTER_SHUTDOWN_TIMEOUT_MS, exits 3 and reports what the broker acknowledged and what it
 * did not; every tick reported as published is on the topic after the broker is back, and the
 * resume point it gives is covered. The broker is this test's own (the shared one is never stopped).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { topicNames, WATERMARK_KEY } from '@rotation/schemas';
import { uniqueNamespace } from '../support/fixtures.js';
import { chaosEnv, sharedInfra, startOwnKafka, stopOwnInfra } from './support/infra.js';
import { countRecords, createNamespaceTopics, readTopic, testKafka } from './support/read.js';
import { killAllServices, spawnService, waitUntil } from './support/services.js';

const SHUTDOWN_TIMEOUT_MS = 5_000;
// The deadline plus start-up of nothing new: the process only has to report and exit.
const EXIT_BOUND_MS = SHUTDOWN_TIMEOUT_MS + 4_000;
const T0 = Date.parse('2024-01-02T15:30:00Z');
const TICKS = 10_001;

let dir: string | undefined;
afterEach(async () => {
  await killAllServices();
});
afterAll(async () => {
  await stopOwnInfra();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Undelivered {
  error: string;
  acknowledged: { ticks: number };
  undelivered: { total: number; ticks: number; inFlight: number };
  resumeAfter?: { ts: number; origin: { file: string; line: number } };
}

describe('ingester SIGTERM with Kafka down', () => {
  it('ends within the bound, exits 3, and loses nothing it reported as published', async () => {
    const broker = await startOwnKafka();
    const kafka = testKafka(broker.bootstrap);
    const ns = uniqueNamespace();
    const topics = topicNames(ns);
    await createNamespaceTopics(kafka, ns, 3);
    dir = await mkdtemp(path.join(tmpdir(), 'kafka-down-'));
    const file = path.join(dir, 'ticks.csv');
    const symbols = ['SPY', 'IWM', 'QQQ'];
    await writeFile(file, ['ts,symbol,price,size', ...Array.from({ length: TICKS }, (_, i) => `${new Date(T0 + i * 1_000).toISOString()},${symbols[i % 3]},${100 + (i % 100) / 100},1`)].join('\n'));
    const env = await chaosEnv({ ns, kafkaBrokers: broker.bootstrap, redisUrl: sharedInfra().redisUrl, set: { INGESTER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
    // 10,001 s of event time at 400x: about 25 s of replay, so it is mid-run when the broker goes.
    const ingester = spawnService('ingester', ['replay', '--file', file, '--speed', '400', '--json'], { env, label: 'ingester' });
    await waitUntil('a few thousand ticks on the topic', async () => (await countRecords(kafka, topics.ticks)) >= 2_000, 60_000, 100);

    await broker.stop();
    // Long enough for the replay to accept ticks the broker will never acknowledge.
    await sleep(2_000);
    const exit = await ingester.sigterm(EXIT_BOUND_MS + 20_000);
    expect(exit.code).toBe(3);
    expect(exit.ms).toBeLessThanOrEqual(EXIT_BOUND_MS);

    const report = JSON.parse(ingester.stdout().trim().split('\n').pop()!) as Undelivered;
    console.error(`[kafka-down] exit ${exit.code} after ${exit.ms} ms: ${JSON.stringify(report)}`);
    expect(report.error).toBe('INGESTER_UNDELIVERED');
    expect(report.acknowledged.ticks).toBeGreaterThanOrEqual(2_000);
    expect(report.undelivered.ticks).toBeGreaterThan(0);
    expect(ingester.logs.some((l) => /ticks acknowledged; not acknowledged: \d+ ticks/.test(l.text))).toBe(true);

    await broker.start();
    const ticks = (await readTopic(kafka, topics.ticks, 60_000)).filter((r) => r.key !== WATERMARK_KEY);
    console.error(`[kafka-down] on the topic after restart: ${ticks.length} ticks`);
    // Everything reported as published is there; at most the in-flight batch more, nothing twice.
    expect(ticks.length).toBeGreaterThanOrEqual(report.acknowledged.ticks);
    expect(ticks.length).toBeLessThanOrEqual(report.acknowledged.ticks + report.undelivered.inFlight);
    expect(new Set(ticks.map((r) => r.value)).size).toBe(ticks.length);
    // The resume point: every tick up to it is on the topic (a replay resumes from the next line).
    const resume = report.resumeAfter!;
    expect(resume.origin.file).toBe(file);
    const onTopic = new Set(ticks.map((r) => (JSON.parse(r.value) as { ts: number }).ts));
    const missing = Array.from({ length: resume.origin.line - 1 }, (_, i) => T0 + i * 1_000).filter((ts) => !onTopic.has(ts));
    expect(missing).toEqual([]);
    expect(resume.ts).toBe(T0 + (resume.origin.line - 2) * 1_000);
  }, 120_000);
});
