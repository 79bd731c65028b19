import { describe, expect, it } from 'vitest';
import { expiryStep, MAX_TIMER_MS } from './token-expiry.js';

describe('expiryStep', () => {
  it.each([
    ['well before expiry', 10_000, 0, 5_000, { kind: 'wait', ms: 15_000 }],
    ['inside the grace', 10_000, 12_000, 5_000, { kind: 'wait', ms: 3_000 }],
    ['exactly at expiry plus grace', 10_000, 15_000, 5_000, { kind: 'expired' }],
    ['after expiry', 10_000, 60_000, 5_000, { kind: 'expired' }],
    ['no grace', 10_000, 10_000, 0, { kind: 'expired' }],
    ['a year away (timer clamped, re-armed later)', 365 * 86_400_000, 0, 0, { kind: 'wait', ms: MAX_TIMER_MS }],
  ])('%s', (_name, exp, now, grace, step) => {
    expect(expiryStep(exp, now, grace)).toEqual(step);
  });
});
