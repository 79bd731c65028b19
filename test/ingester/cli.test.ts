import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childEnv } from '@rotation/config';
import type { Kafka } from '@rotation/kafka';
import { describe, expect, test } from '../support/fixtures.js';
import { FIXTURES, MAIN, readDeadLetters, readTicks, readTicksTopic } from './support.js';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function ingest(args: string[], env: Record<string, string | undefined>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: path.resolve(path.dirname(MAIN), '../../..'),
    env: childEnv({ LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function topicCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } catch {
    return 0; // not created yet
  } finally {
    await admin.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const base = (ns: string, brokers: string[]) => ({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: brokers.join(','), KAFKA_TICKS_PARTITIONS: '3', INGESTER_HTTP_PORT: '0' });

describe('pnpm ingest (child process)', () => {
  test('replay --json prints one JSON summary on stdout and publishes what it counts', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const run = ingest(['replay', '--file', path.join(FIXTURES, 'malformed.csv'), '--file', path.join(FIXTURES, 'ticks.csv'), '--json'], base(ns, env.KAFKA_BROKERS));
    expect(await run.exit).toBe(0);
    const summary = JSON.parse(run.stdout()) as Record<string, unknown>;
    expect(summary).toMatchObject({ source: 'replay', read: 17, published: 9, deadLettered: 7, duplicates: 1, stopped: false, deadLettersByReason: { invalid_tick: 4, parse_error: 2, unknown_symbol: 1 } });
    expect(summary.durationMs).toEqual(expect.any(Number));
    expect(await readTicks(kafka, topics.ticks)).toHaveLength(9);
    // The end-of-stream watermark (one per partition) was on the broker before the process exited.
    expect(await topicCount(kafka, topics.ticks)).toBe(9 + 3);
    expect(run.stderr()).toContain('end of stream watermark 2024-01-02T15:30:08.000Z to 3 partitions');
    expect(await readDeadLetters(kafka, topics.ticksDlq)).toHaveLength(7);
    // Logs went to stderr as JSON lines, with a summary line among them.
    expect(run.stderr()).toContain('"msg":"ingest finished"');
  });

  test('SIGTERM mid-replay stops reading, flushes, exits 0, and everything counted as published is on the topic', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-sigterm-'));
    try {
      const file = path.join(dir, 'long.csv');
      const t0 = Date.parse('2024-01-02T15:30:00Z');
      await writeFile(file, ['ts,symbol,price,size', ...Array.from({ length: 20_000 }, (_, i) => `${t0 + i},${i % 2 ? 'IWM' : 'SPY'},${100 + i / 100},1`)].join('\n'));
      // 1 ms of event time per record at half speed: ~40 s in all, so the signal lands mid-run.
      // Watermarks every 100 ms: 200 ticks paced at 2 ms each take 400 ms, so some go out before the signal.
      const run = ingest(['replay', '--file', file, '--speed', '0.5', '--json'], { ...base(ns, env.KAFKA_BROKERS), INGESTER_WATERMARK_MS: '100' });
      // Ticks, not records: the paced replay's progress watermarks are on the topic too (a count of
      // records passed 200 with exactly 200 ticks published).
      await until('first ticks on the topic', async () => (await readTicks(kafka, topics.ticks)).length > 200);
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      const summary = JSON.parse(run.stdout()) as { published: number; stopped: boolean };
      expect(summary.stopped).toBe(true);
      expect(summary.published).toBeGreaterThan(200);
      expect(summary.published).toBeLessThan(20_000);
      // Stopped early, the source did not end: no end-of-stream watermark. Being paced, it sent
      // its progress as watermarks meanwhile (to every partition), none of them final.
      const onTopic = await readTicksTopic(kafka, topics.ticks);
      expect(onTopic.watermarks.length).toBeGreaterThan(0);
      expect(onTopic.watermarks.length % 3).toBe(0);
      expect(onTopic.watermarks.filter((w) => w.value.final)).toEqual([]);
      // Each progress watermark is at most the newest event time published before it.
      for (const w of onTopic.watermarks) expect(w.value.watermark).toBeLessThanOrEqual(t0 + summary.published - 1);
      const ticks = await readTicks(kafka, topics.ticks);
      expect(ticks).toHaveLength(summary.published);
      // What was published is a prefix of the input in event time: nothing skipped before the stop.
      expect(ticks.map((r) => r.value.ts).sort((a, b) => a - b)).toEqual(Array.from({ length: summary.published }, (_, i) => t0 + i));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('synthetic --loop serves /healthz, /readyz and /metrics, and stops cleanly on SIGINT', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const port = await freePort();
    const run = ingest(['synthetic', '--scenario', 'choppy', '--seed', '3', '--duration', '1h', '--rate', '25', '--speed', '60', '--loop', '--json'], { ...base(ns, env.KAFKA_BROKERS), INGESTER_HTTP_PORT: String(port) });
    await until('the metrics endpoint to count published ticks', async () => {
      const body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      return /^ingester_ticks_published_total [1-9]/m.test(body);
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // Not a live feed: ready as soon as it publishes.
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^ingester_producer_buffered_bytes \d+/m);
    // Process metrics under the names every service uses.
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);
    expect(metrics).not.toMatch(/^ingester_process_/m);
    expect(metrics).toMatch(/^ingester_duplicates_total 0/m);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    const summary = JSON.parse(run.stdout()) as { published: number; stopped: boolean; source: string };
    expect(summary).toMatchObject({ source: 'synthetic', stopped: true });
    expect(await topicCount(kafka, topics.ticks)).toBe(summary.published);
  });

  test('an unreachable broker is a fatal error: exit 1 and a one-line message', async ({ ns }) => {
    const run = ingest(['replay', '--file', path.join(FIXTURES, 'ticks.csv'), '--json'], { ...base(ns, ['127.0.0.1:1']), LOG_LEVEL: 'silent' });
    expect(await run.exit).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr().trim()).toMatch(/^ingester: Kafka at 127\.0\.0\.1:1 is not reachable .*pnpm infra:up/);
    expect(run.stderr().trim().split('\n')).toHaveLength(1);
  });

  test('with KAFKA_BROKERS unset it finds the broker of a running `pnpm start` through its infra.env, and says so', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-infra-env-'));
    try {
      // What infra:up / pnpm start write (infra/local/src/state.ts).
      const file = path.join(dir, 'infra.env');
      await writeFile(file, `KAFKA_BROKERS=${env.KAFKA_BROKERS.join(',')}\nREDIS_URL=${env.REDIS_URL}\n`);
      const run = ingest(['replay', '--file', path.join(FIXTURES, 'ticks.csv'), '--json'], { ...base(ns, []), KAFKA_BROKERS: undefined, REDIS_URL: undefined, ROTATION_INFRA_ENV_FILE: file });
      expect(await run.exit).toBe(0);
      expect(JSON.parse(run.stdout())).toMatchObject({ source: 'replay', published: 6 });
      expect(await readTicks(kafka, topics.ticks)).toHaveLength(6);
      expect(run.stderr()).toContain(`using the local stack of ${file} (KAFKA_BROKERS=${env.KAFKA_BROKERS.join(',')}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a replay far from the namespace clock is refused with both times and the options; --namespace and --force go ahead', { timeout: 180_000 }, async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const other = `${ns}-own`;
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-replay-clock-'));
    try {
      // The namespace is in June 2024 after a first replay.
      const june = path.join(dir, 'june.csv');
      await writeFile(june, ['ts,symbol,price,size', ...['IWM', 'SPY', 'QQQ'].map((s, i) => `2024-06-10T14:00:0${i}Z,${s},${100 + i},10`)].join('\n'));
      expect(await ingest(['replay', '--file', june, '--json'], base(ns, env.KAFKA_BROKERS)).exit).toBe(0);
      const before = await topicCount(kafka, topics.ticks);

      // January 2024 (the fixture) is behind it: refused, nothing published.
      const january = path.join(FIXTURES, 'ticks.csv');
      const refused = ingest(['replay', '--file', january, '--json'], base(ns, env.KAFKA_BROKERS));
      expect(await refused.exit).toBe(2);
      const message = refused.stderr().trim().split('\n').pop()!;
      expect(message).toMatch(/^ingester: replay refused: this replay's event time runs from 2024-01-02T\S+ to 2024-01-02T\S+, but namespace "[^"]+" is at 2024-06-10T14:0\d:00\.000Z/);
      expect(message).toContain('--namespace replay-2024-01');
      expect(message).toContain('--force');
      expect(await topicCount(kafka, topics.ticks)).toBe(before);

      // Two years ahead is refused too: the namespace's own feed would be late after it.
      const ahead = path.join(dir, 'ahead.csv');
      await writeFile(ahead, 'ts,symbol,price,size\n2026-06-10T14:00:00Z,SPY,500,10\n');
      const far = ingest(['replay', '--file', ahead], base(ns, env.KAFKA_BROKERS));
      expect(await far.exit).toBe(2);
      expect(far.stderr()).toMatch(/replay refused: .* days after where namespace/);
      expect(await topicCount(kafka, topics.ticks)).toBe(before);

      // Into a namespace of its own it goes through; with --force into this one as well.
      const own = ingest(['replay', '--file', january, '--namespace', other, '--json'], base(ns, env.KAFKA_BROKERS));
      expect(await own.exit).toBe(0);
      expect(await readTicks(kafka, `${other}.ticks`)).toHaveLength(6);
      const forced = ingest(['replay', '--file', january, '--force', '--json'], base(ns, env.KAFKA_BROKERS));
      expect(await forced.exit).toBe(0);
      expect(JSON.parse(forced.stdout())).toMatchObject({ published: 6 });
      expect(forced.stderr()).toContain('--force: publishing anyway (replay refused');
    } finally {
      await rm(dir, { recursive: true, force: true });
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${other}.`));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  test('usage errors exit 2 before touching Kafka', async ({ ns, env }) => {
    const run = ingest(['replay', '--file', path.join(FIXTURES, 'ticks.csv'), '--speed', 'warp'], base(ns, env.KAFKA_BROKERS));
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain("option '--speed <speed>' argument 'warp' is invalid");
  });
});
