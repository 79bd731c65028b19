import { describe, expect, it } from 'vitest';
import { formatNewYork, formatNewYorkShort, marketClock } from './market-clock.js';

describe('market clock', () => {
  it.each([
    // asOf (UTC), time, label, detail: what the XNYS calendar says of that instant
    ['2024-03-08T20:59:00.000Z', 'Fri 2024-03-08 15:59 ET', 'Open', 'closes 16:00 ET'],
    ['2024-03-08T21:00:00.000Z', 'Fri 2024-03-08 16:00 ET', 'At the close', 'next open Mon 2024-03-11 09:30 ET'], // EST, then EDT from the 10th
    ['2024-03-11T13:00:00.000Z', 'Mon 2024-03-11 09:00 ET', 'Pre-market', 'closes 16:00 ET'],
    ['2024-03-11T21:30:00.000Z', 'Mon 2024-03-11 17:30 ET', 'Post-market', 'next open Tue 2024-03-12 09:30 ET'],
    ['2024-03-09T15:00:00.000Z', 'Sat 2024-03-09 10:00 ET', 'Closed', 'next open Mon 2024-03-11 09:30 ET'],
    // The day after Thanksgiving closes at 13:00.
    ['2024-11-29T17:00:00.000Z', 'Fri 2024-11-29 12:00 ET', 'Open', 'early close 13:00 ET'],
    ['2024-11-29T18:00:00.000Z', 'Fri 2024-11-29 13:00 ET', 'At the close', 'early close 13:00 ET · next open Mon 2024-12-02 09:30 ET'],
  ])('%s is %s, %s (%s)', (asOf, time, label, detail) => {
    expect(marketClock(asOf)).toMatchObject({ time, label, detail });
  });

  it('says it is waiting before the first snapshot', () => {
    expect(marketClock(null)).toEqual({ time: '—', state: null, label: 'Waiting for data', detail: '' });
  });

  it('formats New York time for chart ticks', () => {
    expect(formatNewYork(Date.parse('2024-07-03T17:00:00Z'))).toBe('Wed 2024-07-03 13:00 ET');
    expect(formatNewYorkShort(Date.parse('2024-07-03T17:00:00Z'), true)).toBe('07-03 13:00');
    expect(formatNewYorkShort(Date.parse('2024-07-03T17:00:00Z'), false)).toBe('13:00');
  });
});
