/**
 * `pnpm start --source replay --file F`: the whole stack fed with the user's own file instead of
 * the demo, in a namespace of its own (`replay`). The seed week (a daily-close tick file of the
 * shipped universe) ends with the 2026-01-22 close and the market note's IWM/SPY 7d figures on
 * the dashboard's API. A second start with the same file and the same data finds the namespace's
 * clock past the file: the replay is refused, nothing is published twice, and the message says
 * how to start over. Ctrl-C ends each run with exit 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '@rotation/schemas';
import { AS_OF, EXPECTED, writeSeedWeekCsv } from '../fixtures/seed-week.js';
import { freePort } from '../webhooks/receiver.js';
import { processesMentioning, startStack, until, type Run } from './start-support.js';

let dataDir = '';
const runs: Run[] = [];

afterAll(async () => {
  for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const pid of await processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('pnpm start --source replay', () => {
  it('replays the file into its own namespace to the last close, and refuses the same file again with the way out', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rotation-start-replay-'));
    const file = await writeSeedWeekCsv(dataDir);
    const ports = { GATEWAY_PORT: String(await freePort()), DETECTOR_HTTP_PORT: String(await freePort()), INGESTER_HTTP_PORT: String(await freePort()) };
    const snapshotAt = async (asOf: string): Promise<Snapshot | undefined> => {
      const res = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/api/v1/snapshot`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as Snapshot;
      return body.asOf === asOf ? body : undefined;
    };

    const first = startStack(dataDir, ports, ['--source', 'replay', '--file', file]);
    runs.push(first);
    await until('the Ready banner', async () => (first.out().includes('Ready in') ? true : undefined), 150_000, first);
    expect(first.out()).toMatch(/Feed {8}replay of .*seed-week\.csv at full speed, namespace "replay"/);
    const snap = await until('the snapshot at the last close of the file', () => snapshotAt(AS_OF), 90_000, first);
    const spread = snap.spreads.find((p) => p.pair === 'IWM/SPY' && p.window === '7d');
    expect(spread?.spreadPp).toBeCloseTo(EXPECTED.iwmSpy7d.spreadPp, 6);
    await until('the end of the replay', async () => (first.out().includes('replay done') ? true : undefined), 60_000, first);
    first.child.kill('SIGINT');
    expect(await first.exited, first.out().slice(-2500)).toBe(0);

    const second = startStack(dataDir, ports, ['--source', 'replay', '--file', file]);
    runs.push(second);
    await until('the refusal', async () => (second.out().includes('the replay was refused') ? true : undefined), 150_000, second);
    expect(second.out()).toMatch(/replay refused: this replay's event time runs from 2026-01-12T\S+ to 2026-01-22T21:00:00\.000Z, but namespace "replay" is at 2026-01-22T21:0\d:00\.000Z/);
    expect(second.out()).toContain(`pnpm start --source replay --fresh --file ${file}`);
    // The stack stays up with what the first run left.
    expect(await snapshotAt(AS_OF)).toBeDefined();
    second.child.kill('SIGINT');
    expect(await second.exited, second.out().slice(-2500)).toBe(0);
    expect(await processesMentioning(dataDir)).toEqual([]);
  }, 480_000);
});
