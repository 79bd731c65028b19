/**
 * The ceiling loop of the bare producers (produce.ts --mode bare, platformatic.ts --mode produce):
 * requests of `batch` pre-serialised records, cycled from one pool, each awaited before the next
 * (one request in flight), for a fixed wall time. Shared so both clients are timed alike.
 */
export async function sendBatchesFor<T>(pool: readonly T[], batch: number, seconds: number, send: (messages: T[]) => Promise<unknown>): Promise<{ ticks: number; seconds: number }> {
  let sent = 0;
  let k = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    const messages = new Array<T>(batch);
    for (let i = 0; i < batch; i++) {
      messages[i] = pool[k]!;
      k = (k + 1) % pool.length;
    }
    await send(messages);
    sent += batch;
  }
  return { ticks: sent, seconds: (performance.now() - t0) / 1000 };
}
