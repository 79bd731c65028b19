import { describe, expect, it } from 'vitest';
import type { Alert, SpreadPoint } from '@rotation/schemas';
import { addSample, alertsReady, applyAlerts, applyState, initialState, LIMITS, mergeAlerts } from './store.js';

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

  it('keeps the latest value and samples spreads over time', () => {
    let s = applyState(initialState(), { channel: 'spreads', value: [spread('IWM/SPY', '5m', 1)] }, 1_000);
    s = applyState(s, { channel: 'spreads', value: [spread('IWM/SPY', '5m', 2)] }, 3_000);
    expect(s.spreads?.[0]?.spreadPp).toBe(2);
    expect(s.spreadHistory.map((x) => [x.t, x.points[0]?.spreadPp])).toEqual([
      [1_000, 1],
      [3_000, 2],
    ]);
    expect(s.lastUpdateMs).toBe(3_000);
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
  it('coalesces samples closer than the sampling interval and keeps the newest', () => {
    let h = addSample([], { t: 0, points: [spread('IWM/SPY', '5m', 1)] });
    h = addSample(h, { t: LIMITS.spreadSampleMs - 1, points: [spread('IWM/SPY', '5m', 2)] });
    h = addSample(h, { t: LIMITS.spreadSampleMs * 2, points: [spread('IWM/SPY', '5m', 3)] });
    expect(h.map((s) => s.points[0]?.spreadPp)).toEqual([2, 3]);
  });

  it('keeps at most LIMITS.spreadSamples samples', () => {
    let h: ReturnType<typeof addSample> = [];
    for (let i = 0; i < LIMITS.spreadSamples + 10; i++) h = addSample(h, { t: i * LIMITS.spreadSampleMs, points: [] });
    expect(h).toHaveLength(LIMITS.spreadSamples);
    expect(h[0]?.t).toBe(10 * LIMITS.spreadSampleMs);
  });
});
