import { describe, expect, it } from 'vitest';
import { ServerMessage, type SnapshotRecord } from '@rotation/schemas';
import { StateBoard } from './state-board.js';

const record = (version: number, pp: number): SnapshotRecord => ({
  v: 1,
  version,
  snapshot: {
    asOf: '2024-03-08T21:00:00.000Z',
    returns: { IWM: { '7d': 3.25 } },
    spreads: [{ pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '7d', smallReturnPct: 3.25, largeReturnPct: -0.72, spreadPp: pp, ratio: 101.2, zScore: null }],
    sectors: [],
    rrg: [],
    breadth: { sectorsBeatingBenchmarkPct: 45.5, sectorsLeadingOrImprovingPct: null, constituents: null },
  },
});
const parse = (b: Buffer) => ServerMessage.parse(JSON.parse(b.toString()));

describe('StateBoard', () => {
  it('sends an empty, valid snapshot before any state exists', () => {
    const board = new StateBoard('e1');
    expect(parse(board.snapshotFrame('breadth'))).toMatchObject({ type: 'snapshot', channel: 'breadth', seq: 0 });
    expect(parse(board.snapshotFrame('spreads'))).toMatchObject({ data: [] });
  });

  it('sends an event, with seq = version, only for the channels whose value changed', () => {
    const board = new StateBoard('e1');
    board.reset('e1', record(4, 1));
    const out = board.update(record(5, 3.97))!;
    // Only the spread moved: sectors, rrg and breadth are the same as in version 4.
    expect(out.map((f) => f.channel)).toEqual(['spreads']);
    const spreads = parse(out[0]!.buf);
    expect(spreads).toMatchObject({ type: 'event', channel: 'spreads', epoch: 'e1', seq: 5, prevSeq: 4, asOf: '2024-03-08T21:00:00.000Z' });
    expect(spreads).toMatchObject({ data: [{ pair: 'IWM/SPY', spreadPp: 3.97 }] });
  });

  it('chains prevSeq per channel: the version of the channel\'s previous event', () => {
    const board = new StateBoard('e1');
    board.reset('e1', record(4, 1));
    expect(board.update(record(5, 1))).toEqual([]);
    const moved = { ...record(6, 1), snapshot: { ...record(6, 1).snapshot, breadth: { sectorsBeatingBenchmarkPct: 60, sectorsLeadingOrImprovingPct: null, constituents: null } } };
    const out = board.update(moved)!;
    expect(out.map((f) => f.channel)).toEqual(['breadth']);
    expect(parse(out[0]!.buf)).toMatchObject({ channel: 'breadth', seq: 6, prevSeq: 4, data: { sectorsBeatingBenchmarkPct: 60 } });
    expect(parse(board.update(record(7, 2))![0]!.buf)).toMatchObject({ channel: 'spreads', seq: 7, prevSeq: 4 });
  });

  it('a subject-scoped channel: an event when its rows changed, none when only others did', () => {
    const board = new StateBoard('e1');
    board.reset('e1', record(1, 1));
    board.update(record(2, 2));
    const first = board.scopedEventFrame('spreads@IWM');
    expect(first && parse(first)).toMatchObject({ channel: 'spreads@IWM', seq: 2, data: [{ spreadPp: 2 }] });
    expect(board.scopedEventFrame('spreads@IWM')).toBe(first);
    board.update(record(3, 2));
    expect(board.scopedEventFrame('spreads@IWM')).toBeUndefined();
    board.update(record(4, 5));
    expect(parse(board.scopedEventFrame('spreads@IWM')!)).toMatchObject({ seq: 4, prevSeq: 2, data: [{ spreadPp: 5 }] });
  });

  it('ignores stale versions and re-encodes the snapshot frame once per version', () => {
    const board = new StateBoard('e1');
    board.update(record(2, 1));
    expect(board.update(record(2, 9))).toBeUndefined();
    expect(board.update(record(1, 9))).toBeUndefined();
    const a = board.snapshotFrame('spreads');
    expect(board.snapshotFrame('spreads')).toBe(a);
    board.update(record(3, 2));
    expect(parse(board.snapshotFrame('spreads'))).toMatchObject({ seq: 3 });
  });
});
