import { describe, expect, it } from 'vitest';
import type { Channel } from '@rotation/schemas';
import { judgeEvent, planSubscribe, type Cursor } from './cursors.js';

describe('judgeEvent', () => {
  const at = (seq: number, epoch = 'e1'): Cursor => ({ epoch, seq });
  it.each([
    ['first event on a channel', undefined, { epoch: 'e1', seq: 9, prevSeq: 4 }, { kind: 'apply' }],
    ['next in line', at(4), { epoch: 'e1', seq: 5, prevSeq: 4 }, { kind: 'apply' }],
    ['next of a per-kind channel (seq skips other kinds)', at(4), { epoch: 'e1', seq: 9, prevSeq: 4 }, { kind: 'apply' }],
    ['replayed again', at(5), { epoch: 'e1', seq: 5, prevSeq: 4 }, { kind: 'duplicate' }],
    ['older than the cursor', at(5), { epoch: 'e1', seq: 3, prevSeq: 2 }, { kind: 'duplicate' }],
    ['prevSeq past the cursor', at(4), { epoch: 'e1', seq: 7, prevSeq: 6 }, { kind: 'gap', expectedPrevSeq: 4 }],
    ['another epoch', at(40), { epoch: 'e2', seq: 1, prevSeq: 0 }, { kind: 'epoch_changed', previous: 'e1' }],
  ] as const)('%s', (_name, cursor, event, verdict) => {
    expect(judgeEvent(cursor, event)).toEqual(verdict);
  });
});

describe('planSubscribe', () => {
  it('resumes alert channels from their cursors with the epoch and never resumes state channels', () => {
    const cursors = new Map<Channel, Cursor>([
      ['alerts', { epoch: 'e1', seq: 41 }],
      ['alerts:spread_zscore', { epoch: 'e1', seq: 39 }],
      ['spreads', { epoch: 'e1', seq: 812 }],
    ]);
    expect(planSubscribe(['alerts', 'alerts:spread_zscore', 'spreads', 'sectors'], cursors)).toEqual([
      { channels: ['alerts', 'alerts:spread_zscore'], resume: { alerts: 41, 'alerts:spread_zscore': 39 }, epoch: 'e1' },
      { channels: ['spreads', 'sectors'] },
    ]);
  });

  it('splits channels whose cursors belong to different epochs, since a command carries one epoch', () => {
    const cursors = new Map<Channel, Cursor>([
      ['alerts', { epoch: 'e2', seq: 3 }],
      ['alerts:breadth_thrust', { epoch: 'e1', seq: 90 }],
    ]);
    expect(planSubscribe(['alerts', 'alerts:breadth_thrust'], cursors)).toEqual([
      { channels: ['alerts'], resume: { alerts: 3 }, epoch: 'e2' },
      { channels: ['alerts:breadth_thrust'], resume: { 'alerts:breadth_thrust': 90 }, epoch: 'e1' },
    ]);
  });

  it('returns nothing for no channels and removes duplicates', () => {
    expect(planSubscribe([], new Map())).toEqual([]);
    expect(planSubscribe(['rrg', 'rrg'], new Map())).toEqual([{ channels: ['rrg'] }]);
  });
});
