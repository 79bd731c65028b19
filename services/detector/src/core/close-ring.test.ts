import { describe, expect, it } from 'vitest';
import { CloseRing } from './close-ring.js';

describe('CloseRing', () => {
  it('keeps the last `length` closes and forgets older ones', () => {
    const r = new CloseRing(3);
    [10, 11, 12, 13].forEach((p, i) => r.push(100 + i, p));
    expect([r.at(100), r.at(101), r.at(102), r.at(103), r.at(104)]).toEqual([NaN, 11, 12, 13, NaN]);
    expect(r.values()).toEqual([11, 12, 13]);
    expect(r.latest()).toBe(13);
  });

  it('rejects a gap, because every step must be finalized in order', () => {
    const r = new CloseRing(3);
    r.push(1, 1);
    expect(() => r.push(3, 1)).toThrow(/does not follow/);
  });

  it('restores exactly what it persisted', () => {
    const r = new CloseRing(4);
    [1, NaN, 3, 4, 5].forEach((p, i) => r.push(7 + i, p));
    const back = CloseRing.restore(4, r.lastStep, r.values());
    expect(back.values()).toEqual(r.values());
    expect(back.at(9)).toBe(3);
    back.push(12, 6);
    expect(back.values()).toEqual([3, 4, 5, 6]);
  });
});
