import { describe, expect, it } from 'vitest';
import type { Snapshot } from '@rotation/schemas';
import { HISTORY_POINTS, historyTracks, historyWrites, RRG_TRACK, windowEntry } from './history.js';
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

  it('records a track only once the snapshot is a spacing past its newest point', () => {
    const t0 = Date.parse('2024-03-08T15:00:00.000Z');
    const at = (ms: number) => snapshot(new Date(ms).toISOString());
    expect(historyWrites(tracks, new Map(), at(t0), 7).map((w) => w.track.id)).toEqual(['5m', '1h', '1d', '7d', RRG_TRACK]);
    const last = new Map(tracks.map((t) => [t.id, t0]));
    expect(historyWrites(tracks, last, at(t0), 8)).toEqual([]);
    expect(historyWrites(tracks, last, at(t0 + 5 * MIN), 8).map((w) => w.track.id)).toEqual(['5m', '1h']);
    expect(historyWrites(tracks, last, at(t0 + 6 * MIN), 8).map((w) => w.track.id)).toEqual(['5m', '1h', '1d']);
    // Event time that went back (a reset namespace): nothing, so stream ids stay increasing.
    expect(historyWrites(tracks, last, at(t0 - 60 * MIN), 8)).toEqual([]);
    expect(historyWrites(tracks, new Map(), { ...at(t0), asOf: null }, 8)).toEqual([]);
  });

  it('a window entry holds exactly the snapshot values of that window', () => {
    const s = snapshot('2024-03-08T15:00:00.000Z');
    expect(windowEntry(s, 9, '1d')).toEqual({
      v: 1,
      t: '2024-03-08T15:00:00.000Z',
      version: 9,
      spreads: { 'IWM/SPY': { spreadPp: null, smallReturnPct: 1.2, largeReturnPct: null, ratio: 100.4, zScore: null } },
      returns: { IWM: 1.2, SPY: null },
      ranks: { XLK: { rank: 1, returnPct: 2, relativePct: 1 }, XLE: { rank: 2, returnPct: -1, relativePct: null } },
      leader: 'XLE',
      laggard: 'XLK',
    });
    // A window without sector rankings in the snapshot: no ranks, no leader.
    expect(windowEntry(s, 9, '5m')).toMatchObject({ ranks: {}, leader: null, laggard: null, returns: { IWM: 0.1, SPY: -0.05 } });
  });
});
