import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT } from '@rotation/config';
import { isAlive } from '@rotation/infra';
import type { InfraState } from '@rotation/infra';

const run = promisify(execFile);
const cli = path.join(REPO_ROOT, 'infra', 'local', 'src', 'cli.ts');
const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

describe('pnpm infra:up / infra:down', () => {
  it('starts a real broker and Redis, reuses them on a second up, and leaves no process after down', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rotation-infra-cli-'));
    // Without KAFKA_BROKERS / REDIS_URL the launcher must start both itself.
    const env = childEnv({}, ['KAFKA_BROKERS', 'REDIS_URL']);
    let state: InfraState | undefined;
    try {
      const up = await run(tsx, [cli, '--data-dir', dataDir, 'up'], { env, cwd: REPO_ROOT, timeout: 180_000 });
      const envFile = await readFile(path.join(dataDir, 'infra.env'), 'utf8');
      expect(envFile).toMatch(/^KAFKA_BROKERS=127\.0\.0\.1:\d+\nREDIS_URL=redis:\/\/127\.0\.0\.1:\d+\n$/);
      expect(up.stdout).toBe(envFile);
      state = JSON.parse(await readFile(path.join(dataDir, 'infra.json'), 'utf8')) as InfraState;
      expect(isAlive(state.kafka!.pid)).toBe(true);
      expect(isAlive(state.redis!.pid)).toBe(true);

      const again = await run(tsx, [cli, '--data-dir', dataDir, 'up'], { env, cwd: REPO_ROOT, timeout: 60_000 });
      expect(again.stderr).toMatch(/already running: kafka/);
      expect(again.stdout).toBe(envFile);

      await run(tsx, [cli, '--data-dir', dataDir, 'down'], { env, cwd: REPO_ROOT, timeout: 60_000 });
      expect(isAlive(state.kafka!.pid)).toBe(false);
      expect(isAlive(state.redis!.pid)).toBe(false);
      await expect(readFile(path.join(dataDir, 'infra.env'), 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      for (const pid of [state?.kafka?.pid, state?.redis?.pid]) if (pid && isAlive(pid)) process.kill(-pid, 'SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('uses KAFKA_BROKERS and REDIS_URL when they are set, starting nothing', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rotation-infra-cli-'));
    try {
      const env = childEnv({ KAFKA_BROKERS: '127.0.0.1:19092', REDIS_URL: 'redis://127.0.0.1:16379' });
      const up = await run(tsx, [cli, '--data-dir', dataDir, 'up'], { env, cwd: REPO_ROOT, timeout: 60_000 });
      expect(up.stdout).toBe('KAFKA_BROKERS=127.0.0.1:19092\nREDIS_URL=redis://127.0.0.1:16379\n');
      const state = JSON.parse(await readFile(path.join(dataDir, 'infra.json'), 'utf8')) as InfraState;
      expect(state.kafka).toBeUndefined();
      expect(state.redis).toBeUndefined();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
