/**
 * `pnpm start` end to end, as a user runs it: its own Kafka and Redis (in a temporary data
 * directory, so nothing shared is touched), the detector, the gateway and the demo feed. The
 * snapshot API fills with spreads; Ctrl-C (SIGINT) stops everything it started, exit 0, with no
 * process left behind; a second start finds the data of the first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../webhooks/receiver.js';
import { alive, processesMentioning, startStack as startIn, until, type Run } from './start-support.js';

let dataDir = '';
const runs: Run[] = [];

afterAll(async () => {
  for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  // Belt and braces: nothing that names the data directory may outlive the test.
  for (const pid of await processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function startStack(env: Record<string, string>): Run {
  const run = startIn(dataDir, env);
  runs.push(run);
  return run;
}

interface SnapshotSeen {
  version: number;
  spreads: unknown[];
}

describe('pnpm start', () => {
  it('brings the stack up with data flowing, stops it all on Ctrl-C, and keeps the data for the next start', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rotation-start-'));
    const ports = { GATEWAY_PORT: String(await freePort()), DETECTOR_HTTP_PORT: String(await freePort()), INGESTER_HTTP_PORT: String(await freePort()) };
    const api = `http://127.0.0.1:${ports.GATEWAY_PORT}/api/v1/snapshot`;
    // The body is the Snapshot itself; its version travels in a header.
    const snapshot = async (): Promise<SnapshotSeen | undefined> => {
      const res = await fetch(api);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { spreads?: unknown[] };
      const version = Number(res.headers.get('x-snapshot-version'));
      return (body.spreads?.length ?? 0) > 0 ? { version, spreads: body.spreads! } : undefined;
    };

    const first = startStack(ports);
    await until('the Ready banner', async () => (first.out().includes('Ready in') ? true : undefined), 150_000, first);
    expect(first.out()).toContain(`Dashboard   http://localhost:${ports.GATEWAY_PORT}/`);
    // "Ready" is printed once the gateway serves a snapshot, not when its port opens.
    expect(first.out()).toContain('waiting for the first snapshot');
    expect(first.out()).not.toContain('no snapshot yet');
    expect((await fetch(api)).status).toBe(200);
    const filled = await until('spreads in the snapshot', snapshot, 90_000, first);
    expect(filled.version).toBeGreaterThan(0);
    const dashboard = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<script');

    const launched = await processesMentioning(dataDir);
    expect(launched.length).toBeGreaterThan(0); // the broker and Redis run from the data directory
    first.child.kill('SIGINT');
    expect(await first.exited, first.out().slice(-2500)).toBe(0);
    const stopped = [...first.out().matchAll(/stopped \w+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    // feed, detector, gateway, kafka, redis
    expect(stopped.length).toBeGreaterThanOrEqual(5);
    expect(stopped.filter(alive)).toEqual([]);
    expect(await processesMentioning(dataDir)).toEqual([]);

    // The second start continues from what the first left in the data directory.
    const second = startStack(ports);
    await until('the second Ready banner', async () => (second.out().includes('Ready in') ? true : undefined), 150_000, second);
    expect(second.out()).toMatch(/continuing the demo after \d{4}-/);
    const again = await until('the stored snapshot', snapshot, 30_000, second);
    expect(again.version).toBeGreaterThanOrEqual(filled.version);
    second.child.kill('SIGINT');
    expect(await second.exited, second.out().slice(-2500)).toBe(0);
    expect(await processesMentioning(dataDir)).toEqual([]);
  }, 420_000);
});
