/**
 * `rotation watch` as a child process (through its bin) against the in-test protocol server:
 * JSON lines for piping, plain text without escape codes on a pipe, SIGTERM exits 0, a refused
 * token exits 2 without retrying, and a pipe into `head -n 1` (the README's `pnpm -s watch`
 * line too) ends it quietly with 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach } from 'vitest';
import { REPO_ROOT } from '@rotation/config';
import { describe, expect, test } from '../support/fixtures.js';
import { makeSnapshot, ProtocolServer, until } from './protocol-server.js';

const BIN = path.join(REPO_ROOT, 'packages', 'client', 'bin', 'rotation.mjs');

/** Runs a shell pipeline under bash with pipefail, so the watcher's own exit status counts. */
function pipeline(command: string): Run {
  const child = spawn('bash', ['-c', `set -o pipefail; ${command}`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { child, stdout: [], stderr: [], exited: once(child, 'exit').then(([code]) => code as number | null) };
  createInterface({ input: child.stdout! }).on('line', (l) => run.stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => run.stderr.push(l));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await run.exited;
    }
  });
  return run;
}

/** Publishes one alert every 200 ms (at most 300) so a watcher whose reader left has a next write to fail. */
function keepPublishing(srv: ProtocolServer): void {
  let left = 300;
  const timer = setInterval(() => {
    if (--left <= 0) clearInterval(timer);
    srv.publish(1);
  }, 200);
  cleanups.push(() => clearInterval(timer));
}

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function watch(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, 'watch', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { child, stdout: [], stderr: [], exited: once(child, 'exit').then(([code]) => code as number | null) };
  createInterface({ input: child.stdout! }).on('line', (l) => run.stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => run.stderr.push(l));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await run.exited;
    }
  });
  return run;
}

async function server(token?: string): Promise<ProtocolServer> {
  const s = new ProtocolServer(token ? { token } : {});
  await s.listen();
  cleanups.push(() => s.close());
  return s;
}

function tokenFile(token: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'watch-token-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}

describe('rotation watch (child process)', () => {
  test('--json prints one JSON object per line: recent alerts, state, then live alerts; SIGTERM exits 0', async () => {
    const srv = await server();
    srv.publishSnapshot(makeSnapshot(3.97));
    srv.publish(2);
    const run = watch(['--url', srv.url, '--channels', 'alerts,spreads', '--json']);
    await until(() => run.stdout.length >= 3, 'snapshot lines', 30_000);
    srv.publish(1, () => 'breadth_thrust');
    await until(() => run.stdout.length >= 4, 'live alert line', 30_000);
    const lines = run.stdout.map((l) => JSON.parse(l) as { type: string; channel: string; seq: number; source: string; alert?: { id: string }; value?: unknown });
    expect(lines.filter((l) => l.type === 'alert').map((l) => [l.seq, l.source])).toEqual([
      [1, 'snapshot'],
      [2, 'snapshot'],
      [3, 'event'],
    ]);
    const state = lines.find((l) => l.type === 'state')!;
    expect(state).toMatchObject({ channel: 'spreads', seq: 1, source: 'snapshot' });
    expect(state.value).toEqual(makeSnapshot(3.97).spreads);
    // Status goes to stderr, so stdout stays machine-readable.
    expect(run.stderr.join('\n')).toMatch(/connected to test-server/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  test('text mode on a pipe: readable lines without escape codes, a token from --token-file sent as a header', async () => {
    const srv = await server('s3cret-token');
    srv.publishSnapshot(makeSnapshot(-1.25));
    const run = watch(['--url', srv.url, '--channels', 'spreads,alerts', '--token-file', tokenFile('s3cret-token')]);
    await until(() => run.stdout.some((l) => l.includes('IWM/SPY')), 'spreads block', 30_000);
    srv.publish(1, () => 'size_regime_change');
    await until(() => run.stdout.some((l) => l.includes('size_regime_change')), 'alert line', 30_000);
    const text = run.stdout.join('\n');
    expect(text).not.toContain('\u001b[');
    expect(text).toMatch(/IWM\/SPY\s+7d\s+-1\.25 pp/);
    expect(text).toMatch(/WARNING\s+size_regime_change\s+IWM\/SPY 7d\s+Small caps lead/);
    expect(srv.conns[0]!.auth).toBe('header');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  test.each([
    ['the bin', (url: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} watch --url ${url} --json --channels alerts | head -n 1`],
    // The README's line, with head for jq: `-s` keeps pnpm's script banner off stdout.
    ['pnpm -s watch', (url: string) => `pnpm -s watch --url ${url} --json --channels alerts | head -n 1`],
  ])('%s piped into head -n 1: one JSON line, then a quiet exit 0 at the closed pipe', async (_name, command) => {
    const srv = await server();
    srv.publish(2);
    const run = pipeline(command(srv.url));
    keepPublishing(srv);
    expect(await run.exited).toBe(0);
    expect(run.stdout).toHaveLength(1);
    const line = JSON.parse(run.stdout[0]!) as { type: string; receivedAt: string; alert: { eventTime: string } };
    expect(line.type).toBe('alert');
    expect(new Date(line.receivedAt).toISOString()).toBe(line.receivedAt);
    expect(run.stderr.join('\n')).not.toMatch(/EPIPE|Error|ELIFECYCLE/);
  });

  test('Ctrl-C of `pnpm watch` in a terminal: the whole process group gets SIGINT, and pnpm exits 0 without ELIFECYCLE', async () => {
    const srv = await server();
    srv.publish(1);
    // detached: its own process group, as a terminal's foreground job is.
    const child = spawn('pnpm', ['watch', '--url', srv.url, '--channels', 'alerts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const run: Run = { child, stdout: [], stderr: [], exited: once(child, 'exit').then(([code, signal]) => (signal ? -1 : (code as number))) };
    createInterface({ input: child.stdout! }).on('line', (l) => run.stdout.push(l));
    createInterface({ input: child.stderr! }).on('line', (l) => run.stderr.push(l));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, 'SIGKILL');
        await run.exited;
      }
    });
    await until(() => run.stdout.some((l) => l.includes('spread_zscore')), 'the alert line', 60_000);
    process.kill(-child.pid!, 'SIGINT');
    expect(await run.exited).toBe(0);
    expect([...run.stdout, ...run.stderr].join('\n')).not.toMatch(/ELIFECYCLE|Command failed/);
  });

  test('--alerts-only on a pipe: alert lines with market date and time, no state blocks', async () => {
    const srv = await server();
    srv.publishSnapshot(makeSnapshot(2.5));
    srv.publish(1, () => 'size_regime_change');
    const run = watch(['--url', srv.url, '--alerts-only']);
    await until(() => run.stdout.length >= 1, 'alert line', 30_000);
    srv.publish(1, () => 'breadth_thrust');
    await until(() => run.stdout.length >= 2, 'live alert line', 30_000);
    // The protocol server's alerts are at 2024-03-08 14:31Z and on: 09:31 in New York (EST).
    expect(run.stdout[0]).toMatch(/^! {2}2024-03-08 09:31:00 EST WARNING\s+size_regime_change/);
    expect(run.stdout.join('\n')).not.toMatch(/spreads|IWM\/SPY\s+7d\s+[+-]/);
    expect([...srv.conns[0]!.subs]).toEqual(['alerts']);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  test('text mode holds later state blocks for --state-every while alerts print at once', async () => {
    const srv = await server();
    srv.publishSnapshot(makeSnapshot(1.5));
    const run = watch(['--url', srv.url, '--channels', 'alerts,spreads', '--state-every', '3600']);
    await until(() => run.stdout.some((l) => /IWM\/SPY\s+7d\s+\+1\.50 pp/.test(l)), 'first spreads block', 30_000);
    // A changed spread, then an alert on the same socket: the alert line shows the update was
    // handled by then, and held.
    srv.publishSnapshot(makeSnapshot(2.75));
    srv.publish(1, () => 'size_regime_change');
    await until(() => run.stdout.some((l) => l.includes('size_regime_change')), 'alert line', 30_000);
    expect(run.stdout.filter((l) => /received spreads$/.test(l))).toHaveLength(1);
    expect(run.stdout.join('\n')).not.toContain('+2.75 pp');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    // With 0 every update prints.
    const every = watch(['--url', srv.url, '--channels', 'spreads', '--state-every', '0']);
    await until(() => every.stdout.some((l) => l.includes('+2.75 pp')), 'current spreads block', 30_000);
    srv.publishSnapshot(makeSnapshot(-0.5));
    await until(() => every.stdout.some((l) => l.includes('-0.50 pp')), 'the update printed at once', 30_000);
    every.child.kill('SIGTERM');
    expect(await every.exited).toBe(0);
  });

  test('a refused token exits 2 with a clear message after one attempt', async () => {
    const srv = await server('right-token');
    const run = watch(['--url', srv.url, '--token-file', tokenFile('wrong-token')]);
    expect(await run.exited).toBe(2);
    expect(run.stderr.join('\n')).toMatch(/refused the token: HTTP 401/);
    expect(run.stderr.join('\n')).not.toContain('wrong-token');
    expect(srv.upgrades).toBe(1);
  });

  test('bad flags exit 1 with a usage message', async () => {
    const run = watch(['--channels', 'alerts,gold']);
    expect(await run.exited).toBe(1);
    expect(run.stderr.join('\n')).toMatch(/unknown channel\(s\) gold/);
  });
});
