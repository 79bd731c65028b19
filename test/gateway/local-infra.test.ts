/**
 * A gateway started by hand beside a running `pnpm start` (docs/webhooks.md: `WEBHOOKS_FILE=...
 * pnpm gateway`): with KAFKA_BROKERS and REDIS_URL unset it reads the stack's infra.env and
 * serves from that broker and Redis, instead of failing on the default addresses.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childEnv, REPO_ROOT } from '@rotation/config';
import { describe, expect, test } from '../support/fixtures.js';
import { freePort } from '../webhooks/receiver.js';

describe('gateway and a local stack', () => {
  test('finds the broker and Redis of a running `pnpm start` through its infra.env', async ({ ns, env, withTopics }) => {
    await withTopics();
    const dir = await mkdtemp(path.join(tmpdir(), 'gateway-infra-env-'));
    const file = path.join(dir, 'infra.env');
    await writeFile(file, `KAFKA_BROKERS=${env.KAFKA_BROKERS.join(',')}\nREDIS_URL=${env.REDIS_URL}\n`);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/gateway/src/main.ts'], {
      cwd: REPO_ROOT,
      env: childEnv({ ROTATION_NAMESPACE: ns, ROTATION_INFRA_ENV_FILE: file, GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, ['KAFKA_BROKERS', 'REDIS_URL']),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      let ready: { ready: boolean; kafka: boolean; redis: boolean } | undefined;
      while (!ready?.ready) {
        if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${out}`);
        if (Date.now() > deadline) throw new Error(`the gateway never became ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 500));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json() as Promise<typeof ready>, () => undefined);
      }
      expect(ready).toEqual({ ready: true, kafka: true, redis: true });
      expect(out).toContain(`using the local stack of ${file} (KAFKA_BROKERS=${env.KAFKA_BROKERS.join(',')} REDIS_URL=`);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
