/**
 * The ingester's synthetic `choppy` scenario (relative moves mean-revert within hours) must
 * not raise a single leadership change with the shipped universe and defaults, while a real
 * rotation scenario does. Runs the pure core (no broker needed: the question is the
 * analytics' hysteresis, and the replay tests cover the wiring).
 */
import { DEFAULT_UNIVERSE_FILE, loadUniverseFile } from '@rotation/config';
import { Detector, compileSettings } from '@rotation/detector';
import { SyntheticGenerator, type SyntheticTick } from '@rotation/ingester';
import { describe, expect, test } from '../support/fixtures.js';

const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
const settings = compileSettings(universe);
/** One full regular session of trading time: the generator's duration counts trading time only. */
const SESSION_MS = 390 * 60_000;

function alertsFor(scenario: 'choppy' | 'small-cap-rotation', seed: number) {
  // One trading week from the 2024-01-02 open: the horizon of the shipped universe's longest window (7d).
  const g = new SyntheticGenerator({ universe, scenario, seed, startMs: Date.UTC(2024, 0, 2, 14, 30), durationMs: 5 * SESSION_MS, ratePerSec: 1 });
  const d = new Detector({ settings, lanes: [0], topic: 'ticks', now: () => 0 });
  const t: SyntheticTick = { symbol: '', price: 0, size: 0, ts: 0 };
  let i = 0;
  while (g.next(t)) {
    expect(d.offer({ lane: 0, offset: String(i++), value: JSON.stringify({ v: 1, symbol: t.symbol, price: t.price, ts: t.ts, source: 'synthetic' }) })).toBeNull();
    if (i % 10_000 === 0) d.advance();
  }
  d.advance();
  // Every tick was a regular-session print, so each one could move a price.
  expect(d.state.counters).toMatchObject({ accepted: i, extendedHours: 0, marketClosed: 0 });
  return d.takeAlerts();
}

describe('leadership hysteresis on synthetic scenarios', () => {
  test.each([1, 2, 3])('choppy (seed %i) raises no leadership change', { timeout: 120_000 }, (seed) => {
    const changes = alertsFor('choppy', seed).filter((a) => a.kind === 'leadership_change');
    expect(changes.map((a) => a.message)).toEqual([]);
  });

  test('small-cap-rotation does raise leadership changes (the check above is not vacuous)', { timeout: 120_000 }, () => {
    const changes = alertsFor('small-cap-rotation', 2).filter((a) => a.kind === 'leadership_change');
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.some((a) => a.subject === 'XLB' && a.metrics.role === 'leader')).toBe(true);
  });
});
