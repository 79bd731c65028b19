/// <reference lib="dom" />
/**
 * examples/lightweight-charts in Chromium (Debian's, headless, through playwright-core): the
 * page laid out by its build.mjs from the client's built browser bundle and lightweight-charts'
 * standalone module, served from its own origin (a plain static server, as a user's site would
 * be) and pointed with ?stream= at a real gateway, with the detector in-process on the shared
 * broker and Redis fed by the ingester CLI. The IWM/SPY line must get points and an alert must
 * appear as a marker on it.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { childEnv, loadConfig, REPO_ROOT } from '@rotation/config';
import { startDetector } from '@rotation/detector';
import { startGateway } from '@rotation/gateway';
import { silentLogger } from '@rotation/log';
import { buildClient } from '@rotation/client/build';
import { describe, expect, test } from '../support/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const EXAMPLE_DIR = path.join(REPO_ROOT, 'examples', 'lightweight-charts');
const ARTIFACTS = path.join(REPO_ROOT, 'test-results');

let browser: Browser;
let site = '';
let server: Server | undefined;
let siteUrl = '';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

/** The example's dist/ over HTTP on loopback: what `python3 -m http.server -d dist` does for a user. */
async function serveSite(root: string): Promise<string> {
  server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(rel.endsWith('/') ? `${rel}index.html` : rel));
    void stat(file).then(
      (info) => {
        if (!file.startsWith(root + path.sep) || !info.isFile()) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => void res.writeHead(404).end(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  // The page imports the client's built browser bundle, as it would from node_modules.
  await buildClient();
  site = await mkdtemp(path.join(tmpdir(), 'example-lwc-'));
  await promisify(execFile)(process.execPath, [path.join(EXAMPLE_DIR, 'build.mjs'), site], { cwd: EXAMPLE_DIR });
  siteUrl = await serveSite(site);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  await mkdir(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
  if (site) await rm(site, { recursive: true, force: true });
});

async function ingest(ns: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/ingester/src/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: childEnv({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`ingest exited with ${code}: ${stderr}`);
}

describe('examples/lightweight-charts in Chromium', () => {
  test('plots the live IWM/SPY ratio and marks an alert on it', async ({ ns, withTopics }) => {
    await withTopics();
    const base = { ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: '3' };
    const logger = silentLogger();
    const detector = await startDetector({ config: loadConfig(base), logger, httpPort: null });
    await detector.joined;
    const gateway = await startGateway(loadConfig(base), { logger, port: 0, host: '127.0.0.1', tuning: { probeMs: 300 } });
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`)),
    );
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const chartState = () =>
      page.evaluate(() => {
        const chart = document.getElementById('chart')!;
        let ink = 0;
        for (const canvas of Array.from(chart.querySelectorAll('canvas'))) {
          const ctx = canvas.getContext('2d');
          if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
        }
        return {
          status: document.getElementById('status')?.dataset.state ?? '',
          points: Number(chart.dataset.points),
          markers: Number(chart.dataset.markers),
          alertItems: document.querySelectorAll('#alerts li').length,
          alertTexts: Array.from(document.querySelectorAll('#alerts li'), (li) => li.textContent ?? ''),
          ink,
        };
      });
    try {
      await page.goto(`${siteUrl}/?stream=${encodeURIComponent(gateway.wsUrl)}&window=1d`);
      await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'live', null, { polling: 250, timeout: 60_000 });
      // The dashboard test's feed: 40 market days, the rotation the scenario is built around.
      await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '11', '--duration', '40d', '--rate', '0.005', '--speed', 'max']);
      await page.waitForFunction(
        () => {
          const chart = document.getElementById('chart')!;
          return Number(chart.dataset.points) > 0 && Number(chart.dataset.markers) > 0;
        },
        null,
        { polling: 250, timeout: 180_000 },
      );
      const s = await chartState();
      expect(s.status).toBe('live');
      expect(s.points).toBeGreaterThan(0);
      expect(s.markers).toBeGreaterThan(0);
      expect(s.alertItems).toBeGreaterThanOrEqual(s.markers);
      // By default only the plotted pair's alerts are marked and listed.
      expect(s.alertTexts.every((t) => /IWM/.test(t) && /SPY/.test(t))).toBe(true);
      // The canvases hold a drawn line and axes, not a blank bitmap.
      expect(s.ink).toBeGreaterThan(1_000);
      await page.screenshot({ path: path.join(ARTIFACTS, 'example-lightweight-charts.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await gateway.stop();
      await detector.stop();
    }
  }, 300_000);
});
