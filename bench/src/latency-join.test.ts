import { describe, expect, it } from 'vitest';
import { CauseLog } from './latency-join.js';

describe('CauseLog', () => {
  it("the cause of step T is the latest of the lanes' first ticks past T + lateness", () => {
    const log = new CauseLog(1000, 0);
    // lane 0 passes 1000 at push 5.0, lane 1 at push 7.0
    log.record(0, 999, 1.0);
    log.record(1, 1000, 2.0); // ts == T is not past T
    log.record(0, 1001, 5.0);
    log.record(1, 1003, 7.0);
    log.record(0, 1500, 8.0);
    expect(log.causeOf(1000, [0, 1])).toBe(7.0);
  });

  it('is undefined while some lane has not passed T', () => {
    const log = new CauseLog(1000, 0);
    log.record(0, 2500, 1.0);
    expect(log.causeOf(2000, [0, 1])).toBeUndefined();
    expect(log.causeOf(2000, [0])).toBe(1.0);
  });

  it('one tick can pass several steps at once, and lateness shifts the threshold', () => {
    const log = new CauseLog(1000, 500);
    log.record(0, 1000, 1.0);
    log.record(0, 4600, 2.0); // past 1000+500, 2000+500, 3000+500, 4000+500
    expect(log.causeOf(1000, [0])).toBe(2.0);
    expect(log.causeOf(4000, [0])).toBe(2.0);
    expect(log.causeOf(5000, [0])).toBeUndefined();
  });

  it('a later tick of a lane never overwrites its first one', () => {
    const log = new CauseLog(1000, 0);
    log.record(0, 1200, 1.0);
    log.record(0, 1300, 9.0);
    expect(log.causeOf(1000, [0])).toBe(1.0);
  });
});
