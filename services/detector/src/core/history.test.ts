import { describe, expect, it } from 'vitest';
import type { Snapshot } from '@rotation/schemas';
import { HISTORY_POINTS, HistoryRecorder, historyTracks, RRG_TRACK, rrgEntry, windowEntry } from './history.js';
import { compileSettings } from './settings.js';
import { testUniverse } from './test-universe.js';

const MIN = 60_000;

function snapshot(asOf: string): Snapshot {
  return {
    asOf,
    returns: { IWM: { '5m': 0.1, '1d': 1.2 }, SPY: { '5m': -0.05, '1d': null } },
    spreads: [
      { pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '1d', smallReturnPct: 1.2, largeReturnPct: null, spreadPp: null, ratio: 100.4, zScore: null },
      { pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '5m', smallReturnPct: 0.1, largeReturnPct: -0.05, spreadPp: 0.15, ratio: 100.4, zScore: null },
    ],
    sectors: [
      {
        window: '1d',
        ranking: [
          { symbol: 'XLK', name: 'Technology', returnPct: 2, relativePct: 1, rank: 1 },
          { symbol: 'XLE', name: 'Energy', returnPct: -1, relativePct: null, rank: 2 },
        ],
        leader: 'XLE',
        laggard: 'XLK',
        rotationIntensity: 0.3,
      },
    ],
    rrg: [{ symbol: 'XLK', rsRatio: 101, rsMomentum: 99.5, quadrant: 'weakening', warm: true, tail: [] }],
    breadth: { sectorsBeatingBenchmarkPct: 50, sectorsLeadingOrImprovingPct: null, constituents: null },
  };
}

describe('point history', () => {
  const settings = compileSettings(testUniverse());
  const tracks = historyTracks(settings);
  const byId = new Map(tracks.map((t) => [t.id, t]));

  it.each([
    // window, spacing: one step at least, else a sixtieth of the window's trading time floored to steps
    ['5m', MIN], // 5 s is under a step
    ['1h', MIN],
    ['1d', 6 * MIN], // 390 min / 60 = 6.5 min
    ['7d', 32 * MIN], // 5 sessions: 1,950 min / 60 = 32.5 min
    [RRG_TRACK, 32 * MIN], // the longest window's
  ])('%s is spaced %d ms and keeps %d points', (id, spacing) => {
    expect(byId.get(id)).toEqual({ id, spacingMs: spacing, maxPoints: HISTORY_POINTS });
  });

  it('records a track only once the step is a spacing past its newest point, and holds at most maxPoints', () => {
    const t0 = Date.parse('2024-03-08T15:00:00.000Z');
    const at = (ms: number) => snapshot(new Date(ms).toISOString());
    const rec = new HistoryRecorder(tracks);
    const newest: Record<string, number> = {};
    const step = (ms: number) => {
      const due = rec.due(newest, ms);
      const snap = at(ms);
      if (due.length > 0) rec.record(due, newest, ms, (track) => (track.id === RRG_TRACK ? rrgEntry(snap) : windowEntry(snap, track.id)));
      return due.map((t) => t.id);
    };
    expect(step(t0)).toEqual(['5m', '1h', '1d', '7d', RRG_TRACK]);
    expect(step(t0)).toEqual([]);
    expect(step(t0 + 5 * MIN)).toEqual(['5m', '1h']);
    expect(step(t0 + 6 * MIN)).toEqual(['5m', '1h', '1d']);
    // Event time that went back (a reset namespace): nothing, so stream ids stay increasing.
    expect(step(t0 - 60 * MIN)).toEqual([]);
    expect(newest).toEqual({ '5m': t0 + 6 * MIN, '1h': t0 + 6 * MIN, '1d': t0 + 6 * MIN, '7d': t0, [RRG_TRACK]: t0 });
    const taken = rec.take();
    expect(taken.filter((w) => w.track.id === '5m').map((w) => w.t)).toEqual([t0, t0 + 5 * MIN, t0 + 6 * MIN]);
    expect(taken.find((w) => w.track.id === RRG_TRACK)?.entry).toEqual({ v: 1, t: new Date(t0).toISOString(), rrg: { XLK: { rsRatio: 101, rsMomentum: 99.5, quadrant: 'weakening' } } });
    expect(rec.take()).toEqual([]);
    // A batch of more steps than a track keeps holds only the newest maxPoints.
    for (let i = 1; i <= HISTORY_POINTS + 5; i++) step(t0 + (6 + i) * MIN);
    const fiveMinute = rec.take().filter((w) => w.track.id === '5m');
    expect(fiveMinute).toHaveLength(HISTORY_POINTS);
    expect(fiveMinute[0]!.t).toBe(t0 + 12 * MIN);
  });

  it('a window entry holds exactly the snapshot values of that window', () => {
    const s = snapshot('2024-03-08T15:00:00.000Z');
    expect(windowEntry(s, '1d')).toEqual({
      v: 1,
      t: '2024-03-08T15:00:00.000Z',
      spreads: { 'IWM/SPY': { spreadPp: null, smallReturnPct: 1.2, largeReturnPct: null, ratio: 100.4, zScore: null } },
      returns: { IWM: 1.2, SPY: null },
      ranks: { XLK: { rank: 1, returnPct: 2, relativePct: 1 }, XLE: { rank: 2, returnPct: -1, relativePct: null } },
      leader: 'XLE',
      laggard: 'XLK',
    });
    // A window without sector rankings in the snapshot: no ranks, no leader.
    expect(windowEntry(s, '5m')).toMatchObject({ ranks: {}, leader: null, laggard: null, returns: { IWM: 0.1, SPY: -0.05 } });
  });
});
