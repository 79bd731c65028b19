/**
 * Whether a replay fits the namespace it goes into. A namespace has one event-time clock: the
 * newest event time on its ticks topic, which the detector's watermark follows. A replay that
 * starts before it lands behind what the detector has evaluated (every tick dead-lettered as
 * late); one that starts far after it drags the clock there, and whatever feeds the namespace
 * next (the demo, a live feed) is dead-lettered as late instead. Both are refused unless asked
 * for, with the two times and the ways out in the message. Pure: the caller reads the clock.
 */
const DAY_MS = 86_400_000;

/** How far after the namespace's clock a replay may start: a long weekend plus a holiday, with room. */
export const REPLAY_MAX_AHEAD_MS = 7 * DAY_MS;

export interface ReplayRange {
  /** Event time of the replay's first and last record. */
  first: number;
  last: number;
}

export interface NamespaceClock {
  namespace: string;
  /** The newest event time the namespace's ticks topic holds. */
  at: number;
  /** Where `at` was read, for the message (e.g. `rotation.ticks`). */
  topic: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function days(ms: number): string {
  const d = ms / DAY_MS;
  return d >= 10 ? `${Math.round(d)} days` : `${d.toFixed(1)} days`;
}

/** A namespace name for this replay alone, from the month it starts in: `replay-2024-06`. */
export function suggestedNamespace(range: ReplayRange): string {
  return `replay-${iso(range.first).slice(0, 7)}`;
}

/** Null when the replay fits the namespace's clock; otherwise why not, with both times and the options. */
export function replayClockConflict(range: ReplayRange, clock: NamespaceClock | undefined, maxAheadMs = REPLAY_MAX_AHEAD_MS): string | null {
  if (!clock) return null; // an empty namespace takes any clock
  const span = `this replay's event time runs from ${iso(range.first)} to ${iso(range.last)}`;
  const where = `namespace "${clock.namespace}" is at ${iso(clock.at)} (the newest event time on ${clock.topic})`;
  const options = `Replay into a namespace of its own with --namespace <new> (e.g. --namespace ${suggestedNamespace(range)}), or publish into "${clock.namespace}" anyway with --force.`;
  if (range.first < clock.at) {
    return `replay refused: ${span}, but ${where}: the detector has evaluated up to there and would dead-letter these ticks as late. ${options}`;
  }
  if (range.first - clock.at > maxAheadMs) {
    return (
      `replay refused: ${span}, ${days(range.first - clock.at)} after ${where.replace(/^namespace /, 'where namespace ')}: ` +
      `the namespace's clock would jump ahead and whatever feeds it next (a running demo, a live feed) would be dead-lettered as late. ${options}`
    );
  }
  return null;
}
