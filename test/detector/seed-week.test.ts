/**
 * The seed week end to end, as a user would run it: a daily-close file replayed by the
 * ingester into `<ns>.ticks`, the detector with the SHIPPED universe, Redis, and the gateway's
 * `GET /api/v1/snapshot`. At the 2026-01-22 close the snapshot must say what the market note
 * says: IWM +3.25 % vs SPY -0.72 % over 7 calendar days (+3.97 pp), QQQ -1.16 %, and a 1d
 * sector board led by XLB and trailed by XLU. Expected numbers are recomputed from the
 * fixture's rounded prices (test/fixtures/seed-week.ts); a failure lists every figure got.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { inject } from 'vitest';
import { DEFAULT_UNIVERSE_FILE, loadConfig } from '@rotation/config';
import { startDetector, type DetectorHandle } from '@rotation/detector';
import type { RunningGateway } from '@rotation/gateway';
import { sharedKeys } from '@rotation/redis';
import type { Alert, Snapshot } from '@rotation/schemas';
import { Pipeline, ReplaySource } from '@rotation/ingester';
import { AS_OF, CLOSES, EXPECTED, SESSIONS, STATED, UNIVERSE, returnPct, writeSeedWeekCsv } from '../fixtures/seed-week.js';
import { gateway } from '../gateway/support.js';
import { describe, expect, test } from '../support/fixtures.js';

const TOLERANCE = 1e-6;
const SNAPSHOT_TIMEOUT_MS = 90_000;

interface Mismatch {
  what: string;
  got: unknown;
  want: unknown;
}

/** Collects every difference instead of stopping at the first, so one run shows all numbers. */
class Checks {
  readonly mismatches: Mismatch[] = [];

  num(what: string, got: number | null | undefined, want: number): void {
    if (typeof got !== 'number' || !(Math.abs(got - want) <= TOLERANCE)) this.mismatches.push({ what, got: got ?? null, want });
  }

  same(what: string, got: unknown, want: unknown): void {
    if (!isDeepStrictEqual(got, want)) this.mismatches.push({ what, got: got ?? null, want });
  }
}

const round2 = (x: number) => Number(x.toFixed(2));

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // kept as text: the status says what went wrong
  }
  return { status: res.status, body };
}

/**
 * Polls the gateway until its snapshot reaches `asOf` (or passes it), or the time is up.
 * Returns the last answer either way: the assertions then show what the pipeline produced.
 */
async function snapshotAt(gw: RunningGateway, asOf: string, timeoutMs: number): Promise<{ status: number; snapshot: Snapshot | null; waitedMs: number }> {
  const started = Date.now();
  let last: { status: number; snapshot: Snapshot | null } = { status: 0, snapshot: null };
  for (;;) {
    const { status, body } = await getJson(`${gw.url}/api/v1/snapshot`).catch(() => ({ status: 0, body: null }));
    last = { status, snapshot: status === 200 ? (body as Snapshot) : null };
    const got = last.snapshot?.asOf;
    if (got != null && got >= asOf) break;
    if (Date.now() - started > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return { ...last, waitedMs: Date.now() - started };
}

/** Every alert the detector committed, read through the gateway once it has caught up with Redis. */
async function alertsViaGateway(gw: RunningGateway, committed: () => Promise<number>, timeoutMs = 30_000): Promise<{ alerts: Alert[]; committed: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const want = await committed();
    const alerts: Alert[] = [];
    let since = 0;
    for (;;) {
      const { status, body } = await getJson(`${gw.url}/api/v1/alerts?since=${since}&limit=1000`);
      if (status !== 200) throw new Error(`GET /api/v1/alerts?since=${since}: ${status} ${JSON.stringify(body)}`);
      const page = (body as { alerts: Alert[] }).alerts;
      alerts.push(...page);
      if (page.length < 1000) break;
      since = page[page.length - 1]!.seq!;
    }
    if (alerts.length >= want || Date.now() > deadline) return { alerts, committed: want };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Within a regular session of the seed week: 09:30-16:00 New York = 14:30Z-21:00Z in January. */
function inRegularSession(eventTime: string): boolean {
  const date = eventTime.slice(0, 10);
  if (!(SESSIONS as readonly string[]).includes(date)) return false;
  const t = Date.parse(eventTime);
  return t >= Date.parse(`${date}T14:30:00.000Z`) && t <= Date.parse(`${date}T21:00:00.000Z`);
}

describe('the seed week through ingester, Kafka, detector, Redis and gateway', () => {
  test('the fixture states the note: figures from its rounded prices round to the stated ones', () => {
    const e = EXPECTED;
    const near = (got: number, stated: number) => {
      expect(round2(got)).toBe(stated);
      expect(Math.abs(got - stated)).toBeLessThan(0.005);
    };
    near(e.iwmSpy7d.smallReturnPct, STATED.iwm7d);
    near(e.iwmSpy7d.largeReturnPct, STATED.spy7d);
    near(e.iwmSpy7d.spreadPp, STATED.iwmSpySpread7d);
    near(e.qqq7d, STATED.qqq7d);
    for (const [sym, stated] of Object.entries(STATED.sectors1d)) near(e.sectors1d[sym]!, stated);
    const [lo, hi] = STATED.others1dRange;
    for (const sym of ['XLC', 'XLE', 'XLF', 'XLI', 'XLP']) {
      expect(e.sectors1d[sym]).toBeGreaterThan(lo);
      expect(e.sectors1d[sym]).toBeLessThan(hi);
    }
    // The expected values are the hand computation over the rounded prices.
    expect(e.iwmSpy7d.smallReturnPct).toBe((CLOSES.IWM!['2026-01-22'] / CLOSES.IWM!['2026-01-15'] - 1) * 100);
    expect(e.sectors1d.XLB).toBe((CLOSES.XLB!['2026-01-22'] / CLOSES.XLB!['2026-01-21'] - 1) * 100);
    expect(e.ranking1d[0]).toBe('XLB');
    expect(e.ranking1d.at(-1)).toBe('XLU');
    expect([e.leader1d, e.laggard1d]).toEqual(['XLB', 'XLU']);

    // 21 Jan is the rotation day: XLU leads by more than the 1.5 pp margin over every other
    // sector, XLB is weakest; on 22 Jan XLB beats XLU by far more than the margin.
    const on21 = (s: string) => returnPct(s, '2026-01-20', '2026-01-21');
    expect(e.ranking1dOn21Jan[0]).toBe('XLU');
    expect(e.ranking1dOn21Jan.at(-1)).toBe('XLB');
    for (const s of UNIVERSE.sectors) if (s.symbol !== 'XLU') expect(on21('XLU') - on21(s.symbol)).toBeGreaterThan(1.5);
    expect(e.sectors1d.XLB! - e.sectors1d.XLU!).toBeGreaterThan(3);

    // Every symbol of the shipped universe has a close at every session, in cents.
    expect(Object.keys(CLOSES).sort()).toEqual([...UNIVERSE.symbols].sort());
    for (const c of Object.values(CLOSES)) for (const d of SESSIONS) expect(Math.round(c[d] * 100) / 100).toBe(c[d]);
  });

  test('the 2026-01-22 close: 7d spread, QQQ, 1d sector board, market time, alerts in session, nothing warm', { timeout: 180_000 }, async ({ ns, logger, kafka, withTopics, redis }) => {
    await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'seed-week-'));
    const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: '3' });
    // The shipped universe, not a test one.
    expect(config.universeFile).toBe(path.resolve(DEFAULT_UNIVERSE_FILE));
    let det: DetectorHandle | undefined;
    let gw: RunningGateway | undefined;
    try {
      const file = await writeSeedWeekCsv(dir);
      det = await startDetector({ config, logger, httpPort: null });
      await det.joined;
      gw = await gateway(ns, logger);

      const source = new ReplaySource({ files: [file], speed: { kind: 'max' }, logger });
      const summary = await new Pipeline({ env: config.env, universe: config.universe, logger, source, kafka }).run();
      expect(summary).toMatchObject({ read: SESSIONS.length * UNIVERSE.symbols.length, published: SESSIONS.length * UNIVERSE.symbols.length, deadLettered: 0, stopped: false });

      const { status, snapshot, waitedMs } = await snapshotAt(gw, AS_OF, SNAPSHOT_TIMEOUT_MS);
      const alertSeq = async () => Number((await redis.get(sharedKeys(ns).alertSeq)) ?? 0);
      const { alerts, committed } = await alertsViaGateway(gw, alertSeq);

      const c = new Checks();
      c.same('GET /api/v1/snapshot status', status, 200);
      c.same(`snapshot.asOf (waited ${waitedMs} ms)`, snapshot?.asOf, EXPECTED.asOf);
      c.same('snapshot.market.session', snapshot?.market?.session, EXPECTED.session);
      c.same('snapshot.market.atClose', snapshot?.market?.atClose, true);

      const spread = snapshot?.spreads.find((s) => s.pair === 'IWM/SPY' && s.window === '7d');
      c.num('IWM/SPY 7d smallReturnPct (IWM)', spread?.smallReturnPct, EXPECTED.iwmSpy7d.smallReturnPct);
      c.num('IWM/SPY 7d largeReturnPct (SPY)', spread?.largeReturnPct, EXPECTED.iwmSpy7d.largeReturnPct);
      c.num('IWM/SPY 7d spreadPp', spread?.spreadPp, EXPECTED.iwmSpy7d.spreadPp);
      c.num('returns.QQQ.7d', snapshot?.returns.QQQ?.['7d'], EXPECTED.qqq7d);

      const day = snapshot?.sectors.find((s) => s.window === '1d');
      c.same('sectors[1d] ranking order', day?.ranking.map((r) => r.symbol), EXPECTED.ranking1d);
      c.same('sectors[1d] leader', day?.leader, EXPECTED.leader1d);
      c.same('sectors[1d] laggard', day?.laggard, EXPECTED.laggard1d);
      for (const [sym, want] of Object.entries(EXPECTED.sectors1d)) c.num(`sectors[1d] ${sym} returnPct`, day?.ranking.find((r) => r.symbol === sym)?.returnPct, want);

      // Every symbol's 7d (calendar) and 1d (previous session) return at the close.
      for (const sym of UNIVERSE.symbols) {
        c.num(`returns.${sym}.7d`, snapshot?.returns[sym]?.['7d'], EXPECTED.returns7d[sym]!);
        c.num(`returns.${sym}.1d`, snapshot?.returns[sym]?.['1d'], EXPECTED.returns1d[sym]!);
      }

      // Eight session bars: too few for RRG (trend + smoothing bars), Zweig's thrust
      // (withinBars = 10) or a spread z-score (63 bars).
      c.same('rrg sectors', snapshot?.rrg.map((p) => p.symbol).sort(), UNIVERSE.sectors.map((s) => s.symbol).sort());
      const warmRrg = (snapshot?.rrg ?? []).filter((p) => p.warm || p.rsRatio !== null || p.rsMomentum !== null || p.quadrant !== null || p.tail.length > 0);
      c.same('rrg points that are warm or carry values', warmRrg, []);
      c.same('breadth.sectorsLeadingOrImprovingPct', snapshot?.breadth.sectorsLeadingOrImprovingPct, null);
      c.same('spreads with a z-score', (snapshot?.spreads ?? []).filter((s) => s.zScore !== null).map((s) => `${s.pair} ${s.window} ${s.zScore}`), []);
      c.same('breadth_thrust / rrg_quadrant_change alerts', alerts.filter((a) => a.kind === 'breadth_thrust' || a.kind === 'rrg_quadrant_change'), []);

      // Decisions happen in market time: no alert is stamped outside a regular session.
      c.same('alerts read through the gateway vs committed', alerts.length, committed);
      c.same(
        'alerts with an eventTime outside a regular session',
        alerts.filter((a) => !inRegularSession(a.eventTime)).map((a) => `${a.eventTime} ${a.kind} ${a.subject} ${a.window ?? ''}`),
        [],
      );

      expect(c.mismatches, `seed week at ${AS_OF}: ${c.mismatches.length} figure(s) differ from the fixture's (got vs want)`).toEqual([]);
    } finally {
      await gw?.stop();
      await det?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
