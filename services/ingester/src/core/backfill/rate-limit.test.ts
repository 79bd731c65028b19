import { describe, expect, it } from 'vitest';
import { RequestRateLimiter } from './rate-limit.js';

/** Sends a request whenever the limiter allows, advancing a fake clock by the wait; the send times. */
function sendTimes(limiter: RequestRateLimiter, count: number, start = 1_000_000): number[] {
  let now = start;
  const sent: number[] = [];
  for (let i = 0; i < count; i++) {
    now += limiter.delay(now);
    limiter.take(now);
    sent.push(now - start);
  }
  return sent;
}

describe('RequestRateLimiter', () => {
  it('lets a burst of N go at once, then waits until the oldest request is 60 s old', () => {
    const l = new RequestRateLimiter(3);
    const t0 = 5_000_000;
    for (const t of [t0, t0 + 10_000, t0 + 20_000]) {
      expect(l.delay(t)).toBe(0);
      l.take(t);
    }
    expect(l.delay(t0 + 30_000)).toBe(30_000);
    expect(l.delay(t0 + 59_999)).toBe(1);
    // At exactly 60 s the oldest has left the window.
    expect(l.delay(t0 + 60_000)).toBe(0);
    l.take(t0 + 60_000);
    // Now the oldest in the window is t0 + 10 s.
    expect(l.delay(t0 + 60_000)).toBe(10_000);
  });

  it('settles at the limit after the burst: Polygon free plan, 5 a minute', () => {
    expect(sendTimes(new RequestRateLimiter(5), 12)).toEqual([0, 0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000]);
  });

  it('never has more than N requests in any 60 s', () => {
    const sent = sendTimes(new RequestRateLimiter(4), 40);
    for (let i = 4; i < sent.length; i++) expect(sent[i]! - sent[i - 4]!).toBeGreaterThanOrEqual(60_000);
    expect(sent[39]).toBe(9 * 60_000);
  });

  it('does not wait after a quiet minute, and counts every take (retries included)', () => {
    const l = new RequestRateLimiter(2);
    l.take(0);
    l.take(0); // a retry of the same request
    expect(l.delay(1)).toBe(59_999);
    expect(l.delay(120_000)).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new RequestRateLimiter(bad)).toThrow(RangeError);
    }
    expect(() => new RequestRateLimiter(0)).toThrow('requests per minute must be a positive integer, got 0');
    expect(new RequestRateLimiter(1).delay(0)).toBe(0);
  });
});
