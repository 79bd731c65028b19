import { describe, expect, it } from 'vitest';
import { usMarketCloseUtc } from './market-close.js';

describe('usMarketCloseUtc', () => {
  it.each<[string, string | undefined]>([
    ['2024-01-02', '2024-01-02T21:00:00.000Z'], // EST
    ['2024-07-01', '2024-07-01T20:00:00.000Z'], // EDT
    ['2024-03-10', '2024-03-10T20:00:00.000Z'], // DST starts at 02:00 that day
    ['2024-03-08', '2024-03-08T21:00:00.000Z'],
    ['2024-11-03', '2024-11-03T21:00:00.000Z'], // DST ends at 02:00 that day
    ['2024-11-01', '2024-11-01T20:00:00.000Z'],
    ['2006-04-01', '2006-04-01T21:00:00.000Z'], // before 2007 DST began in April
    ['2024-02-30', undefined],
    ['2024-1-02', undefined],
    ['02/01/2024', undefined],
  ])('%s closes at %s', (date, iso) => {
    const ts = usMarketCloseUtc(date);
    expect(ts === undefined ? undefined : new Date(ts).toISOString()).toBe(iso);
  });
});
