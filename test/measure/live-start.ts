/**
 * `pnpm measure:live-start`: how long `pnpm start --source live --provider alpaca` takes, on a
 * fresh data directory, from the command to every dashboard panel having a value, and how many
 * requests the backfill makes, against the fake Alpaca REST history and stream (the default
 * universe, a market up to now on the real clock). Prints one JSON object; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childEnv, loadConfig } from '@rotation/config';
import type { Snapshot } from '@rotation/schemas';
import { FakeAlpaca } from '../fakes/alpaca.js';
import { startHistoryFake } from '../fakes/history.js';
import { nyDate, syntheticMarket, XNYS } from '../fakes/history-market.js';
import { coldPanels } from '../support/panels.js';

const KEY = 'AKMEASURELIVE0001';
const SECRET = 'measure-live-start-secret-01';
const ROOT = path.resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function main(): Promise<void> {
  const universe = loadConfig({}).universe;
  const now = Date.now();
  const recent = XNYS.byIndex((XNYS.sessionAtOrBefore(now) ?? XNYS.lastCloseAtOrBefore(now)!).index - 3)!;
  const market = syntheticMarket({ symbols: universe.symbols, from: nyDate(now - 200 * 86_400_000), now: now + 3_600_000, seed: 5, minuteFrom: recent.date });
  const rest = await startHistoryFake('alpaca', { market, credentials: { keyId: KEY, secretKey: SECRET }, now: Date.now });
  const stream = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: [{}] });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'measure-live-start-'));
  const gatewayPort = await freePort();
  const t0 = Date.now();
  const child = spawn('pnpm', ['start', '--source', 'live', '--provider', 'alpaca', '--data-dir', dataDir], {
    cwd: ROOT,
    env: childEnv({ ALPACA_KEY_ID: KEY, ALPACA_SECRET_KEY: SECRET, ALPACA_STREAM_URL: stream.url, ALPACA_DATA_URL: rest.url, GATEWAY_PORT: String(gatewayPort), INGESTER_HTTP_PORT: '0', DETECTOR_HTTP_PORT: '0' }),
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let readyAt: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    process.stderr.write(d);
    if (readyAt === undefined && d.toString().includes('Ready')) readyAt = Date.now();
  });
  let filledAt: number | undefined;
  let last: string[] = [];
  try {
    for (const deadline = Date.now() + 300_000; Date.now() < deadline && filledAt === undefined; ) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await fetch(`http://127.0.0.1:${gatewayPort}/api/v1/snapshot`).catch(() => undefined);
      if (!res?.ok) continue;
      const body = (await res.json()) as { snapshot?: Snapshot } & Snapshot;
      last = coldPanels(body.snapshot ?? body, universe.sectors.length);
      if (last.length === 0) filledAt = Date.now();
    }
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((resolve) => child.on('exit', resolve));
    await stream.close();
    await rest.server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const s = (t: number | undefined) => (t === undefined ? null : Number(((t - t0) / 1000).toFixed(1)));
  const requests = rest.server.requests.length;
  process.stdout.write(`${JSON.stringify({ at: new Date(t0).toISOString(), readySeconds: s(readyAt), panelsFilledSeconds: s(filledAt), requests, barRequests: rest.history.served.length, bars: rest.history.served.reduce((n, r) => n + r.bars, 0), stillCold: last })}\n`);
}

await main();
