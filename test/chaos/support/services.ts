/**
 * Services under test as real child processes (`node --import tsx services/<svc>/src/main.ts`),
 * so that `kill -9` is a real kill and SIGTERM exercises the real shutdown path. Every process
 * spawned here is remembered and killed by `killAllServices()` (call it in afterEach), also
 * when a test fails half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '@rotation/config';

export type ServiceName = 'ingester' | 'detector' | 'gateway';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** The parsed pino record when the line is JSON. */
  json?: Record<string, unknown>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly logs: LogLine[];
  /** Raw stdout, for commands that print a result there (e.g. `ingest --json`). */
  stdout(): string;
  readonly exited: Promise<Exit>;
  exitStatus(): Exit | undefined;
  /** Resolves with the first log line matching; rejects when the process exits first or on timeout. */
  waitForLog(match: string | RegExp | ((l: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>;
  /** SIGKILL: no flush, no commit, no goodbye. Resolves once the process is gone. */
  kill9(): Promise<Exit>;
  /** SIGTERM and wait for the exit; `ms` is how long the shutdown took. */
  sigterm(timeoutMs?: number): Promise<Exit & { ms: number }>;
}

const live = new Set<ServiceProcess>();
const entryOverrides = new Map<ServiceName, string>();

/**
 * Runs `service` from another main.ts (a deliberately broken copy) for the rest of the file.
 * Only for checking, once, that a guarantee's test fails when the guarantee is broken; never
 * committed in a test (see docs/guarantees.md, "How each test was shown to fail").
 */
export function useEntryOverride(service: ServiceName, entry: string): void {
  entryOverrides.set(service, entry);
}
const MAX_LOG_LINES = 50_000;

export interface SpawnOptions {
  /** Label in failure messages, e.g. `detector-2`. */
  label?: string;
  /** Complete environment of the child (build it with chaosEnv). */
  env: Record<string, string>;
  /** Echo the child's output to the runner's stderr (debugging). */
  echo?: boolean;
  /**
   * Another main.ts to run instead of services/<svc>/src/main.ts: used once per guarantee to
   * check that its test fails against a deliberately broken copy (docs/guarantees.md).
   */
  entry?: string;
}

export function spawnService(service: ServiceName, args: string[], options: SpawnOptions): ServiceProcess {
  const entry = options.entry ?? entryOverrides.get(service) ?? path.join(REPO_ROOT, 'services', service, 'src', 'main.ts');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${service}`);
  const label = options.label ?? service;
  const logs: LogLine[] = [];
  const waiters = new Set<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let stdoutText = '';
  let status: Exit | undefined;

  const onLine = (stream: LogLine['stream'], text: string) => {
    let json: Record<string, unknown> | undefined;
    if (text.startsWith('{')) {
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        /* not a log record */
      }
    }
    const line: LogLine = json ? { stream, text, json } : { stream, text };
    if (logs.length < MAX_LOG_LINES) logs.push(line);
    if (options.echo) process.stderr.write(`[${label}] ${text}\n`);
    for (const w of waiters) {
      if (w.test(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    let pending = '';
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => {
      if (stream === 'stdout' && stdoutText.length < 10_000_000) stdoutText += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        onLine(stream, pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child[stream]!.on('end', () => {
      if (pending) onLine(stream, pending);
      pending = '';
    });
  }
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      status = { code, signal };
      // Kept for the post-mortem of a failed run: <tmp>/rotation-chaos-logs/<label>-<pid>.log
      try {
        const dir = path.join(os.tmpdir(), 'rotation-chaos-logs');
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `${label}-${child.pid}.log`), `${logs.map((l) => l.text).join('\n')}\nexit ${code ?? signal}\n`);
      } catch {
        /* best effort */
      }
      resolve(status);
    });
  });

  const proc: ServiceProcess = {
    name: label,
    pid: child.pid,
    logs,
    stdout: () => stdoutText,
    exited,
    exitStatus: () => status,
    waitForLog(match, timeoutMs = 60_000) {
      const test = typeof match === 'function' ? match : (l: LogLine) => (typeof match === 'string' ? l.text.includes(match) : match.test(l.text));
      const found = logs.find(test);
      if (found) return Promise.resolve(found);
      return new Promise<LogLine>((resolve, reject) => {
        const w = { test, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${label}: no log line matching ${String(match)} within ${timeoutMs} ms; last lines:\n${tail(logs)}`));
        }, timeoutMs);
        waiters.add(w);
        void exited.then((e) => {
          if (!waiters.has(w)) return;
          waiters.delete(w);
          clearTimeout(timer);
          reject(new Error(`${label} exited (${e.code ?? e.signal}) before a log line matching ${String(match)}; last lines:\n${tail(logs)}`));
        });
      });
    },
    async kill9() {
      if (!status) child.kill('SIGKILL');
      const e = await exited;
      live.delete(proc);
      return e;
    },
    async sigterm(timeoutMs = 60_000) {
      const started = Date.now();
      if (!status) child.kill('SIGTERM');
      const e = await Promise.race([exited, sleep(timeoutMs).then(() => undefined)]);
      if (!e) {
        child.kill('SIGKILL');
        await exited;
        live.delete(proc);
        throw new Error(`${label} did not exit within ${timeoutMs} ms of SIGTERM; last lines:\n${tail(logs)}`);
      }
      live.delete(proc);
      return { ...e, ms: Date.now() - started };
    },
  };
  live.add(proc);
  return proc;
}

export function tail(logs: LogLine[], n = 25): string {
  return logs
    .slice(-n)
    .map((l) => `  ${l.text.slice(0, 400)}`)
    .join('\n');
}

/** Kills every service process still running (afterEach / afterAll). */
export async function killAllServices(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill9()));
}

/** Polls `check` until it returns a value other than undefined/false; a clear error on timeout. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}
