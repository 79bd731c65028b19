/** A service's log file holds every run's output, each run after a `# ` header line. */
import { readFile } from 'node:fs/promises';
import { compactLogLine } from './log-lines.js';

/** What this run wrote to a service's log ('' when there is no log). */
export async function thisRun(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.slice(text.lastIndexOf('\n# ') + 1);
}

/** The last lines this run wrote to a service's log, compacted as the console shows them. */
export async function tail(file: string, lines = 12): Promise<string> {
  return (await thisRun(file))
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => compactLogLine(l)?.text ?? l)
    .join('\n');
}
