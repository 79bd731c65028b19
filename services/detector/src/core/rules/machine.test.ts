import { describe, expect, it } from 'vitest';
import { emptyRun, runStep, type MachineSpec, type RunState } from './machine.js';

/** crosses above 1 with hysteresis 0.5 (back off at <= 0.5). */
const above = (dwell = 0, cooldown = 0, clock: 'steps' | 'bars' = 'steps'): MachineSpec<number> => ({
  classify: (v, cur) => (v > 1 ? 'on' : v <= 0.5 ? 'off' : (cur ?? 'off')),
  fires: (_f, to) => to === 'on',
  dwell: { clock, n: dwell },
  cooldown: { clock, n: cooldown },
});

/** Runs values at steps 0, 1, 2, … and returns the steps that fired. */
function fires(values: Array<number | null>, spec: MachineSpec<number>): number[] {
  let s: RunState = emptyRun();
  const out: number[] = [];
  values.forEach((v, i) => {
    const r = runStep(s, v, { steps: i, bars: Math.floor(i / 3) }, spec);
    if (r === null) return;
    s = r.state;
    if (r.fired) out.push(i);
  });
  return out;
}

describe('rule machine', () => {
  it('starts silently from the first value: a condition already true is not news', () => {
    expect(fires([2, 2, 2], above())).toEqual([]);
    expect(fires([0, 2, 2], above())).toEqual([1]);
  });

  it('hysteresis: back inside the band does not re-arm, below it does', () => {
    expect(fires([0, 2, 0.8, 2, 0.4, 2], above())).toEqual([1, 5]);
  });

  it('dwell: the new side must hold, a dip resets it; counted on the clock given', () => {
    expect(fires([0, 2, 2, 2], above(2))).toEqual([3]);
    expect(fires([0, 2, 0, 2, 2, 2], above(2))).toEqual([5]);
    // Nulls are no evidence: they neither break nor extend the dwell.
    expect(fires([0, 2, null, 2, 2], above(2))).toEqual([3]);
    // 1 bar = three steps here: held from step 1 (bar 0) to step 3 (bar 1).
    expect(fires([0, 2, 2, 2, 2], above(1, 0, 'bars'))).toEqual([3]);
  });

  it('dwell also holds back the way out: a short dip after firing does not re-arm', () => {
    expect(fires([0, 2, 2, 2, 0, 2, 2, 2], above(2))).toEqual([3]);
    expect(fires([0, 2, 2, 2, 0, 0, 0, 2, 2, 2], above(2))).toEqual([3, 9]);
  });

  it('cooldown: a crossing inside it waits and fires when it ends if still true', () => {
    expect(fires([0, 2, 0, 2, 2, 2, 2], above(0, 4))).toEqual([1, 5]);
    expect(fires([0, 2, 0, 2, 0, 0, 0, 2], above(0, 4))).toEqual([1, 7]);
  });
});
