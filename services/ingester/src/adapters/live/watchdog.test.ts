import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleWatchdog } from './watchdog.js';

describe('IdleWatchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function make(extra: Partial<ConstructorParameters<typeof IdleWatchdog>[0]> = {}) {
    const events: string[] = [];
    const w = new IdleWatchdog({
      idleMs: 1_000,
      onIdle: () => events.push('idle'),
      onPing: () => events.push('ping'),
      now: () => Date.now(),
      ...extra,
    });
    return { w, events };
  }

  it('fires once after idleMs of silence and then stays stopped', () => {
    const { w, events } = make();
    w.start();
    vi.advanceTimersByTime(999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(events).toEqual(['idle']);
    expect(w.running).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual(['idle']);
  });

  it('does not fire while activity keeps arriving', () => {
    const { w, events } = make();
    w.start();
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(500);
      w.touch();
    }
    expect(events).toEqual([]);
    w.stop();
  });

  it('asks for a transport ping once the line has been quiet for pingIntervalMs, at most once per interval', () => {
    const { w, events } = make({ idleMs: 3_000, pingIntervalMs: 1_000 });
    w.start();
    vi.advanceTimersByTime(1_000);
    expect(events).toEqual(['ping']);
    vi.advanceTimersByTime(500);
    expect(events).toEqual(['ping']);
    w.touch(); // the pong
    vi.advanceTimersByTime(1_000);
    expect(events).toEqual(['ping', 'ping']);
    vi.advanceTimersByTime(3_000);
    // quiet since the pong at 1.5 s: pings at 2.5 s and 3.5 s, dead at 4.5 s
    expect(events).toEqual(['ping', 'ping', 'ping', 'idle']);
  });

  it('treats time spent waiting for a busy sink as activity', () => {
    let busy = true;
    const { w, events } = make({ isBusy: () => busy });
    w.start();
    vi.advanceTimersByTime(5_000);
    expect(events).toEqual([]);
    busy = false;
    vi.advanceTimersByTime(1_500);
    expect(events).toEqual(['idle']);
  });

  it('rejects nonsensical settings', () => {
    expect(() => make({ idleMs: 0 })).toThrow(/idleMs/);
    expect(() => make({ pingIntervalMs: -1 })).toThrow(/pingIntervalMs/);
  });
});
