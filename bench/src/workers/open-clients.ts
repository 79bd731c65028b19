/**
 * Opens clients 0..clients-1, at most `concurrency` at a time, for the load processes
 * (ws-load.ts, ws-raw-load.ts). `open` resolves once its client is subscribed or has failed.
 * Resolves with the seconds it took (the load processes report it as connectSeconds).
 */
export async function openClients(clients: number, concurrency: number, open: (k: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, clients) }, async () => {
      while (next < clients) await open(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}
