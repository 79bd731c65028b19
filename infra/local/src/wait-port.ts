import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once something accepts TCP connections on host:port; rejects when `gaveUp()` says so or the deadline passes. */
export async function waitForPort(host: string, port: number, opts: { timeoutMs: number; gaveUp?: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await canConnect(host, port)) return;
    const reason = opts.gaveUp?.();
    if (reason) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
