/** Running `pnpm start` as a user does, for the tests of test/foundation/start*.test.ts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { childEnv, REPO_ROOT } from '@rotation/config';

export interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** start.ts with its own data directory, and only what a user's shell would have in the environment. */
export function startStack(dataDir: string, env: Record<string, string>, args: string[] = []): Run {
  // The test runner's own variables stay out.
  const inherited = childEnv();
  const clean = childEnv({}, Object.keys(inherited).filter((k) => /^(VITEST|KAFKA_|REDIS_|ROTATION_|GATEWAY_|DETECTOR_|INGESTER_|NODE_OPTIONS)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/src/start.ts', '--data-dir', dataDir, ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => text, exited };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, run: Run): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (run.child.exitCode !== null) throw new Error(`pnpm start exited (${run.child.exitCode}) while waiting for ${what}:\n${run.out().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${run.out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Pids of live processes whose command line mentions `dir` or whose working directory is inside it. */
export async function processesMentioning(dir: string): Promise<number[]> {
  if (!dir) return [];
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    // redis-server shows only its address in its command line, but runs in its data directory.
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cmd.includes(dir) || cwd.startsWith(dir)) out.push(Number(entry));
  }
  return out;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
