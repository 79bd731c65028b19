import { describe, expect, it } from 'vitest';
import { Pool } from './pool.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Pool', () => {
  it('runs at most `size` tasks at once, the rest in arrival order', async () => {
    const pool = new Pool(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let peak = 0;
    const runs = gates.map((g, i) =>
      pool.run(async () => {
        started.push(i);
        peak = Math.max(peak, pool.running);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(pool.waiting).toBe(2);
    gates[1]!.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect(pool.running).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const pool = new Pool(1);
    await expect(pool.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await pool.run(() => Promise.resolve(7))).toBe(7);
    expect(pool.running).toBe(0);
  });
});
