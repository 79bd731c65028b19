import { describe, expect, it } from 'vitest';
import { Mulberry32 } from './prng.js';

describe('Mulberry32', () => {
  it('matches the reference sequence for seed 1', () => {
    // Reference values of the published mulberry32 for seed 1 (a = 1; t = a += 0x6D2B79F5 ...).
    const r = new Mulberry32(1);
    expect([r.next(), r.next(), r.next()].map((x) => Math.round(x * 4294967296))).toEqual([2693262067, 11749833, 2265367787]);
  });
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Mulberry32(42), b = new Mulberry32(42), c = new Mulberry32(43);
    const sa = Array.from({ length: 5 }, () => a.normal());
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.normal())).not.toEqual(sa);
  });
  it('gives standard normals (mean ~0, variance ~1 over 100k draws)', () => {
    const r = new Mulberry32(7);
    let s = 0, s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });
});
