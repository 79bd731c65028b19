import { setTimeout as sleep } from 'node:timers/promises';

export type DataProbe = () => Promise<'data' | 'none' | 'auth'>;

/**
 * `GET /api/v1/snapshot` on the gateway: 200 is a snapshot served, 404 none yet; with auth on
 * the API answers 401/403 to an anonymous caller, and the caller decides from Redis instead.
 */
export function gatewaySnapshotProbe(baseUrl: string): DataProbe {
  return async () => {
    const res = await fetch(`${baseUrl}/api/v1/snapshot`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (!res) return 'none';
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 200) return 'data';
    return res.status === 401 || res.status === 403 ? 'auth' : 'none';
  };
}

/**
 * Waits until the gateway serves a snapshot, so "Ready" means a filled dashboard and not an
 * empty one (it used to be printed when the port opened, 7-12 s before the first data). With
 * auth on, `stored` (the snapshot key in Redis, and the gateway ready) stands in. Resolves
 * false at the deadline (a live feed outside market hours may have nothing to show yet) or
 * when `gaveUp` names a reason (a service died), true once there is data.
 */
export async function waitForData(probe: DataProbe, stored: () => Promise<boolean>, opts: { timeoutMs: number; intervalMs?: number; gaveUp?: () => boolean }): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const seen = await probe();
    if (seen === 'data' || (seen === 'auth' && (await stored()))) return true;
    if (opts.gaveUp?.() || Date.now() > deadline) return false;
    await sleep(opts.intervalMs ?? 250);
  }
}
