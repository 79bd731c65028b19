import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { Detector } from './detector.js';
import { compileSettings } from './settings.js';
import { testUniverse } from './test-universe.js';

const XNYS = getCalendar('XNYS');
const settings = compileSettings(testUniverse({}, ['5m', '1d', '7d']));
const SYMBOLS = ['SPY', 'IWM', 'XLE', 'XLK', 'XLU', 'NVDA', 'MSFT', 'RSP'];
const H = 3_600_000;

/**
 * Random tapes over two to six weeks that include weekends, holidays (MLK, Presidents' Day,
 * Good Friday, Thanksgiving, Christmas), half days, daylight-saving weeks and prints at any hour
 * of the day, in event-time order with a little disorder. Whatever the tape, nothing may be
 * decided or stamped outside a regular session.
 */
const START_DAYS = ['2024-01-10', '2024-02-12', '2024-03-06', '2024-03-27', '2024-10-30', '2024-11-25', '2024-12-20', '2025-06-16', '2026-01-14'];

const tape = fc
  .record({
    start: fc.constantFrom(...START_DAYS),
    spanDays: fc.integer({ min: 14, max: 42 }),
    prints: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        symbol: fc.constantFrom(...SYMBOLS),
        move: fc.double({ min: -0.04, max: 0.04, noNaN: true }),
        jitterMs: fc.integer({ min: -20_000, max: 0 }),
      }),
      { minLength: 50, maxLength: 600 },
    ),
  })
  .map(({ start, spanDays, prints }) => {
    const t0 = Date.parse(`${start}T00:00:00Z`);
    const price = new Map(SYMBOLS.map((s) => [s, 100]));
    return prints
      .map((p) => ({ ...p, ts: Math.floor(t0 + p.at * spanDays * 24 * H) }))
      .sort((a, b) => a.ts - b.ts)
      .map((p, i) => {
        const next = Math.max(1, price.get(p.symbol)! * (1 + p.move));
        price.set(p.symbol, next);
        return { symbol: p.symbol, price: Math.round(next * 100) / 100, ts: Math.max(0, p.ts + p.jitterMs), offset: i };
      });
  });

describe('market time (property)', () => {
  it('no alert, bar or snapshot is stamped outside a regular session, on any tape', () => {
    fc.assert(
      fc.property(tape, (ticks) => {
        const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
        let max = 0;
        for (const t of ticks) {
          max = Math.max(max, t.ts);
          d.offer({ lane: 0, offset: String(t.offset), value: JSON.stringify({ v: 1, symbol: t.symbol, price: t.price, ts: t.ts, source: 'replay', sourceMaxTs: max }) });
          if (t.offset % 37 === 0) d.advance();
        }
        d.offer({ lane: 0, offset: String(ticks.length), value: JSON.stringify({ v: 1, watermark: max, source: 'replay', final: true }) });
        d.advance();
        for (const a of d.takeAlerts()) expect(XNYS.phaseAt(Date.parse(a.eventTime))).toBe('regular');
        const snap = d.snapshot();
        if (snap !== null) {
          const asOf = Date.parse(snap.asOf!);
          expect(XNYS.phaseAt(asOf)).toBe('regular');
          expect(XNYS.sessionOn(snap.market!.session)!.close >= asOf).toBe(true);
        }
        // Bars belong to real sessions, strictly increasing, and each was closed by a regular print.
        const { sessions } = d.state.bars;
        for (let i = 1; i < sessions.length; i++) expect(sessions[i]!).toBeGreaterThan(sessions[i - 1]!);
        for (const idx of sessions) {
          const s = XNYS.byIndex(idx)!;
          expect(ticks.some((t) => t.ts > s.open && t.ts <= s.close)).toBe(true);
        }
        // Every print is accounted for exactly once.
        const c = d.state.counters;
        expect(c.accepted + c.extendedHours + c.marketClosed + c.late + c.rejected).toBe(ticks.length);
      }),
      { numRuns: 60, seed: 20260122 },
    );
  });
});
