import { describe, expect, it } from 'vitest';
import { ChannelCursor } from './channel-cursor.js';

const frame = (seq: number) => Buffer.from(`f${seq}`);
const names = (bufs: Buffer[]) => bufs.map((b) => b.toString());

/** Offers `seqs` as live frames and returns the ones that went out at once. */
function offer(cursor: ChannelCursor, seqs: number[]): string[] {
  return seqs.filter((s) => cursor.admit(s, frame(s))).map((s) => `f${s}`);
}

describe('ChannelCursor', () => {
  it.each<[string, number, number[], string[]]>([
    ['sends what is past minSeq, in order', 3, [4, 5, 6], ['f4', 'f5', 'f6']],
    ['skips what the snapshot or replay already sent', 5, [4, 5, 6], ['f6']],
    ['skips a frame that arrives twice', 0, [1, 2, 2, 3], ['f1', 'f2', 'f3']],
    ['skips a late lower seq once a higher one went out', 0, [1, 3, 2], ['f1', 'f3']],
  ])('live after %#: %s', (_name, minSeq, seqs, sent) => {
    const cursor = ChannelCursor.liveAfter(minSeq);
    expect(cursor.holding).toBe(false);
    expect(offer(cursor, seqs)).toEqual(sent);
  });

  it.each<[string, number[], number, string[]]>([
    ['releases what arrived during the replay past its end', [11, 12], 10, ['f11', 'f12']],
    ['drops what the replay already sent (it read them from history too)', [9, 10, 11], 10, ['f11']],
    ['drops a held frame seen twice', [11, 11, 12], 10, ['f11', 'f12']],
    ['releases nothing when nothing was held', [], 10, []],
    ['releases nothing when the replay got past every held frame', [5, 6], 10, []],
  ])('holding: %s', (_name, held, liveAfter, released) => {
    const cursor = ChannelCursor.holding();
    expect(offer(cursor, held)).toEqual([]);
    expect(cursor.holding).toBe(true);
    expect(names(cursor.goLive(liveAfter))).toEqual(released);
    expect(cursor.holding).toBe(false);
  });

  it('after going live it continues from the last frame released', () => {
    const cursor = ChannelCursor.holding();
    offer(cursor, [11, 12]);
    cursor.goLive(10);
    expect(cursor.minSeq).toBe(12);
    expect(offer(cursor, [12, 13])).toEqual(['f13']);
  });
});
