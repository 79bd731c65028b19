/**
 * What the container images run, run here without Docker: the esbuild bundles of the three
 * services (infra/local/src/bundle.ts, the Dockerfile's build step) started with plain `node`
 * from a directory that holds nothing else (no node_modules, no tsx, no sources), against the
 * real broker and Redis. The gateway serves the dashboard built into the bundle, both services
 * become ready, a bundled synthetic run is consumed and committed, SIGTERM stops each with exit 0,
 * and the image's HEALTHCHECK script answers for a running service.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { childEnv } from '@rotation/config';
import { bundleServices } from '@rotation/infra';
import { describe, expect, test } from '../support/fixtures.js';
import { freePort } from '../webhooks/receiver.js';

let dir = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bundle-'));
  await bundleServices(dir);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function run(service: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, [path.join(dir, 'services', service, 'dist', 'main.js'), ...args], {
    cwd: dir,
    // Only what a container would have: the test runner's loader and settings stay out.
    env: childEnv({ ...env, SERVICE: service }, ['NODE_OPTIONS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'ROTATION_UNIVERSE_FILE', 'GATEWAY_STATIC_DIR']),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { child, out: () => text, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(what: string, probe: () => Promise<boolean>, s: Started, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (s.child.exitCode !== null) throw new Error(`exited (${s.child.exitCode}) while waiting for ${what}:\n${s.out().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${s.out().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the service bundles (what the images run)', () => {
  test('hold no node_modules and no TypeScript', () => {
    expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
    const ts = spawnSync('find', [dir, '-name', '*.ts', '-o', '-name', 'node_modules'], { encoding: 'utf8' }).stdout.trim();
    expect(ts).toBe('');
  });

  test('detector, gateway and a synthetic run: ready, dashboard served, ticks committed, SIGTERM exits 0', { timeout: 180_000 }, async ({ ns, withTopics, redis }) => {
    await withTopics();
    const [gatewayPort, detectorPort] = [await freePort(), await freePort()];
    const env = {
      ROTATION_NAMESPACE: ns,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      REDIS_URL: inject('redisUrl'),
      KAFKA_TICKS_PARTITIONS: '3',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(gatewayPort),
      DETECTOR_HTTP_PORT: String(detectorPort),
      INGESTER_HTTP_PORT: '0',
    };
    const detector = run('detector', [], env);
    const gateway = run('gateway', [], env);
    await until('detector /readyz 200', async () => (await fetch(`http://127.0.0.1:${detectorPort}/readyz`)).status === 200, detector, 90_000);
    await until('gateway /readyz 200', async () => (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).status === 200, gateway, 90_000);
    const page = await fetch(`http://127.0.0.1:${gatewayPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script');
    expect((await fetch(`http://127.0.0.1:${gatewayPort}/app.js`)).status).toBe(200);

    const health = spawnSync(process.execPath, [path.join(dir, 'healthcheck.mjs')], { env: { ...childEnv(), SERVICE: 'gateway', GATEWAY_PORT: String(gatewayPort) } });
    expect(health.status).toBe(0);
    const down = spawnSync(process.execPath, [path.join(dir, 'healthcheck.mjs')], { env: { ...childEnv(), SERVICE: 'detector', DETECTOR_HTTP_PORT: String(await freePort()) } });
    expect(down.status).toBe(1);

    const ingest = run('ingester', ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '5', '--duration', '2h', '--rate', '5', '--json'], env);
    expect(await ingest.exited).toBe(0);
    const summary = JSON.parse(ingest.out().trim().split('\n').pop()!) as { published: number };
    expect(summary.published).toBeGreaterThan(1_000);
    await until(
      'the detector to commit every tick',
      async () => Object.values(await redis.hgetall(`${ns}:detector:offsets`)).reduce((n, o) => n + Number(o), 0) >= summary.published,
      detector,
      90_000,
    );
    detector.child.kill('SIGTERM');
    gateway.child.kill('SIGTERM');
    expect(await detector.exited).toBe(0);
    expect(await gateway.exited).toBe(0);
  });
});
