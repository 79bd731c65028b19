import { describe, expect, it } from 'vitest';
import { CommandLimiter, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const b = new TokenBucket(10, 5, 0);
    expect([1, 2, 3, 4, 5, 6].map(() => b.take(0))).toEqual([true, true, true, true, true, false]);
    expect(b.take(50)).toBe(false); // half a token
    expect(b.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(b.take(100)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const b = new TokenBucket(10, 3, 0);
    const results = Array.from({ length: 5 }, () => b.take(60_000));
    expect(results).toEqual([true, true, true, false, false]);
  });
});

describe('CommandLimiter', () => {
  it('rate-limits, then calls sustained excess abuse', () => {
    const l = new CommandLimiter({ ratePerSec: 1, burst: 2, abuseStrikes: 3, windowMs: 10_000 }, 0);
    expect([l.admit(0), l.admit(0), l.admit(0), l.admit(0), l.admit(0)]).toEqual(['ok', 'ok', 'rate_limited', 'rate_limited', 'abuse']);
  });

  it('forgets strikes older than the window', () => {
    const l = new CommandLimiter({ ratePerSec: 1, burst: 1, abuseStrikes: 3, windowMs: 1_000 }, 0);
    expect(l.strike(0)).toBe(false);
    expect(l.strike(100)).toBe(false);
    expect(l.strike(1_500)).toBe(false); // the first two expired
    expect(l.strike(1_600)).toBe(false);
    expect(l.strike(1_700)).toBe(true);
  });

  it('a client within its rate is never limited', () => {
    const l = new CommandLimiter({ ratePerSec: 10 }, 0);
    for (let t = 0; t < 10_000; t += 100) expect(l.admit(t)).toBe('ok');
  });
});
