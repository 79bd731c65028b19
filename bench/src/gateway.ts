import { cpuProfFlags } from './children.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@rotation/infra';
import { spawnTs, tail, type ChildHandle } from './children.js';
import type { BenchContext } from './context.js';
import { requireService } from './services.js';

export interface GatewayChild {
  child: ChildHandle;
  port: number;
  wsUrl: string;
}

/** Starts `services/gateway/src/main.ts` as a child on 127.0.0.1 and waits for /readyz. */
export async function startGatewayChild(ctx: BenchContext, ns: string, label: string): Promise<GatewayChild> {
  const main = requireService('gateway');
  const port = await freePort();
  const child = spawnTs(main, [], {
    // Up to 10k load clients all come from 127.0.0.1: the per-address cap (1,000) would refuse them.
    // The 20k fan-out step needs more than the default 10,000 connections per instance.
    env: ctx.env({ ROTATION_NAMESPACE: ns, GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(port), GATEWAY_MAX_CONNECTIONS_PER_IP: '0', GATEWAY_MAX_CONNECTIONS: '25000' }),
    raiseFdLimit: true,
    ...(ctx.cpuProfDir ? { nodeFlags: cpuProfFlags(ctx.cpuProfDir, `gateway-${label}`) } : {}),
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`gateway exited with ${child.proc.exitCode}: ${tail(child.stderr() + child.stdout())}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return { child, port, wsUrl: `ws://127.0.0.1:${port}/v1/stream` };
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  await child.stop();
  throw new Error(`gateway not ready within 60 s: ${tail(child.stderr() + child.stdout())}`);
}
