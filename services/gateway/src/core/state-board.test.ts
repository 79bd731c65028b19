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

  it('splits a snapshot into one valid event per state channel with seq = version', () => {
    const board = new StateBoard('e1');
    board.reset('e1', record(4, 1));
    const out = board.update(record(5, 3.97))!;
    expect(out.map((f) => f.channel)).toEqual(['spreads', 'sectors', 'rrg', 'breadth']);
    const spreads = parse(out[0]!.buf);
    expect(spreads).toMatchObject({ type: 'event', channel: 'spreads', epoch: 'e1', seq: 5, prevSeq: 4 });
    expect(parse(out[3]!.buf)).toMatchObject({ data: { sectorsBeatingBenchmarkPct: 45.5 } });
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
