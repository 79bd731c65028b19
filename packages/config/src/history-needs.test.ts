import { describe, expect, it } from 'vitest';
import { historyNeed } from './history-needs.js';
import { DetectorSettings } from './universe.js';

const detector = DetectorSettings.parse({});

describe('historyNeed', () => {
  it('is driven by the z-score of the longest calendar window on the default settings', () => {
    const need = historyNeed({ windows: ['5m', '1h', '1d', '7d'], detector, constituents: [] });
    // 63 closes of the 7d spread, each reaching 7 calendar days back, and a spare bar.
    expect(need).toEqual({ bars: 64, calendarDays: 7, intradayMs: 3_600_000, drivenBy: '7d spread z-score (63 bars)' });
  });

  it('follows the RRG warm-up when it is the longest, weekly bars counting five sessions each', () => {
    const weekly = DetectorSettings.parse({ rrg: { bars: 'week' }, spreadZScore: { lookbackBars: 5 } });
    const need = historyNeed({ windows: ['1d'], detector: weekly, constituents: [] });
    expect(need.bars).toBe((14 + 20) * 5 + 5 + 1);
    expect(need.drivenBy).toMatch(/^RRG/);
  });

  it('counts sessions windows as bars and an intraday-only universe still warms the daily measures', () => {
    const need = historyNeed({ windows: ['30m', '5sess'], detector: DetectorSettings.parse({ spreadZScore: { lookbackBars: 10 } }), constituents: [] });
    expect(need.intradayMs).toBe(1_800_000);
    // RRG (34 bars) beats 5 + 10 bars of the 5-session z-score.
    expect(need.bars).toBe(35);
    expect(need.calendarDays).toBe(0);
  });

  it('adds the advance/decline EMA only when there are constituents', () => {
    const d = DetectorSettings.parse({ rrg: { trend: 2, smoothing: 1 }, spreadZScore: { lookbackBars: 5 } });
    expect(historyNeed({ windows: ['1d'], detector: d, constituents: [] }).bars).toBe(12);
    expect(historyNeed({ windows: ['1d'], detector: d, constituents: ['AAPL'] }).bars).toBe(41);
  });
});
