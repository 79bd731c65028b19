import { describe, expect, it } from 'vitest';
import { Channel, type SectorWindow, type SpreadPoint } from '@rotation/schemas';
import { about, rrgAbout, scopeOf, sectorsAbout, spreadsAbout } from './subjects.js';

describe('subject channels', () => {
  it.each([
    ['alerts@IWM/SPY', { base: 'alerts', subject: 'IWM/SPY' }],
    ['alerts:rrg_quadrant_change@XLK', { base: 'alerts:rrg_quadrant_change', subject: 'XLK' }],
    ['spreads@AI/RSP', { base: 'spreads', subject: 'AI/RSP' }],
    ['alerts', undefined],
    ['spreads', undefined],
  ] as const)('%s', (channel, expected) => {
    expect(scopeOf(Channel.parse(channel))).toEqual(expected);
  });

  it.each(['alerts:mine@XLK', 'alerts:rules@XLK', 'breadth@XLK', 'alerts@', 'alerts@IWM/SPY/QQQ', 'alerts@X Y', `alerts@${'A'.repeat(17)}`])('%s is not a channel', (name) => {
    expect(Channel.safeParse(name).success).toBe(false);
  });

  it.each([
    ['IWM/SPY', 'IWM/SPY', true],
    ['SPY', 'IWM/SPY', true],
    ['SPY', 'SPY', true],
    ['IWM/SPY', 'SPY', false],
    ['IWM/SPY', 'QQQ/SPY', false],
    ['XLK', 'XLKX', false],
    ['XL', 'XLK', false],
  ])('%s is about %s: %s', (subject, name, expected) => {
    expect(about(subject, name)).toBe(expected);
  });
});

describe('state rows about a subject', () => {
  const spread = (pair: string): SpreadPoint => {
    const [small, large] = pair.split('/') as [string, string];
    return { pair, small, large, window: '1d', smallReturnPct: 1, largeReturnPct: 0.5, spreadPp: 0.5, ratio: 100, zScore: null };
  };
  const spreads = [spread('IWM/SPY'), spread('QQQ/SPY'), spread('IJR/DIA'), spread('AI/RSP')];

  it('a pair keeps its own rows, a symbol every pair it is a side of', () => {
    expect(spreadsAbout('IWM/SPY', spreads).map((r) => r.pair)).toEqual(['IWM/SPY']);
    expect(spreadsAbout('SPY', spreads).map((r) => r.pair)).toEqual(['IWM/SPY', 'QQQ/SPY']);
    expect(spreadsAbout('XLK', spreads)).toEqual([]);
  });

  it('sectors keep each window with the subject\'s entry only; rrg the subject\'s point', () => {
    const w: SectorWindow = {
      window: '1d',
      ranking: [
        { symbol: 'XLK', name: 'Technology', returnPct: 2, relativePct: 1, rank: 1 },
        { symbol: 'XLU', name: 'Utilities', returnPct: -1, relativePct: -2, rank: 2 },
      ],
      leader: 'XLK',
      laggard: 'XLU',
      rotationIntensity: 0.3,
    };
    expect(sectorsAbout('XLU', [w])).toEqual([{ ...w, ranking: [w.ranking[1]] }]);
    const rrg = [{ symbol: 'XLK', rsRatio: 101, rsMomentum: 100, quadrant: 'leading' as const, warm: true, tail: [] }];
    expect(rrgAbout('XLK', rrg)).toEqual(rrg);
    expect(rrgAbout('XLU', rrg)).toEqual([]);
  });
});
