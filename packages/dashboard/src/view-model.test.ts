import { describe, expect, it } from 'vitest';
import type { RrgPoint, SectorWindow, SpreadPoint } from '@rotation/schemas';
import { alertRows, breadthModel, defaultWindow, leaderboard, quadrantOf, rrgModel, sortWindows, spreadRows, spreadSeries, windowMs } from './view-model.js';

const sp = (pair: string, window: string, spreadPp: number | null, zScore: number | null = null): SpreadPoint => {
  const [small, large] = pair.split('/') as [string, string];
  return { pair, small, large, window, smallReturnPct: spreadPp === null ? null : 3.25, largeReturnPct: spreadPp === null ? null : -0.72, spreadPp, ratio: 101.5, zScore };
};

describe('windows', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['bogus', Number.MAX_SAFE_INTEGER],
  ])('%s is %d ms', (label, ms) => expect(windowMs(label)).toBe(ms));

  it('sorts by duration and drops duplicates', () => {
    expect(sortWindows(['7d', '5m', '1d', '1h', '5m'])).toEqual(['5m', '1h', '1d', '7d']);
  });

  it('defaults to 1d when configured, else to the shortest window that has a value', () => {
    expect(defaultWindow(['5m', '1h', '1d', '7d'], [sp('IWM/SPY', '5m', 0.5)])).toBe('1d');
    expect(defaultWindow(['5m', '1h'], [sp('IWM/SPY', '5m', null), sp('IWM/SPY', '1h', 0.5)])).toBe('1h');
    expect(defaultWindow(['5m', '1h'], [sp('IWM/SPY', '5m', 0), sp('IWM/SPY', '1h', 0.5)])).toBe('1h');
    expect(defaultWindow(['5m', '1h'], [sp('IWM/SPY', '5m', 0), sp('IWM/SPY', '1h', 0)])).toBe('5m');
    expect(defaultWindow(['5m', '1h'], [])).toBe('5m');
    expect(defaultWindow([], [])).toBeUndefined();
  });
});

describe('spreads', () => {
  it('formats rows with units, signs and a reading in words', () => {
    const [row, warming] = spreadRows([sp('IWM/SPY', '5m', 3.97, 2.4), sp('AI/RSP', '5m', null), sp('IWM/SPY', '1h', 1)], '5m');
    expect(row).toMatchObject({ pair: 'IWM/SPY', spread: '+3.97 pp', small: 'IWM +3.25 %', large: 'SPY -0.72 %', z: 'z +2.40', stretched: true, direction: 'up', arrow: '▲', leader: 'IWM leads' });
    expect(warming).toMatchObject({ spread: '—', leader: 'warming up', stretched: false, direction: 'unknown' });
  });

  it('says which side has no data when only the other has a return (a replay of a few symbols)', () => {
    const oneSided = { ...sp('IJR/SPY', '1d', null), largeReturnPct: 0.4 };
    expect(spreadRows([oneSided], '1d')[0]).toMatchObject({ spread: '—', leader: 'no data for IJR', large: 'SPY +0.40 %' });
    expect(spreadRows([{ ...sp('IWM/QQQ', '1d', null), smallReturnPct: -0.2 }], '1d')[0]?.leader).toBe('no data for QQQ');
  });

  it('builds one series per pair for the window, in the table order, then any other pair', () => {
    const history = { '5m': { 'IJR/SPY': [{ x: 2, y: 0.5 }], 'IWM/SPY': [{ x: 1, y: 1 }, { x: 2, y: -1 }], 'OLD/SPY': [{ x: 1, y: 0 }] }, '1h': { 'IWM/SPY': [{ x: 1, y: 9 }] } };
    expect(spreadSeries(history, '5m', ['IWM/SPY', 'IJR/SPY', 'AI/RSP'])).toEqual([
      { pair: 'IWM/SPY', points: [{ x: 1, y: 1 }, { x: 2, y: -1 }] },
      { pair: 'IJR/SPY', points: [{ x: 2, y: 0.5 }] },
      { pair: 'AI/RSP', points: [] },
      { pair: 'OLD/SPY', points: [{ x: 1, y: 0 }] },
    ]);
    expect(spreadSeries(history, '7d', [])).toEqual([]);
  });
});

describe('leaderboard', () => {
  const w: SectorWindow = {
    window: '1h',
    ranking: [
      { symbol: 'XLE', name: 'Energy', returnPct: -1.5, relativePct: -2, rank: 3 },
      { symbol: 'XLK', name: 'Technology', returnPct: 2.5, relativePct: 2, rank: 1 },
      { symbol: 'XLF', name: 'Financials', returnPct: 0.5, relativePct: 0, rank: 2 },
    ],
    leader: 'XLK',
    laggard: 'XLE',
    rotationIntensity: 0.25,
  };

  it('orders by rank and marks leader and laggard in words, not only colour', () => {
    const board = leaderboard([w], '1h')!;
    expect(board.rows.map((r) => [r.symbol, r.role, r.confirmed, r.relativeText, r.arrow, r.barPct])).toEqual([
      ['XLK', 'leader', null, '+2.00 pp', '▲', 100],
      ['XLF', null, null, '0.00 pp', '■', 0],
      ['XLE', 'laggard', null, '-2.00 pp', '▼', 100],
    ]);
    expect(board.rows[0]?.returnText).toBe('+2.50 %');
    expect(board.intensity).toBe('0.25');
  });

  it('badges sit on rank 1 and the last rank; a confirmed holder elsewhere is marked as such', () => {
    // The 1d leader is decided at session closes: during the session yesterday's leader can
    // be last. It was shown as "★ Leader" on rank 11 of 11.
    const stale: SectorWindow = { ...w, leader: 'XLE', laggard: 'XLF' };
    const board = leaderboard([stale], '1h')!;
    expect(board.rows.map((r) => [r.rank, r.symbol, r.role, r.confirmed])).toEqual([
      [1, 'XLK', 'leader', null],
      [2, 'XLF', null, 'laggard'],
      [3, 'XLE', 'laggard', 'leader'],
    ]);
    expect([board.confirmedLeader, board.confirmedLaggard]).toEqual(['XLE', 'XLF']);
    expect(leaderboard([{ ...w, ranking: [w.ranking[1]!] }], '1h')!.rows.map((r) => r.role)).toEqual(['leader']);
  });

  it('is undefined for a window the detector does not rank', () => {
    expect(leaderboard([w], '7d')).toBeUndefined();
  });
});

describe('rrg', () => {
  it.each([
    [101, 101, 'leading'],
    [101, 99, 'weakening'],
    [99, 99, 'lagging'],
    [99, 101, 'improving'],
  ] as const)('(%d, %d) is %s', (x, y, q) => expect(quadrantOf(x, y)).toBe(q));

  const point = (symbol: string, rsRatio: number | null, rsMomentum: number | null, tail: Array<[number, number]> = []): RrgPoint => ({
    symbol,
    rsRatio,
    rsMomentum,
    quadrant: rsRatio !== null && rsMomentum !== null ? quadrantOf(rsRatio, rsMomentum) : null,
    warm: rsRatio !== null,
    tail: tail.map(([x, y], i) => ({ t: `2024-03-0${i + 1}T00:00:00.000Z`, rsRatio: x, rsMomentum: y })),
  });

  it('splits warm sectors from warming ones, ends each tail at the head, and keeps the axes symmetric', () => {
    const model = rrgModel([point('XLK', 104, 101, [[102, 103], [103, 102]]), point('XLU', null, null)], 8);
    expect(model.warming).toEqual(['XLU']);
    expect(model.series[0]?.tail).toEqual([{ x: 102, y: 103 }, { x: 103, y: 102 }, { x: 104, y: 101 }]);
    expect(model.series[0]?.quadrant).toBe('leading');
    expect(100 - model.bounds.min).toBe(model.bounds.max - 100);
    expect(model.bounds.max).toBeGreaterThan(104);
  });

  it('trims tails to the requested length', () => {
    const tail = Array.from({ length: 12 }, (_, i): [number, number] => [100 + i / 10, 100]);
    expect(rrgModel([point('XLF', 102, 100, tail)], 4).series[0]?.tail).toHaveLength(5);
  });
});

describe('breadth', () => {
  it.each([
    [82, '82 %', 'broad: most sectors beat the benchmark'],
    [50, '50 %', 'mixed'],
    [18.2, '18 %', 'narrow: few sectors beat the benchmark'],
    [null, '—', 'warming up'],
  ])('%s reads %s, %s', (pct, text, reading) => {
    const m = breadthModel({ sectorsBeatingBenchmarkPct: pct, sectorsLeadingOrImprovingPct: 45, constituents: null });
    expect([m.beatingText, m.reading, m.leadingOrImprovingText]).toEqual([text, reading, '45 %']);
  });

  it('shows constituents when the universe has them', () => {
    const m = breadthModel({ sectorsBeatingBenchmarkPct: 50, sectorsLeadingOrImprovingPct: 50, constituents: { advancers: 300, decliners: 200, unchanged: 3, adLine: 1234.4, mcclellan: 12.34 } });
    expect(m.constituents).toEqual({ advancers: 300, decliners: 200, unchanged: 3, adLine: '1234', mcclellan: '+12.3' });
  });
});

describe('alertRows', () => {
  it('gives severity in words and an icon, plus a readable time', () => {
    const [row] = alertRows([{ id: 'a1', kind: 'leadership_change', severity: 'critical', subject: 'XLK', window: '1h', eventTime: '2024-03-08T21:00:00.000Z', message: 'XLE takes the lead', metrics: {} }]);
    expect(row).toMatchObject({ severityLabel: 'Critical', icon: '✖', kind: 'Leadership change', time: '2024-03-08 21:00:00 UTC', window: '1h' });
  });
});
