/**
 * Ctrl-C on a `pnpm <script>` of a long-running command: the terminal sends SIGINT to the whole
 * foreground group (pnpm, and the process it runs). A clean stop must end in exit 0 without
 * pnpm's `ELIFECYCLE Command failed`: the scripts exec node themselves, because a `sh -c` in
 * between dies of the SIGINT (exit 130), and tsx's CLI wrapper SIGKILLs a child that does not
 * acknowledge the signal within 30 ms (on a loaded machine, `pnpm start` mid-shutdown, its
 * broker and Redis left running).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { childEnv, REPO_ROOT } from '@rotation/config';
import { describe, expect, test } from '../support/fixtures.js';

const SCRIPTS = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('pnpm scripts and Ctrl-C', () => {
  test('every long-running script execs node directly (no shell, no tsx CLI wrapper in between)', () => {
    for (const name of ['start', 'ingest', 'detector', 'gateway', 'watch', 'infra:up', 'infra:down']) {
      expect(SCRIPTS.scripts[name], name).toMatch(/^exec node --import tsx \S+\.ts( \w+)?$/);
    }
  });

  test('SIGINT to the group of `pnpm ingest synthetic --loop` ends in exit 0, without ELIFECYCLE', { timeout: 120_000 }, async ({ ns, env, withTopics }) => {
    await withTopics();
    // Where the test runner was started by pnpm its path is known; otherwise the pnpm on PATH.
    const execPath = childEnv().npm_execpath;
    const [cmd, pre] = execPath && /\.c?js$/.test(execPath) ? [process.execPath, [execPath]] : ['pnpm', []];
    const child = spawn(cmd, [...pre, 'ingest', 'synthetic', '--scenario', 'choppy', '--seed', '2', '--speed', '60', '--loop'], {
      cwd: REPO_ROOT,
      // Its own process group, as a terminal's foreground job has.
      detached: true,
      env: childEnv({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: env.KAFKA_BROKERS.join(','), KAFKA_TICKS_PARTITIONS: '3', INGESTER_HTTP_PORT: '0', LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!out.includes('ingest started')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`pnpm ingest did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      process.kill(-child.pid!, 'SIGINT');
      const code = await exited;
      expect(code, out.slice(-3000)).toBe(0);
      expect(out).not.toContain('ELIFECYCLE');
      expect(out).toContain('"stopped":true');
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
