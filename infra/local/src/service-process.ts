/**
 * A service started by `pnpm start`: a Node child running a TypeScript entry point through tsx's
 * loader (one process, so signals reach the service itself, not a wrapper). Its full output goes
 * to a log file; a compact copy of lines at or above a level goes to the console, prefixed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compactLogLine, levelAtLeast, type Level } from './log-lines.js';
import { signalGroup } from './process.js';
import { setTimeout as sleep } from 'node:timers/promises';

const ORPHAN_GUARD = pathToFileURL(fileURLToPath(new URL('./orphan-guard.ts', import.meta.url))).href;

export interface ServiceSpec {
  name: string;
  /** Entry point relative to cwd, e.g. services/gateway/src/main.ts. */
  entry: string;
  args?: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  /** Lines below this level stay in the log file only. */
  consoleLevel: Level;
  /** Log messages shown on the console whatever their level (milestones such as the backfill's). */
  milestone?: (msg: string) => boolean;
  print: (name: string, level: Level, text: string) => void;
}

export interface ServiceHandle {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves once the process has exited and all it wrote is in its log file. */
  logged: Promise<void>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function startService(spec: ServiceSpec): ServiceHandle {
  const log: WriteStream = createWriteStream(spec.logFile, { flags: 'a' });
  log.write(`\n# ${new Date().toISOString()} start ${spec.entry} ${(spec.args ?? []).join(' ')}\n`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--import', ORPHAN_GUARD, spec.entry, ...(spec.args ?? [])], {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the launcher, which then stops
    // each service once, in order (a second signal would make the ingester skip its flush).
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${spec.name}`);
  let done = false;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    stream.pipe(log, { end: false });
    createInterface({ input: stream }).on('line', (line) => {
      const c = compactLogLine(line);
      if (c && (levelAtLeast(c.level, spec.consoleLevel) || spec.milestone?.(c.msg) === true)) spec.print(spec.name, c.level, c.text);
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  // 'close' comes once the child's pipes have ended, so everything they carried is queued on the
  // file before its end: a reader of `logged` sees the process's last words (its error message).
  const logged = new Promise<void>((resolve) => log.once('finish', () => resolve()));
  child.once('close', () => log.end());
  return {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    exited,
    logged,
    running: () => !done,
    async stop(graceMs = 10_000) {
      if (done) return;
      signalGroup(pid, 'SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (timedOut && !done) {
        signalGroup(pid, 'SIGKILL');
        await exited;
      }
      // Anything the service forked into its group goes with it (the group only, never a reused pid).
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* the group is empty */
      }
    },
  };
}
