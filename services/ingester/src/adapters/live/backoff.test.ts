import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF, DEFAULT_LIMIT_BACKOFF, fullJitterDelay, validatePolicy, type BackoffPolicy } from './backoff.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1_000, multiplier: 2, minMs: 0 };

describe('fullJitterDelay', () => {
  it.each([
    // attempt, random, expected: cap = min(1000, 100 * 2^attempt), delay = floor(random * cap)
    [0, 0, 0],
    [0, 0.5, 50],
    [0, 0.999, 99],
    [1, 0.5, 100],
    [3, 0.5, 400],
    [4, 0.5, 500], // cap 1600 -> 1000
    [30, 0.25, 250], // huge exponent stays capped
  ])('attempt %i with random %d -> %i ms', (attempt, random, expected) => {
    expect(fullJitterDelay(attempt, policy, () => random)).toBe(expected);
  });

  it('adds the floor of the connection-limit policy on top of the jitter', () => {
    expect(fullJitterDelay(0, { ...policy, minMs: 5_000 }, () => 0)).toBe(5_000);
    expect(fullJitterDelay(0, { ...policy, minMs: 5_000 }, () => 0.5)).toBe(5_050);
  });

  it('clamps a misbehaving random source into [0, cap]', () => {
    expect(fullJitterDelay(0, policy, () => -1)).toBe(0);
    expect(fullJitterDelay(0, policy, () => 7)).toBe(100);
  });
});

describe('Backoff', () => {
  it('grows with consecutive failures and starts over after reset', () => {
    const b = new Backoff(policy, () => 0.5);
    expect([b.next(), b.next(), b.next()]).toEqual([50, 100, 200]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.next()).toBe(50);
  });

  it('is deterministic for an injected random sequence', () => {
    const seq = [0.1, 0.9, 0.3];
    const run = () => {
      let i = 0;
      const b = new Backoff(policy, () => seq[i++ % seq.length]!);
      return [b.next(), b.next(), b.next()];
    };
    expect(run()).toEqual([10, 180, 120]);
    expect(run()).toEqual(run());
  });
});

describe('validatePolicy', () => {
  it('accepts the defaults', () => {
    expect(validatePolicy(DEFAULT_BACKOFF, 'backoff')).toBe(DEFAULT_BACKOFF);
    expect(validatePolicy(DEFAULT_LIMIT_BACKOFF, 'limit')).toBe(DEFAULT_LIMIT_BACKOFF);
  });
  it.each([
    [{ ...policy, initialMs: 0 }],
    [{ ...policy, maxMs: 50 }],
    [{ ...policy, multiplier: 0.5 }],
    [{ ...policy, minMs: -1 }],
  ])('rejects %o', (p) => {
    expect(() => validatePolicy(p, 'backoff')).toThrow(/backoff: expected/);
  });
});
