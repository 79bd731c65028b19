/**
 * What `pnpm start` writes to its console: its own lines under a `start` tag, each service's
 * compact log lines under the service's name, in colour when the terminal has it.
 */
import path from 'node:path';
import type { Level } from './log-lines.js';

const colour = process.stdout.hasColors?.() ?? false;
export const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string) => paint('1', s);
export const dim = (s: string) => paint('2', s);
const SERVICE_COLOUR: Record<string, string> = { detector: '36', gateway: '35', feed: '33', warmup: '33', start: '32' };
const LEVEL_COLOUR: Partial<Record<Level, string>> = { warn: '33', error: '31', fatal: '31' };

/** A path as short as it can be: relative when under the working directory, else absolute. */
export function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

export function say(text: string): void {
  process.stdout.write(`${paint(SERVICE_COLOUR.start!, 'start   ')} ${text}\n`);
}

export function printService(name: string, level: Level, text: string): void {
  const tag = paint(SERVICE_COLOUR[name] ?? '37', name.padEnd(8));
  const lvl = level === 'info' ? '' : `${paint(LEVEL_COLOUR[level] ?? '2', level.toUpperCase())} `;
  process.stdout.write(`${tag} ${lvl}${text}\n`);
}
