/**
 * Three months of synthetic sessions at the generator's realistic daily volatility through the
 * pure core with the shipped universe and defaults: how many regime, leadership and RRG alerts a
 * month, and no flapping. A flap is a change undone within FLAP_BARS sessions on weak evidence:
 * a size regime returning to the one it left, or a role handed back to the holder it was taken
 * from by less than twice the window's margin (the detector's return threshold).
 * (Runs the core only: the question is the analytics' hysteresis; replay.test.ts covers wiring.)
 */
import { getCalendar } from '@rotation/calendar';
import { DEFAULT_UNIVERSE_FILE, loadUniverseFile } from '@rotation/config';
import { Detector, compileSettings } from '@rotation/detector';
import type { Alert } from '@rotation/schemas';
import { SyntheticGenerator, type SyntheticTick } from '@rotation/ingester';
import { describe, expect, test } from '../support/fixtures.js';

const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
const settings = compileSettings(universe);
const XNYS = getCalendar('XNYS');
const FLAP_BARS = 5;
const SESSION_MS = 390 * 60_000;
const SESSIONS = 63; // one quarter

type Scenario = 'choppy' | 'small-cap-rotation' | 'large-cap-melt-up';

function run(scenario: Scenario, seed: number): Array<Omit<Alert, 'seq'>> {
  const startMs = XNYS.sessionOn('2024-01-02')!.open;
  const g = new SyntheticGenerator({ universe, scenario, seed, startMs, durationMs: SESSIONS * SESSION_MS, ratePerSec: 0.05 });
  const d = new Detector({ settings, lanes: [0], topic: 'ticks', now: () => 0 });
  const t: SyntheticTick = { symbol: '', price: 0, size: 0, ts: 0 };
  let i = 0;
  let max = 0;
  while (g.next(t)) {
    max = Math.max(max, t.ts);
    const value = JSON.stringify({ v: 1, symbol: t.symbol, price: t.price, ts: t.ts, source: 'synthetic', sourceMaxTs: max });
    expect(d.offer({ lane: 0, offset: String(i++), value })).toBeNull();
    if (i % 5_000 === 0) d.advance();
  }
  d.offer({ lane: 0, offset: String(i), value: JSON.stringify({ v: 1, watermark: max, source: 'synthetic', final: true }) });
  d.advance();
  return d.takeAlerts();
}

/** The leadership margin of a window: marginPp * sqrt(window in sessions) (docs/analytics.md). */
function marginOf(window: string): number {
  const w = settings.windows.find((x) => x.label === window)!;
  return settings.leadership.marginPp * Math.sqrt(w.sessionLength);
}

/** Changes undone within FLAP_BARS sessions on weak evidence, per alert kind. */
function flaps(alerts: ReadonlyArray<Omit<Alert, 'seq'>>): string[] {
  const sessionOf = (a: { eventTime: string }) => XNYS.sessionAtOrBefore(Date.parse(a.eventTime))!.index;
  const out: string[] = [];
  const byKey = new Map<string, Array<Omit<Alert, 'seq'>>>();
  for (const a of alerts) {
    if (a.kind !== 'leadership_change' && a.kind !== 'size_regime_change') continue;
    const key = `${a.kind}|${a.kind === 'leadership_change' ? String(a.metrics.role) : a.subject}|${a.window}`;
    byKey.set(key, [...(byKey.get(key) ?? []), a]);
  }
  for (const [key, list] of byKey) {
    for (let j = 1; j < list.length; j++) {
      const prev = list[j - 1]!;
      const cur = list[j]!;
      const undone = cur.metrics.to === prev.metrics.from;
      const weak = cur.kind === 'size_regime_change' || Math.abs(Number(cur.metrics.returnPct) - Number(cur.metrics.previousReturnPct)) < 2 * marginOf(cur.window!);
      if (undone && weak && sessionOf(cur) - sessionOf(prev) < FLAP_BARS) out.push(`${key}: ${prev.eventTime} ${String(prev.metrics.from)}->${String(prev.metrics.to)}, back at ${cur.eventTime}`);
    }
  }
  return out;
}

function perMonth(alerts: ReadonlyArray<Omit<Alert, 'seq'>>): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const a of alerts) {
    const month = a.eventTime.slice(0, 7);
    const row = (table[month] ??= {});
    row[a.kind] = (row[a.kind] ?? 0) + 1;
  }
  return table;
}

describe('alert rates over a synthetic quarter (shipped defaults)', () => {
  test.each<[Scenario, number]>([
    ['choppy', 1],
    ['choppy', 2],
    ['small-cap-rotation', 2],
    ['large-cap-melt-up', 3],
  ])('%s (seed %i): every alert inside a session, none undone within 5 sessions', { timeout: 120_000 }, (scenario, seed) => {
    const alerts = run(scenario, seed);
    console.log(`[alert-rates] ${scenario} seed ${seed}: ${JSON.stringify(perMonth(alerts))}`);
    for (const a of alerts) expect(XNYS.phaseAt(Date.parse(a.eventTime))).toBe('regular');
    expect(flaps(alerts)).toEqual([]);
    if (scenario === 'choppy') {
      // Nothing persists in choppy: no size regime is ever declared.
      expect(alerts.filter((a) => a.kind === 'size_regime_change')).toEqual([]);
    } else {
      // The check above is not vacuous: real rotations are reported.
      const want = scenario === 'small-cap-rotation' ? 'small' : 'large';
      expect(alerts.some((a) => a.kind === 'size_regime_change' && a.metrics.to === want)).toBe(true);
      expect(alerts.some((a) => a.kind === 'leadership_change')).toBe(true);
    }
  });
});
