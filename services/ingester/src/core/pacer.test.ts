import { describe, expect, it } from 'vitest';
import { Pacer, parseSpeed } from './pacer.js';

describe('parseSpeed', () => {
  it.each([
    ['max', { kind: 'max' }],
    ['realtime', { kind: 'factor', factor: 1 }],
    ['60', { kind: 'factor', factor: 60 }],
    ['2.5', { kind: 'factor', factor: 2.5 }],
    ['10x', { kind: 'factor', factor: 10 }],
    ['0', undefined],
    ['-1', undefined],
    ['fast', undefined],
  ])('%s', (text, speed) => {
    expect(parseSpeed(text)).toEqual(speed);
  });
});

describe('Pacer', () => {
  it('releases records at t0 + (event - e0) / factor on a fake clock', async () => {
    let wall = 1_000;
    const sleeps: number[] = [];
    const pacer = new Pacer({ kind: 'factor', factor: 10 }, () => wall, async (ms) => {
      sleeps.push(ms);
      wall += ms;
    });
    expect(pacer.wait(50_000)).toBeUndefined(); // origin
    await pacer.wait(51_000); // 1 s of event time = 100 ms of wall time
    wall += 30; // publishing took 30 ms
    await pacer.wait(52_000);
    expect(pacer.wait(52_001)).toBeUndefined(); // 0.1 ms ahead: not worth a timer
    expect(sleeps).toEqual([100, 70]);
  });
  it('never waits at max speed', () => {
    const pacer = new Pacer({ kind: 'max' }, () => 0, () => Promise.reject(new Error('no')));
    expect([0, 1e9, 2e9].map((t) => pacer.wait(t))).toEqual([undefined, undefined, undefined]);
  });
});
