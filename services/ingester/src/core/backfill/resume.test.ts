import { describe, expect, it } from 'vitest';
import { WATERMARK_KEY } from '@rotation/schemas';
import { partitionEnd } from './resume.js';

const STEP = 60_000;
const T = Date.parse('2025-03-11T14:30:00Z');
const tick = (symbol: string, ts: number) => ({ key: symbol, value: JSON.stringify({ v: 1, symbol, price: 560.25, size: 100, ts, source: 'alpaca' }) });
const watermark = (wm: number, final?: true) => ({ key: WATERMARK_KEY, value: JSON.stringify({ v: 1, watermark: wm, source: final ? 'replay' : 'alpaca', ...(final ? { final } : {}) }) });

describe('partitionEnd', () => {
  it('is undefined for an empty partition or one without history', () => {
    expect(partitionEnd([], STEP)).toBeUndefined();
    expect(partitionEnd([{ key: 'SPY', value: null }, { key: 'SPY', value: '{' }], STEP)).toBeUndefined();
  });

  it('is the newest tick event time, whatever the record order', () => {
    expect(partitionEnd([tick('SPY', T + 5_000), tick('IWM', T + 9_000), tick('SPY', T + 1_000)], STEP)).toBe(T + 9_000);
  });

  it('takes a live watermark as it is', () => {
    expect(partitionEnd([tick('SPY', T), watermark(T + 12_345)], STEP)).toBe(T + 12_345);
    expect(partitionEnd([tick('SPY', T + 20_000), watermark(T + 12_345)], STEP)).toBe(T + 20_000);
  });

  it('rounds a final watermark up to the end of its step', () => {
    expect(partitionEnd([watermark(T + 12_345, true)], STEP)).toBe(T + 60_000);
    // Already on a step boundary: unchanged.
    expect(partitionEnd([watermark(T, true)], STEP)).toBe(T);
    // 14:30:00.001 with five-minute steps: the step ending 14:35.
    expect(partitionEnd([watermark(T + 1, true)], 300_000)).toBe(Date.parse('2025-03-11T14:35:00Z'));
  });

  it('passes over cancels, corrections and corporate actions', () => {
    const events = [
      { key: 'SPY', value: JSON.stringify({ v: 1, type: 'cancel', symbol: 'SPY', ts: T + 50_000, id: '1', price: 560, source: 'alpaca' }) },
      { key: 'SPY', value: JSON.stringify({ v: 1, type: 'correction', symbol: 'SPY', ts: T + 51_000, id: '2', price: 560, source: 'alpaca' }) },
      { key: 'NVDA', value: JSON.stringify({ v: 1, type: 'corporate_action', symbol: 'NVDA', ts: T + 52_000, action: 'split', exDate: '2025-03-12' }) },
    ];
    expect(partitionEnd([tick('SPY', T), ...events], STEP)).toBe(T);
    expect(partitionEnd(events, STEP)).toBeUndefined();
  });

  it('ignores bad JSON and records that are not ticks', () => {
    const junk = [
      { key: 'SPY', value: 'not json' },
      { key: 'SPY', value: '42' },
      { key: 'SPY', value: 'null' },
      { key: 'SPY', value: JSON.stringify({ symbol: 'SPY', ts: '2025-03-11T15:00:00Z', price: 1 }) },
      { key: 'SPY', value: JSON.stringify({ symbol: 'SPY', ts: T + 99_000 }) },
      { key: 'SPY', value: '{"symbol":"SPY","ts":1e999,"price":1}' }, // parses as Infinity
      { key: WATERMARK_KEY, value: JSON.stringify({ watermark: String(T + 99_000) }) },
      { key: null, value: JSON.stringify({ watermark: T + 99_000 }) },
    ];
    expect(partitionEnd([...junk, tick('SPY', T)], STEP)).toBe(T);
  });
});
