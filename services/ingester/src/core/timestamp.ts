/**
 * Event-time parsing shared by every source. Accepts RFC 3339 with 0..9 fractional digits,
 * epoch milliseconds as a number, or epoch milliseconds as a string of digits. Anything else
 * is refused with a message precise enough to fix the input.
 */
export type ParsedTime = { ok: true; ts: number; tsNanos?: number } | { ok: false; message: string };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;
const DIGITS = /^\d{1,16}$/;
/** Below this an epoch value is almost surely seconds, not milliseconds (it would be before 1973-03-03). */
const MIN_PLAUSIBLE_EPOCH_MS = 100_000_000_000;
/** 9999-12-31T23:59:59.999Z: keeps ISO rendering and downstream date maths sane. */
const MAX_EPOCH_MS = 253_402_300_799_999;

export function parseTimestamp(value: unknown): ParsedTime {
  if (typeof value === 'number') return fromEpochMs(value, String(value));
  if (typeof value !== 'string') return { ok: false, message: `ts: expected an RFC 3339 string or epoch ms, got ${describe(value)}` };
  const text = value.trim();
  if (text.length === 0) return { ok: false, message: 'ts: missing' };
  if (DIGITS.test(text)) return fromEpochMs(Number(text), text);
  if (text.length > 40) return { ok: false, message: 'ts: too long to be a timestamp' };
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, message: `ts: "${text}" is neither RFC 3339 (2024-01-02T15:30:00.123Z) nor epoch ms` };
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as [string, string, string, string, string, string, string, string | undefined, string];
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12) return { ok: false, message: `ts: month ${mo} out of range in "${text}"` };
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, message: `ts: day ${d} out of range in "${text}"` };
  if (hour > 23) return { ok: false, message: `ts: hour ${h} out of range in "${text}"` };
  if (minute > 59) return { ok: false, message: `ts: minute ${mi} out of range in "${text}"` };
  if (second > 59) return { ok: false, message: `ts: second ${s} out of range in "${text}" (leap seconds are not accepted)` };
  if (frac !== undefined && frac.length > 9) return { ok: false, message: `ts: ${frac.length} fractional digits in "${text}" (at most 9)` };
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3)), om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return { ok: false, message: `ts: offset ${zone} out of range in "${text}"` };
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const padded = (frac ?? '').padEnd(9, '0');
  const ms = Number(padded.slice(0, 3));
  const ts = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  if (ts < 0 || ts > MAX_EPOCH_MS) return { ok: false, message: `ts: "${text}" is outside 1970..9999` };
  if (frac !== undefined && frac.length > 3) return { ok: true, ts, tsNanos: Number(padded.slice(3)) };
  return { ok: true, ts };
}

function fromEpochMs(n: number, text: string): ParsedTime {
  if (!Number.isFinite(n)) return { ok: false, message: `ts: ${text} is not a finite number` };
  if (!Number.isInteger(n)) return { ok: false, message: `ts: epoch ms must be an integer, got ${text}` };
  if (n < MIN_PLAUSIBLE_EPOCH_MS) return { ok: false, message: `ts: ${text} is too small for epoch milliseconds (epoch seconds?)` };
  if (n > MAX_EPOCH_MS) return { ok: false, message: `ts: ${text} is beyond year 9999 (epoch microseconds or nanoseconds?)` };
  return { ok: true, ts: n };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
