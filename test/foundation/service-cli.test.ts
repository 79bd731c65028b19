/**
 * CLI hygiene of the three service binaries: --help and --version answer and exit 0 without
 * starting anything, a usage or configuration error exits 2. The broker address points at a
 * closed port, so a binary that started anyway would fail with exit 1 and "not reachable".
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT } from '@rotation/config';

const BINARIES = {
  ingester: 'services/ingester/src/main.ts',
  detector: 'services/detector/src/main.ts',
  gateway: 'services/gateway/src/main.ts',
} as const;

function run(entry: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    env: childEnv({ KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', DETECTOR_HTTP_PORT: '0', GATEWAY_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe.each(Object.entries(BINARIES))('%s', (name, entry) => {
  it('--help prints usage, the settings with their defaults and the exit codes, and starts nothing', async () => {
    const r = await run(entry, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: /);
    expect(r.stdout).toContain('KAFKA_BROKERS=127.0.0.1:9092');
    expect(r.stdout).toContain('2  usage or configuration error');
    // A service that started would log JSON lines (and fail on the closed broker port).
    expect(r.stdout + r.stderr).not.toMatch(/"level"|not reachable/);
  });

  it('--version prints the package version', async () => {
    const r = await run(entry, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown option is a usage error: exit 2', async () => {
    const r = await run(entry, ['--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-option'");
  });

  it('a configuration error exits 2 and names the setting', async () => {
    const args = name === 'ingester' ? ['synthetic', '--scenario', 'choppy'] : [];
    const r = await run(entry, args, { KAFKA_TICKS_PARTITIONS: 'many' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KAFKA_TICKS_PARTITIONS');
  });
});

describe('ingester subcommand help', () => {
  it.each(['replay', 'synthetic'])('%s --help shows defaults as they are written on a command line', async (command) => {
    const r = await run(BINARIES.ingester, [command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(default: max)');
    expect(r.stdout).not.toMatch(/default: (\{|\[|\d{6,})/);
    if (command === 'synthetic') expect(r.stdout).toContain('(default: 2d)');
  });
});
