import { describe, expect, it } from 'vitest';
import { REPLAY_MAX_AHEAD_MS, replayClockConflict, suggestedNamespace } from './replay-guard.js';

const t = (iso: string) => Date.parse(iso);
const clock = { namespace: 'rotation', at: t('2026-04-14T19:59:00Z'), topic: 'rotation.ticks' };

describe('a replay against the namespace clock', () => {
  it('fits an empty namespace, and one it continues within a week', () => {
    expect(replayClockConflict({ first: t('2024-06-03T13:30:00Z'), last: t('2024-06-28T20:00:00Z') }, undefined)).toBeNull();
    expect(replayClockConflict({ first: clock.at, last: clock.at + 1 }, clock)).toBeNull();
    // Thursday's close to the Monday after a Good Friday: four days.
    expect(replayClockConflict({ first: t('2026-04-20T13:30:00Z'), last: t('2026-04-21T20:00:00Z') }, { ...clock, at: t('2026-04-16T20:00:00Z') })).toBeNull();
    expect(replayClockConflict({ first: clock.at + REPLAY_MAX_AHEAD_MS, last: clock.at + REPLAY_MAX_AHEAD_MS }, clock)).toBeNull();
  });

  it('refuses one that starts before the clock, naming both times and the options', () => {
    const why = replayClockConflict({ first: t('2024-06-03T13:30:00Z'), last: t('2024-06-28T20:00:00Z') }, clock);
    expect(why).toContain('2024-06-03T13:30:00.000Z');
    expect(why).toContain('2026-04-14T19:59:00.000Z');
    expect(why).toContain('rotation.ticks');
    expect(why).toContain('dead-letter these ticks as late');
    expect(why).toContain('--namespace replay-2024-06');
    expect(why).toContain('--force');
    // A replay of the same file again, one millisecond before the end, is behind too.
    expect(replayClockConflict({ first: clock.at - 1, last: clock.at }, clock)).toMatch(/^replay refused/);
  });

  it('refuses one that starts far after the clock: the running feed would be late', () => {
    const why = replayClockConflict({ first: t('2026-06-03T13:30:00Z'), last: t('2026-06-05T20:00:00Z') }, clock);
    expect(why).toMatch(/^replay refused: .* 50 days after .*2026-04-14T19:59:00\.000Z/);
    expect(why).toContain('a running demo, a live feed');
    expect(why).toContain('--namespace replay-2026-06');
    expect(replayClockConflict({ first: clock.at + REPLAY_MAX_AHEAD_MS + 1, last: clock.at + REPLAY_MAX_AHEAD_MS + 1 }, clock)).toContain('7.0 days after');
  });

  it('suggests a namespace from the month the replay starts', () => {
    expect(suggestedNamespace({ first: t('2014-01-02T21:00:00Z'), last: 0 })).toBe('replay-2014-01');
  });
});
