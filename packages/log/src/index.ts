import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  name: string;
  level?: LoggerOptions['level'];
  /** Where JSON lines go; stdout by default. Tests pass a sink and parse the lines. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/**
 * Paths that may carry credentials anywhere in a log record. Config secrets are already
 * `Secret` objects that serialise as "[redacted]"; this is the second belt for values that
 * arrive as plain strings (headers, query strings, provider auth frames).
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'params',
  '*.params',
];

export function createLogger(options: LogOptions): Logger {
  const opts: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    base: { service: options.name, ...options.base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Removes credentials from a URL before it is logged (query `token`, `apiKey`, user info). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    for (const k of [...u.searchParams.keys()]) {
      if (/token|key|secret|password|apikey/i.test(k)) u.searchParams.set(k, '[redacted]');
    }
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
