/**
 * CLI hygiene of the three service binaries: --help and --version answer and exit 0 without
 * starting anything, a usage or configuration error exits 2. The broker address points at a
 * closed port, so a binary that started anyway would fail with exit 1 and "not reachable".
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT } from '@rotation/config';

const BINARIES = {
  ingester: 'services/ingester/src/main.ts',
  detector: 'services/detector/src/main.ts',
  gateway: 'services/gateway/src/main.ts',
} as const;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(entry: string, args: string[], env: Record<string, string> = {}, onStdout?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    env: childEnv({ KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', DETECTOR_HTTP_PORT: '0', GATEWAY_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(child);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** A broker address that accepts connections and never answers: a start that cannot finish. */
async function silentBroker(): Promise<{ address: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, server, sockets };
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

describe.each(['detector', 'gateway'] as const)('%s stopped while it starts', (name) => {
  it('a SIGTERM during the start is a stop within the deadline, not a death by signal', async () => {
    const broker = await silentBroker();
    try {
      const deadlineMs = 2_000;
      let sentAt = 0;
      // The first log line means the handlers are in; the silent broker keeps the start waiting.
      const r = await run(BINARIES[name], [], { KAFKA_BROKERS: broker.address, DETECTOR_SHUTDOWN_TIMEOUT_MS: String(deadlineMs), GATEWAY_SHUTDOWN_TIMEOUT_MS: String(deadlineMs), LOG_LEVEL: 'info' }, (child) => {
        if (sentAt) return;
        sentAt = Date.now();
        child.kill('SIGTERM');
      });
      const ms = Date.now() - sentAt;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('"msg":"stopping"');
      expect(r.stdout).toContain('did not finish within the stop deadline');
      expect(ms).toBeGreaterThanOrEqual(deadlineMs - 100);
      // The deadline plus process exit on a loaded two-core box.
      expect(ms).toBeLessThan(deadlineMs + 4_000);
    } finally {
      broker.sockets.forEach((s) => s.destroy());
      broker.server.close();
    }
  }, 60_000);
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
