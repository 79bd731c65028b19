/**
 * Number and time formatting for the dashboard. Every figure carries its unit and an explicit
 * sign, so a reader never has to guess whether 0.72 is a gain, a loss, a percent or a point.
 */

/** Shown where a value is not known yet (warming up, no data): a dash reads as "nothing", 0 would lie. */
export const MISSING = '—';

function signed(value: number, digits: number): string {
  const fixed = Math.abs(value).toFixed(digits);
  // -0.00 is noise: a value that rounds to zero gets no sign.
  if (Number(fixed) === 0) return (0).toFixed(digits);
  return `${value < 0 ? '-' : '+'}${fixed}`;
}

/** Percent return: 3.25 -> "+3.25 %". */
export function formatPct(value: number | null | undefined, digits = 2): string {
  return isFiniteNumber(value) ? `${signed(value, digits)} %` : MISSING;
}

/** Percentage points (a difference of two percents): -0.72 -> "-0.72 pp". */
export function formatPp(value: number | null | undefined, digits = 2): string {
  return isFiniteNumber(value) ? `${signed(value, digits)} pp` : MISSING;
}

/** z-score: 2.1 -> "z +2.10". */
export function formatZ(value: number | null | undefined): string {
  return isFiniteNumber(value) ? `z ${signed(value, 2)}` : MISSING;
}

/** A level around 100 (ratio line, RS-Ratio, RS-Momentum): no sign, it is not a change. */
export function formatLevel(value: number | null | undefined, digits = 2): string {
  return isFiniteNumber(value) ? value.toFixed(digits) : MISSING;
}

/** A share of a whole: 0..100 -> "64 %". */
export function formatShare(value: number | null | undefined): string {
  return isFiniteNumber(value) ? `${Math.round(value)} %` : MISSING;
}

/** Wall-clock time of day in UTC, e.g. "14:03:27 UTC": markets and servers agree on UTC. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return MISSING;
  return `${d.toISOString().slice(11, 19)} UTC`;
}

/** An ISO event time as "2024-03-08 21:00:00 UTC". */
export function formatEventTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return MISSING;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** "in 3 s", "in 1 min 5 s": how long until the next reconnect attempt. */
export function formatDelay(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
}

/** Sign of a value as a word, for screen readers and for styling that must not rely on colour. */
export function direction(value: number | null | undefined): 'up' | 'down' | 'flat' | 'unknown' {
  if (!isFiniteNumber(value)) return 'unknown';
  // What prints as 0.00 is flat: an arrow must not contradict the number beside it.
  if (value >= 0.005) return 'up';
  if (value <= -0.005) return 'down';
  return 'flat';
}

/** An arrow that repeats the sign in shape, so meaning never rests on colour alone. */
export function arrow(value: number | null | undefined): string {
  switch (direction(value)) {
    case 'up':
      return '▲';
    case 'down':
      return '▼';
    case 'flat':
      return '■';
    default:
      return '';
  }
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
