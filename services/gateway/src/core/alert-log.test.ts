import { describe, expect, it } from 'vitest';
import type { AlertKind } from '@rotation/schemas';
import { AlertLog, type SequencedAlert } from './alert-log.js';
import { testAlert } from './test-alerts.js';

const alert = (seq: number, kind: AlertKind = 'spread_zscore'): SequencedAlert => testAlert(seq, { kind });

describe('AlertLog', () => {
  it('classifies arrivals as duplicate, next or gap', () => {
    const log = new AlertLog(10, 'e1');
    log.reset('e1', [alert(4), alert(5)], 5);
    expect(log.classify(5)).toEqual({ kind: 'duplicate' });
    expect(log.classify(6)).toEqual({ kind: 'next' });
    expect(log.classify(9)).toEqual({ kind: 'gap', from: 6, to: 8 });
  });

  it('encodes each alert once per channel with channel-wide prevSeq', () => {
    const log = new AlertLog(10, 'e1');
    log.append(alert(1, 'spread_zscore'));
    log.append(alert(2, 'breadth_thrust'));
    const third = log.append(alert(3, 'spread_zscore'))!;
    expect(third.frames.map((f) => [f.channel, f.prevSeq])).toEqual([
      ['alerts', 2],
      ['alerts:spread_zscore', 1],
    ]);
    expect(JSON.parse(third.frames[1]!.buf.toString())).toEqual({
      type: 'event',
      channel: 'alerts:spread_zscore',
      epoch: 'e1',
      seq: 3,
      prevSeq: 1,
      data: alert(3),
    });
    expect(log.append(alert(3))).toBeUndefined();
  });

  it('serves since() from a bounded, contiguous ring', () => {
    const log = new AlertLog(4, 'e1');
    for (let s = 1; s <= 20; s++) log.append(alert(s));
    const first = log.firstSeq!;
    expect(first).toBeGreaterThan(1);
    expect(log.since(first)?.map((l) => l.alert.seq)).toEqual(Array.from({ length: 21 - first }, (_, i) => first + i));
    expect(log.since(first - 1)).toBeUndefined();
    expect(log.since(21)).toEqual([]);
  });

  it('restarts the ring after a forced jump so it never hides a gap', () => {
    const log = new AlertLog(10, 'e1');
    log.append(alert(1));
    log.append(alert(2));
    log.append(alert(7));
    expect(log.firstSeq).toBe(7);
    expect(log.since(3)).toBeUndefined();
    expect(log.head).toBe(7);
  });

  it('reset() keeps the tail only when it reaches the head', () => {
    const log = new AlertLog(10, 'e1');
    log.reset('e2', [alert(1), alert(2)], 2);
    expect([log.epoch, log.head, log.firstSeq]).toEqual(['e2', 2, 1]);
    log.reset('e3', [alert(1), alert(2)], 5);
    expect([log.head, log.firstSeq]).toEqual([5, undefined]);
    expect(log.classify(6)).toEqual({ kind: 'next' });
  });

  it('recent() filters by kind channel, oldest first', () => {
    const log = new AlertLog(10, 'e1');
    log.append(alert(1, 'breadth_thrust'));
    log.append(alert(2, 'spread_zscore'));
    log.append(alert(3, 'breadth_thrust'));
    expect(log.recent(5, 'alerts:breadth_thrust').map((a) => a.seq)).toEqual([1, 3]);
    expect(log.recent(2).map((a) => a.seq)).toEqual([2, 3]);
  });
});
