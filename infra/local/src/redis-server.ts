import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { InfraError, InfraErrorCode } from './errors.js';
import { freePort } from './ports.js';
import { isAlive, stopProcess } from './process.js';

const run = promisify(execFile);

export interface RedisServerOptions {
  dataDir: string;
  port?: number;
  /** Keep an append-only file so `pnpm start` state survives a restart; tests turn it off. */
  persist?: boolean;
  readyTimeoutMs?: number;
  log?: (msg: string) => void;
}

export interface RedisServerHandle {
  pid: number;
  port: number;
  url: string;
  dataDir: string;
  logFile: string;
}

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServerHandle> {
  try {
    await run('redis-server', ['--version']);
  } catch (cause) {
    throw new InfraError(InfraErrorCode.redisMissing, 'redis-server is not installed (apt-get install redis-server) and REDIS_URL is not set', {}, { cause });
  }
  const port = options.port ?? (await freePort());
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dataDir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--daemonize', 'no', '--save', '',
    '--appendonly', options.persist ? 'yes' : 'no', '--protected-mode', 'yes'];
  const fd = openSync(logFile, 'a');
  const child = spawn('redis-server', args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new InfraError(InfraErrorCode.exitedEarly, 'could not spawn redis-server');
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new InfraError(InfraErrorCode.exitedEarly, `redis-server exited during start-up (see ${logFile})`);
    if (await pings(port)) {
      options.log?.(`redis-server on 127.0.0.1:${port} (pid ${pid})`);
      return { pid, port, url: `redis://127.0.0.1:${port}`, dataDir, logFile };
    }
    await sleep(50);
  }
  await stopProcess(pid, 2_000);
  throw new InfraError(InfraErrorCode.startTimeout, `redis-server on port ${port} did not answer (see ${logFile})`);
}

export async function stopRedisServer(pid: number): Promise<void> {
  await stopProcess(pid, 5_000);
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
