/**
 * The demo a desk would trust: `pnpm start`, Ctrl-C, `pnpm start` again against the same broker
 * and Redis. Neither the warm-up -> rotation switch nor the restart moves a price (the feed
 * continues the ticks topic's prices), so no critical alert fires in the first market hour after
 * either seam, and no 1d return in any snapshot goes beyond what an ETF does on a bad day. The
 * issue saw SPY +12.48 % over 1d and 14 critical alerts in the first second after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import type { Alert, Snapshot } from '@rotation/schemas';
import { DEMO_DEFAULTS, demoPlan } from '@rotation/infra';
import { freePort } from '../webhooks/receiver.js';
import { processesMentioning, startStack, until, type Run } from './start-support.js';

const XNYS = getCalendar('XNYS');
const HOUR = 3_600_000;
/** Largest |1d| return (percent) of any symbol in any snapshot: about 4.5 sigma of a small-cap ETF's day. */
const MAX_ABS_1D_PCT = 6;

let dataDir = '';
const runs: Run[] = [];

afterAll(async () => {
  for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const pid of await processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the demo across the warm-up switch and a restart', () => {
  it('has no seam: no critical alert in the first market hour after either, no 1d return beyond a bad day', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rotation-start-continuity-'));
    const ports = { GATEWAY_PORT: String(await freePort()), DETECTOR_HTTP_PORT: String(await freePort()), INGESTER_HTTP_PORT: String(await freePort()) };
    const base = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
    const seen: Snapshot[] = [];
    const snapshotPast = async (t: number): Promise<Snapshot | undefined> => {
      const res = await fetch(`${base}/api/v1/snapshot`);
      if (res.status !== 200) return undefined;
      const s = (await res.json()) as Snapshot;
      seen.push(s);
      return s.asOf !== null && Date.parse(s.asOf) >= t ? s : undefined;
    };
    const alerts = async (): Promise<Alert[]> => {
      const out: Alert[] = [];
      for (let since = 0; ; ) {
        const page = ((await (await fetch(`${base}/api/v1/alerts?since=${since}&limit=1000`)).json()) as { alerts: Alert[] }).alerts;
        out.push(...page);
        if (page.length < 1000) return out;
        since = page.at(-1)!.seq!;
      }
    };
    // Market time `ms` of trading after t (the detector's clock runs in sessions).
    const tradingAfter = (t: number, ms: number) => {
      let to = t + ms;
      while (XNYS.tradingMsBetween(t, to) < ms) to += HOUR;
      return to;
    };

    const first = startStack(dataDir, ports);
    runs.push(first);
    const switchAt = demoPlan({ asOfMs: null, speed: DEMO_DEFAULTS.speed, warmupMs: DEMO_DEFAULTS.warmupMs, cycleMs: DEMO_DEFAULTS.cycleMs, seed: DEMO_DEFAULTS.seed }).paced.fromMs;
    await until('the rotation after the warm-up', async () => (first.out().includes('now playing the rotation') ? true : undefined), 200_000, first);
    // A session and a half of the rotation: the switch's first hour is long evaluated.
    await until('a session past the switch', () => snapshotPast(tradingAfter(switchAt, 10 * HOUR)), 120_000, first);
    first.child.kill('SIGINT');
    expect(await first.exited, first.out().slice(-2500)).toBe(0);

    const second = startStack(dataDir, ports);
    runs.push(second);
    await until('the second Ready banner', async () => (second.out().includes('Ready in') ? true : undefined), 150_000, second);
    const restartAt = Date.parse(/continuing the demo after (\S+) /.exec(second.out())![1]!);
    await until('three market hours past the restart', () => snapshotPast(tradingAfter(restartAt, 3 * HOUR)), 120_000, second);
    const all = await alerts();
    second.child.kill('SIGINT');
    expect(await second.exited, second.out().slice(-2500)).toBe(0);

    const afterSeam = (seam: number) => (a: Alert) => {
      const t = Date.parse(a.eventTime);
      return t >= seam && XNYS.tradingMsBetween(seam, t) <= HOUR;
    };
    const criticalAfter = (seam: number) => all.filter((a) => a.severity === 'critical' && afterSeam(seam)(a)).map((a) => `${a.eventTime} ${a.message}`);
    expect(criticalAfter(switchAt)).toEqual([]);
    expect(criticalAfter(restartAt)).toEqual([]);

    const beyond: string[] = [];
    for (const s of seen) {
      for (const [sym, r] of Object.entries(s.returns)) {
        const d = r['1d'];
        if (typeof d === 'number' && Math.abs(d) > MAX_ABS_1D_PCT) beyond.push(`${s.asOf} ${sym} ${d.toFixed(2)} %`);
      }
    }
    const maxAbs1d = Math.max(...seen.flatMap((s) => Object.values(s.returns).map((r) => Math.abs(r['1d'] ?? 0))));
    console.error(`[continuity] ${seen.length} snapshots, max |1d| ${maxAbs1d.toFixed(2)} %, ${all.length} alerts (${all.filter((a) => a.severity === 'critical').length} critical), switch ${new Date(switchAt).toISOString()}, restart ${new Date(restartAt).toISOString()}`);
    expect(seen.length).toBeGreaterThan(5);
    expect(beyond).toEqual([]);
  }, 600_000);
});
