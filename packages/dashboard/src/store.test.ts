import { describe, expect, it } from 'vitest';
import type { Alert, SpreadPoint } from '@rotation/schemas';
import { addPoints, alertsReady, applyAlerts, applyState, initialState, LIMITS, mergeAlerts } from './store.js';

const spread = (pair: string, window: string, spreadPp: number | null): SpreadPoint => {
  const [small, large] = pair.split('/') as [string, string];
  return { pair, small, large, window, smallReturnPct: spreadPp, largeReturnPct: 0, spreadPp, ratio: 100, zScore: null };
};

const alert = (id: string, seq: number, eventTime = '2024-03-08T21:00:00.000Z'): Alert => ({
  id,
  seq,
  kind: 'size_regime_change',
  severity: 'warning',
  subject: 'IWM/SPY',
  window: '5m',
  eventTime,
  message: `alert ${id}`,
  metrics: {},
});

describe('state channels', () => {
  it('starts every panel as loading (null), not empty', () => {
    const s = initialState();
    expect([s.spreads, s.sectors, s.rrg, s.breadth, s.alerts]).toEqual([null, null, null, null, null]);
  });

  it('keeps the latest value and charts spreads at their event time, not the time received', () => {
    const t1 = '2024-03-08T15:00:00.000Z';
    const t2 = '2024-03-08T15:01:00.000Z';
    let s = applyState(initialState(), { channel: 'spreads', value: [spread('IWM/SPY', '5m', 1), spread('IJR/SPY', '5m', null)] }, 1_000, t1);
    s = applyState(s, { channel: 'spreads', value: [spread('IWM/SPY', '5m', 2)] }, 3_000, t2);
    expect(s.spreads?.[0]?.spreadPp).toBe(2);
    expect(s.spreadHistory).toEqual({ '5m': { 'IWM/SPY': [{ x: Date.parse(t1), y: 1 }, { x: Date.parse(t2), y: 2 }] } });
    expect(s.lastUpdateMs).toBe(3_000);
    expect(s.asOf).toBe(t2);
    // An older frame (another channel behind) does not move the market clock back.
    expect(applyState(s, { channel: 'rrg', value: [] }, 4_000, t1).asOf).toBe(t2);
    // Without an event time the value is shown but not charted.
    expect(applyState(s, { channel: 'spreads', value: [spread('IWM/SPY', '5m', 5)] }, 5_000).spreadHistory).toBe(s.spreadHistory);
  });

  it('sets each channel independently', () => {
    let s = applyState(initialState(), { channel: 'breadth', value: { sectorsBeatingBenchmarkPct: 40, sectorsLeadingOrImprovingPct: 50, constituents: null } }, 5);
    s = applyState(s, { channel: 'rrg', value: [] }, 6);
    expect(s.breadth?.sectorsBeatingBenchmarkPct).toBe(40);
    expect(s.rrg).toEqual([]);
    expect(s.sectors).toBeNull();
  });
});

describe('alerts', () => {
  it('turns "loading" into "none yet" once subscribed, and never wipes alerts', () => {
    const ready = alertsReady(initialState());
    expect(ready.alerts).toEqual([]);
    const withOne = applyAlerts(ready, [alert('a1', 1)], 10);
    expect(alertsReady(withOne).alerts).toHaveLength(1);
  });

  it('merges history and live alerts newest first, once per id', () => {
    let s = applyAlerts(initialState(), [alert('a1', 1), alert('a2', 2)], 10);
    s = applyAlerts(s, [alert('a2', 2)], 11);
    s = applyAlerts(s, [alert('a3', 3)], 12);
    expect(s.alerts?.map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
  });

  it('dedups alerts by id, newest seq first, capped', () => {
    const many = Array.from({ length: LIMITS.alerts + 5 }, (_, i) => alert(`a${i + 1}`, i + 1));
    const merged = mergeAlerts(many.slice(0, 3), many);
    expect(merged).toHaveLength(LIMITS.alerts);
    expect(merged[0]?.id).toBe(`a${LIMITS.alerts + 5}`);
  });

  it('orders alerts without seq by event time', () => {
    const a = { ...alert('old', 1, '2024-03-08T20:00:00.000Z'), seq: undefined };
    const b = { ...alert('new', 1, '2024-03-08T21:00:00.000Z'), seq: undefined };
    expect(mergeAlerts([a], [b]).map((x) => x.id)).toEqual(['new', 'old']);
  });
});

describe('spread history', () => {
  const at = (x: number, y: number, pair = 'IWM/SPY', window = '1d') => ({ window, pair, point: { x, y } });

  it('merges history pages and live values in event-time order, one point per instant', () => {
    let h = addPoints({}, [at(3, 30), at(1, 10)]);
    h = addPoints(h, [at(2, 20), at(3, 31), at(1, 5, 'IJR/SPY')]);
    expect(h).toEqual({ '1d': { 'IWM/SPY': [{ x: 1, y: 10 }, { x: 2, y: 20 }, { x: 3, y: 31 }], 'IJR/SPY': [{ x: 1, y: 5 }] } });
    expect(addPoints(h, [])).toBe(h);
  });

  it('keeps at most LIMITS.chartPoints per series, dropping the oldest', () => {
    const h = addPoints({}, Array.from({ length: LIMITS.chartPoints + 10 }, (_, i) => at(i, i)));
    expect(h['1d']!['IWM/SPY']).toHaveLength(LIMITS.chartPoints);
    expect(h['1d']!['IWM/SPY']![0]).toEqual({ x: 10, y: 10 });
  });
});
