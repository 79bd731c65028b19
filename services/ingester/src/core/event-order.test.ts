import { describe, expect, it } from 'vitest';
import { compareRecords, decodeRecord, encodeRecord, mergeSortedRuns, type SortRecord } from './event-order.js';

const rec = (ts: number, file: number, seq: number, tsNanos = 0): SortRecord => ({ ts, tsNanos, file, seq, line: seq, raw: { symbol: 'A', price: 1, ts }, text: `${file}:${seq}` });

describe('event order', () => {
  it('round-trips the spill encoding', () => {
    const r = rec(5, 1, 2, 7);
    expect(decodeRecord(encodeRecord(r))).toEqual(r);
    const noLine = { ts: 1, tsNanos: 0, file: 0, seq: 3, raw: { symbol: 'A', price: '1', ts: '1' }, text: 'x' };
    expect(decodeRecord(encodeRecord(noLine))).toEqual(noLine);
  });

  it('merges sorted runs into one total order, ties by nanos, file, then position', async () => {
    const runs = [
      [rec(1, 0, 1), rec(3, 0, 2), rec(3, 0, 5)],
      [rec(2, 1, 1), rec(3, 1, 2, 1), rec(9, 1, 3)],
      [],
      [rec(0, 2, 4), rec(3, 0, 3)],
    ];
    const out: string[] = [];
    for await (const r of mergeSortedRuns(runs)) out.push(r.text);
    expect(out).toEqual(['2:4', '0:1', '1:1', '0:2', '0:3', '0:5', '1:2', '1:3']);
  });

  it('equals a full stable sort for random inputs split into sorted runs', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const all = Array.from({ length: 500 }, (_, i) => rec(Math.floor(rand() * 50), Math.floor(rand() * 3), i));
    const runs: SortRecord[][] = [];
    for (let i = 0; i < all.length; i += 64) runs.push(all.slice(i, i + 64).sort(compareRecords));
    const merged: SortRecord[] = [];
    for await (const r of mergeSortedRuns(runs)) merged.push(r);
    expect(merged).toEqual([...all].sort(compareRecords));
  });
});
