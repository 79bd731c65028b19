import { describe, expect, it } from 'vitest';
import { SAME_SIGNAL_MS, signalGate } from './signals.js';

describe('signalGate', () => {
  it('reads a repeat within the window as the same Ctrl-C and a later one as "again"', () => {
    let t = 1_000;
    const gate = signalGate(() => t);
    expect(gate()).toBe('stop');
    t += 5;
    expect(gate()).toBe('same');
    t += SAME_SIGNAL_MS - 6;
    expect(gate()).toBe('same');
    t += 1;
    expect(gate()).toBe('again');
    expect(gate()).toBe('again');
  });
});
