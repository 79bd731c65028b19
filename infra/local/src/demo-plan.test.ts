import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, DEMO_EPOCH_MS, demoPlan, describeSpeed } from './demo-plan.js';

const base = { speed: 3600, warmupMs: 2 * 86_400_000, cycleMs: 86_400_000, seed: 42 };
const arg = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe('demoPlan', () => {
  it('warms a fresh pipeline with a quiet history at full speed, then plays the rotation from where it ended', () => {
    const plan = demoPlan({ ...base, asOfMs: null });
    expect(plan.warmup).toBeDefined();
    const w = plan.warmup!.args;
    expect([w[0], arg(w, '--scenario'), arg(w, '--speed'), arg(w, '--start'), arg(w, '--duration')]).toEqual(['synthetic', 'choppy', 'max', '2024-01-02T14:30:00.000Z', '780m']); // two sessions of trading time
    const p = plan.paced.args;
    expect([arg(p, '--scenario'), arg(p, '--speed'), arg(p, '--start'), arg(p, '--duration')]).toEqual(['small-cap-rotation', '3600', '2024-01-04T14:30:00.000Z', '390m']);
    expect(p).toContain('--loop');
    expect(plan.paced.fromMs).toBe(plan.warmup!.toMs);
    // Both continue the ticks topic's prices: no seam at the switch.
    expect(w).toContain('--continue');
    expect(p).toContain('--continue');
    expect(arg(p, '--drift-scale')).toBe('0.25');
  });

  it('continues after the detector clock on a restart, with no warm-up', () => {
    const asOf = Date.parse('2024-03-08T21:00:30.500Z');
    const plan = demoPlan({ ...base, asOfMs: asOf });
    expect(plan.warmup).toBeUndefined();
    expect(arg(plan.paced.args, '--start')).toBe('2024-03-08T21:01:00.000Z');
    expect(plan.paced.args).toContain('--continue');
  });

  it('skips the warm-up when asked', () => {
    const plan = demoPlan({ ...base, warmupMs: 0, asOfMs: null });
    expect(plan.warmup).toBeUndefined();
    expect(plan.paced.fromMs).toBe(DEMO_EPOCH_MS);
  });

  it('defaults to a daily RRG bar every 24 wall seconds', () => {
    expect(86_400 / DEMO_DEFAULTS.speed).toBe(24);
  });
});

describe('describeSpeed', () => {
  it.each([
    [3600, '1 s of wall time = 1 h of market time'],
    [60, '1 s of wall time = 1 min of market time'],
    [86400, '1 s of wall time = 1 d of market time'],
    [1, '1 s of wall time = 1 s of market time'],
    [0.5, '1 s of wall time = 500 ms of market time'],
    [5400, '1 s of wall time = 1.5 h of market time'],
  ])('%d', (speed, text) => expect(describeSpeed(speed)).toBe(text));
});
