import { describe, expect, it } from 'vitest';
import { OwnerRateLimit } from './owner-rate.js';

describe('OwnerRateLimit', () => {
  it('gives each owner its own burst and rate', () => {
    const l = new OwnerRateLimit(2, 3);
    const takes = (owner: string, now: number, n: number) => Array.from({ length: n }, () => l.take(owner, now));
    expect(takes('alice', 0, 4)).toEqual([true, true, true, false]);
    expect(takes('bob', 0, 3)).toEqual([true, true, true]);
    // Half a second at 2/s is one more token.
    expect(takes('alice', 500, 2)).toEqual([true, false]);
  });

  it('keeps at most maxOwners buckets', () => {
    const l = new OwnerRateLimit(1, 1, 2);
    expect([l.take('a', 0), l.take('b', 0), l.take('c', 0)]).toEqual([true, true, true]);
    // 'a' was dropped: a fresh bucket, full again.
    expect(l.take('a', 0)).toBe(true);
    expect(l.take('c', 0)).toBe(false);
  });
});
