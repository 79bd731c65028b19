import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('is clean when the work ends first, and leaves no timer behind', async () => {
    const started = Date.now();
    expect(await withDeadline(Promise.resolve(), 60_000)).toBe('clean');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('is deadline when the work never ends', async () => {
    expect(await withDeadline(new Promise(() => undefined), 20)).toBe('deadline');
  });

  it('passes a failure of the work on', async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
  });
});
