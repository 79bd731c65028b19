import { describe, expect, it } from 'vitest';
import { WATERMARK_KEY } from '@rotation/schemas';
import { resumeFromTails } from './resume.js';

const tick = (symbol: string, ts: number, price: number, extra: Record<string, unknown> = {}) => ({ key: symbol, value: JSON.stringify({ v: 1, symbol, ts, price, size: 1, source: 'synthetic', ...extra }) });

describe('resumeFromTails', () => {
  it("takes each symbol's newest price and the newest tick's time, across partitions", () => {
    const tails = [
      { records: [tick('SPY', 1_000, 590), tick('SPY', 3_000, 591.5), { key: WATERMARK_KEY, value: JSON.stringify({ v: 1, watermark: 9_000, source: 'synthetic', final: true }) }] },
      { records: [tick('IWM', 2_000, 230.25), tick('IWM', 4_000, 229.75)] },
      { records: [] },
    ];
    expect(resumeFromTails(tails)).toEqual({ afterMs: 4_000, prices: { SPY: 591.5, IWM: 229.75 } });
  });

  it('passes over what is not a price: amendments, actions, ineligible prints, garbage', () => {
    const tails = [
      {
        records: [
          tick('SPY', 1_000, 590),
          { key: 'SPY', value: JSON.stringify({ v: 1, type: 'cancel', symbol: 'SPY', ts: 5_000, price: 1, id: 'x' }) },
          tick('SPY', 6_000, 12, { eligibility: { last: false, volume: true, reason: 'odd_lot' } }),
          { key: 'SPY', value: '{not json' },
          { key: 'SPY', value: null },
        ],
      },
    ];
    expect(resumeFromTails(tails)).toEqual({ afterMs: 1_000, prices: { SPY: 590 } });
  });

  it('is undefined for a topic without ticks', () => {
    expect(resumeFromTails([{ records: [{ key: WATERMARK_KEY, value: JSON.stringify({ v: 1, watermark: 1, source: 'replay' }) }] }])).toBeUndefined();
    expect(resumeFromTails([])).toBeUndefined();
  });
});
