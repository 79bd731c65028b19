import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CommitTracker } from './commit-tracker.js';

describe('CommitTracker', () => {
  it('commits only past the longest settled prefix', () => {
    const t = new CommitTracker();
    const a = t.add(0, '10', 2);
    const b = t.add(0, '11', 1);
    const c = t.add(0, '12', 0); // filtered by every sink: done on arrival, still behind a and b
    expect(t.takeCommits()).toEqual([]);
    t.settle(b);
    expect(t.takeCommits()).toEqual([]);
    t.settle(a);
    expect(t.takeCommits()).toEqual([]);
    t.settle(a);
    expect(t.takeCommits()).toEqual([{ partition: 0, offset: '13' }]);
    expect(t.outstanding).toBe(0);
    expect(c.pending).toBe(0);
  });

  it('reports each moved offset once, per partition', () => {
    const t = new CommitTracker();
    const p0 = t.add(0, '5', 1);
    t.add(1, '100', 0);
    expect(t.takeCommits()).toEqual([{ partition: 1, offset: '101' }]);
    expect(t.takeCommits()).toEqual([]);
    t.settle(p0);
    t.settle(p0); // a second settle of a finished token changes nothing
    expect(t.takeCommits()).toEqual([{ partition: 0, offset: '6' }]);
  });

  it('ignores tokens from before a reset', () => {
    const t = new CommitTracker();
    const old = t.add(0, '1', 1);
    t.reset();
    const fresh = t.add(0, '1', 1);
    t.settle(old);
    expect(t.takeCommits()).toEqual([]);
    t.settle(fresh);
    expect(t.takeCommits()).toEqual([{ partition: 0, offset: '2' }]);
  });

  it('whatever the settle order, the commit is the first unsettled offset (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 200 }), fc.integer(), (owed, seed) => {
        const t = new CommitTracker();
        const tokens = owed.map((n, i) => t.add(0, String(i), n));
        const work = tokens.flatMap((tok, i) => Array.from({ length: owed[i]! }, () => tok));
        // A seeded shuffle, then settle a prefix of the work.
        let s = seed >>> 0;
        for (let i = work.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [work[i], work[j]] = [work[j]!, work[i]!];
        }
        const done = work.slice(0, Math.floor(work.length / 2));
        for (const tok of done) t.settle(tok);
        const firstOpen = tokens.findIndex((tok) => tok.pending > 0);
        const commits = t.takeCommits();
        const expected = firstOpen === -1 ? tokens.length : firstOpen;
        if (expected === 0) expect(commits).toEqual([]);
        else expect(commits).toEqual([{ partition: 0, offset: String(expected) }]);
      }),
    );
  });
});
