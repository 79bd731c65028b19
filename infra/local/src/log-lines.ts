/**
 * Turns a service's JSON log line (pino) into one short console line: time, level, message and
 * a few fields. The full line still goes to the service's log file.
 */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

const PINO_NUMERIC: Record<number, Level> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every line has, or that are too long for a console. */
const SKIP = new Set(['level', 'time', 'msg', 'service', 'name', 'pid', 'hostname', 'v']);
const MAX_FIELD_CHARS = 80;
const MAX_LINE_CHARS = 400;

export interface CompactLine {
  level: Level;
  /** The record's message alone ('' for a line that is not a JSON record). */
  msg: string;
  text: string;
}

export function levelAtLeast(level: Level, min: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}

/** Non-JSON output (a stack trace, a tool's banner) passes through as `info`. */
export function compactLogLine(line: string): CompactLine | undefined {
  const trimmed = line.trim();
  if (trimmed.length === 0) return undefined;
  if (!trimmed.startsWith('{')) return { level: 'info', msg: '', text: clip(trimmed, MAX_LINE_CHARS) };
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return { level: 'info', msg: '', text: clip(trimmed, MAX_LINE_CHARS) };
  }
  // kafkajs logs its own retries (coordinator loading, rebalances) as errors; the services report
  // what actually fails. Those lines stay in the log file and leave the console calm.
  const level = rec.logger === 'kafkajs' ? 'debug' : toLevel(rec.level);
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 19) : typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 19) : '';
  const fields = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${fieldText(k, v)}`);
  const msg = typeof rec.msg === 'string' ? rec.msg : '';
  return { level, msg, text: clip([time, msg, ...fields].filter(Boolean).join(' '), MAX_LINE_CHARS) };
}

function toLevel(v: unknown): Level {
  if (typeof v === 'string' && (LEVELS as readonly string[]).includes(v)) return v as Level;
  if (typeof v === 'number') return PINO_NUMERIC[v] ?? 'info';
  return 'info';
}

function fieldText(key: string, v: unknown): string {
  if (key === 'err' && v && typeof v === 'object' && 'message' in v) return JSON.stringify(String((v as { message: unknown }).message));
  const s = typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);
  return clip(s ?? String(v), MAX_FIELD_CHARS);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
