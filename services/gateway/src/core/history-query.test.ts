import { describe, expect, it } from 'vitest';
import type { RuleCatalog } from '@rotation/schemas';
import { historyPage, historyRange, parseHistoryQuery, type HistoryEntryRaw } from './history-query.js';

const catalog: RuleCatalog = {
  symbols: ['IWM', 'SPY', 'XLK', 'XLE'],
  baskets: ['AI'],
  pairs: ['IWM/SPY'],
  sectors: ['XLK', 'XLE'],
  windows: [
    { label: '5m', kind: 'intraday' },
    { label: '7d', kind: 'calendar' },
  ],
};

const ok = (search: string) => {
  const r = parseHistoryQuery(search, catalog);
  if (!r.ok) throw new Error(r.error);
  return r.query;
};

describe('history query', () => {
  it('takes ISO or epoch-ms times, a limit and a cursor', () => {
    expect(ok('?series=spread&pair=IWM/SPY&window=7d&from=2024-03-01T00:00:00Z&to=1709935200000&limit=20&cursor=1709931600000-0')).toEqual({
      series: 'spread',
      pair: 'IWM/SPY',
      window: '7d',
      from: Date.parse('2024-03-01T00:00:00Z'),
      to: 1709935200000,
      limit: 20,
      cursor: '1709931600000-0',
    });
    expect(ok('series=rrg&symbol=XLK')).toEqual({ series: 'rrg', symbol: 'XLK' });
    expect(ok('series=return&symbol=AI&window=5m&token=abc')).toMatchObject({ series: 'return', symbol: 'AI' });
  });

  it.each([
    ['series=spread&window=7d', 'pair: series=spread needs pair='],
    ['series=spread&pair=IWM/SPY', 'window: series=spread needs window='],
    ['series=spread&pair=IWM/SPY&symbol=XLK&window=7d', 'symbol: series=spread takes pair=, not symbol='],
    ['series=rrg&symbol=XLK&window=7d', 'window: series=rrg has no window'],
    ['series=price&symbol=XLK&window=7d', 'series:'],
    ['series=spread&pair=IWM/QQQ&window=7d', 'pair: IWM/QQQ is not a configured pair (IWM/SPY)'],
    ['series=spread&pair=IWM/SPY&window=1h', 'window: 1h is not a configured window (5m, 7d)'],
    ['series=rank&symbol=IWM&window=7d', 'symbol: IWM is not a sector of the universe (XLK, XLE)'],
    ['series=return&symbol=QQQ&window=7d', 'symbol: QQQ is not a symbol or basket of the universe'],
    ['series=return&symbol=IWM&window=7d&limit=0', 'limit:'],
    ['series=return&symbol=IWM&window=7d&limit=2001', 'limit:'],
    ['series=return&symbol=IWM&window=7d&limit=ten', 'limit: limit must be an integer from 1 to 2000'],
    ['series=return&symbol=IWM&window=7d&from=yesterday', 'from:'],
    ['series=return&symbol=IWM&window=7d&from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z', 'from: from must not be after to'],
    ['series=return&symbol=IWM&window=7d&cursor=abc', 'cursor: cursor must be the next value of a previous page'],
    ['series=return&symbol=IWM&window=7d&sort=desc', 'unknown parameter(s): sort'],
    ['series=return&symbol=IWM&window=7d&window=5m', 'window is given more than once'],
    [`series=return&symbol=IWM&window=7d&token=${'x'.repeat(3000)}`, 'the query string is over 2048 bytes'],
  ])('refuses %s', (search, message) => {
    const r = parseHistoryQuery(search, catalog);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('maps the query to XRANGE bounds: cursor exclusive, to inclusive, one entry more than the page', () => {
    expect(historyRange(ok('series=rrg&symbol=XLK'))).toEqual({ start: '-', end: '+', count: 501, limit: 500 });
    expect(historyRange(ok('series=rrg&symbol=XLK&from=1000&to=2000&limit=3'))).toEqual({ start: '1000', end: '2000', count: 4, limit: 3 });
    expect(historyRange(ok('series=rrg&symbol=XLK&from=1000&cursor=1500-0&limit=3'))).toEqual({ start: '(1500-0', end: '+', count: 4, limit: 3 });
  });
});

describe('history page', () => {
  const entry = (ms: number, spreadPp: number | null): HistoryEntryRaw => [
    `${ms}-0`,
    JSON.stringify({
      v: 1,
      t: new Date(ms).toISOString(),
      spreads: { 'IWM/SPY': { spreadPp, smallReturnPct: 1, largeReturnPct: 0.5, ratio: 100.5, zScore: null } },
      returns: { IWM: 1, SPY: null },
      ranks: { XLK: { rank: 1, returnPct: 2, relativePct: 1.5 }, XLE: { rank: 2, returnPct: -1, relativePct: -1.5 } },
      leader: 'XLK',
      laggard: 'XLE',
    }),
  ];

  it('projects the subject, keeps stream order and gives the next cursor only when more follow', () => {
    const entries = [entry(1000, 0.5), entry(2000, null), entry(3000, 0.7)];
    const first = historyPage(ok('series=spread&pair=IWM/SPY&window=7d&limit=2'), entries, 2);
    expect(first.page).toEqual({
      series: 'spread',
      subject: 'IWM/SPY',
      window: '7d',
      points: [
        { t: new Date(1000).toISOString(), spreadPp: 0.5, smallReturnPct: 1, largeReturnPct: 0.5, ratio: 100.5, zScore: null },
        { t: new Date(2000).toISOString(), spreadPp: null, smallReturnPct: 1, largeReturnPct: 0.5, ratio: 100.5, zScore: null },
      ],
      next: '2000-0',
    });
    expect(historyPage(ok('series=spread&pair=IWM/SPY&window=7d&limit=3'), entries, 3).page.next).toBeNull();
    expect(historyPage(ok('series=return&symbol=SPY&window=7d'), entries, 500).page.points.map((p) => p)).toEqual([1000, 2000, 3000].map((ms) => ({ t: new Date(ms).toISOString(), returnPct: null })));
    expect(historyPage(ok('series=rank&symbol=XLE&window=7d'), entries.slice(0, 1), 500).page.points).toEqual([{ t: new Date(1000).toISOString(), rank: 2, returnPct: -1, relativePct: -1.5, leader: false, laggard: true }]);
  });

  it('skips entries that do not parse and counts them', () => {
    const r = historyPage(ok('series=spread&pair=IWM/SPY&window=7d'), [['1-0', '{'], ['2-0', '{"v":2}'], entry(3000, 1)], 500);
    expect(r.skipped).toBe(2);
    expect(r.page.points).toHaveLength(1);
  });
});
