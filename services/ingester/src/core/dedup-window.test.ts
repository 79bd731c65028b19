import { describe, expect, it } from 'vitest';
import { DedupWindow, TickContentWindow } from './dedup-window.js';

describe('DedupWindow', () => {
  it('reports keys seen within the window and forgets the oldest beyond it', () => {
    const w = new DedupWindow(3);
    expect(['a', 'b', 'a', 'c', 'd'].map((k) => w.seen(k))).toEqual([false, false, true, false, false]);
    // 'a' was evicted by 'd' (capacity 3: b, c, d remain)
    expect(w.seen('a')).toBe(false);
    expect(w.seen('c')).toBe(true);
    expect(w.size).toBe(3);
  });
  it('never holds more than its capacity', () => {
    const w = new DedupWindow(100);
    for (let i = 0; i < 10_000; i++) w.seen(String(i));
    expect(w.size).toBe(100);
  });
  it('rejects a non-positive capacity', () => {
    expect(() => new DedupWindow(0)).toThrow(RangeError);
  });
});

describe('TickContentWindow', () => {
  it('matches identical ticks only, and forgets the oldest beyond capacity', () => {
    const w = new TickContentWindow(3);
    expect(w.seen('A', 1, 10, 5, -1)).toBe(false);
    expect(w.seen('A', 1, 10, 5, -1)).toBe(true);
    expect(w.seen('A', 1, 10, 6, -1)).toBe(false); // other size, same ms
    expect(w.seen('A', 1, 10, 5, 7)).toBe(false); // other sub-ms digits
    expect(w.seen('B', 1, 10, 5, -1)).toBe(false); // evicts the first A
    expect(w.seen('A', 1, 10, 5, -1)).toBe(false);
    expect(w.seen('B', 1, 10, 5, -1)).toBe(true);
  });
  it('agrees with a string-keyed window on a random stream', () => {
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n;
    const a = new TickContentWindow(50), b = new DedupWindow(50);
    for (let i = 0; i < 20_000; i++) {
      const t = ['A', 'B'][rand(2)]!, ts = rand(40), p = rand(3), s = rand(2) - 1;
      expect(a.seen(t, ts, p, s, -1)).toBe(b.seen(`${t}|${ts}|${p}|${s}`));
    }
  });
});
