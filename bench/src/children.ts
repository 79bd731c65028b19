import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

/**
 * Every child process the bench starts is tracked here and stopped at the end, on error and on
 * Ctrl-C, so a run never leaves a detector, gateway or load process behind.
 */
const live = new Set<ChildProcess>();

export interface ChildHandle {
  pid: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Raise the open-file limit to the hard limit first (a shell wrapper that then execs node). */
  raiseFdLimit?: boolean;
  /** Keep at most this many characters of stdout/stderr. */
  keepChars?: number;
  onStdoutLine?: (line: string) => void;
}

/** Runs a TypeScript entry point (tsx) as a child node process. */
export function spawnTs(script: string, args: string[], options: SpawnOptions): ChildHandle {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args];
  const proc = options.raiseFdLimit
    ? spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...nodeArgs], { cwd: REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not spawn ${script}`);
  live.add(proc);
  const keep = options.keepChars ?? 64_000;
  let out = '';
  let err = '';
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out = (out + d).slice(-keep);
    if (options.onStdoutLine) {
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        options.onStdoutLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-keep);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      resolve(code ?? (signal ? 128 : null));
    });
    proc.on('error', () => {
      live.delete(proc);
      resolve(null);
    });
  });
  const pid = proc.pid;
  return {
    pid,
    proc,
    exited,
    stdout: () => out,
    stderr: () => err,
    stop: async (graceMs = 10_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * node --cpu-prof into <dir>/<label>/: one directory per child because the tsx loader thread
 * writes its own profile too (a fixed --cpu-prof-name would let the two overwrite each other);
 * the main thread's profile is the largest file there.
 */
export function cpuProfFlags(dir: string, label: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, label)}`];
}

/** Last JSON object printed on a line of stdout (workers print their result that way). */
export function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) {
    const t = l.trim();
    if (t.startsWith('{') && t.endsWith('}')) {
      try {
        return JSON.parse(t) as T;
      } catch {
        /* not ours */
      }
    }
  }
  return undefined;
}

/** Runs a worker to completion and returns its JSON result, or throws with its stderr tail. */
export async function runWorker<T>(script: string, args: string[], options: SpawnOptions & { timeoutMs: number }): Promise<T> {
  const child = spawnTs(script, args, options);
  const timer = setTimeout(() => void child.stop(2_000), options.timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  const result = lastJsonLine<T & { error?: string }>(child.stdout());
  if (code !== 0 || !result) {
    throw new Error(`${path.basename(script)} exited ${code}${result?.error ? `: ${result.error}` : ''}; stderr: ${tail(child.stderr())}`);
  }
  return result;
}

export function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' / ').slice(-1200);
}

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS, kB). */
export async function rssMb(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const m = status?.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) / 1024 : null;
}

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
export async function cpuSecondsOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Stops every child still running; used at exit and on signals. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map(async (p) => {
    p.kill('SIGTERM');
    for (let i = 0; i < 50 && p.exitCode === null && p.signalCode === null; i++) await sleep(100);
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }));
}

export function killAllChildrenNow(): void {
  for (const p of live) p.kill('SIGKILL');
}
