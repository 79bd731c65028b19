/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian's Chromium, headless, driven by playwright-core) against
 * a real stack: the detector and the gateway in-process on the shared broker and Redis, fed by
 * the ingester CLI with the small-cap-rotation scenario. The page is opened before any data
 * exists, so everything it shows arrived over the websocket as it was computed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { childEnv, loadConfig, REPO_ROOT } from '@rotation/config';
import { getCalendar } from '@rotation/calendar';
import { startDetector, type DetectorHandle } from '@rotation/detector';
import { startGateway, type RunningGateway } from '@rotation/gateway';
import { silentLogger } from '@rotation/log';
import { buildDashboard, DIST_DIR, isStale } from '@rotation/dashboard';
import { describe, expect, test } from '../support/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const ARTIFACTS = path.join(REPO_ROOT, 'test-results');
const TOKEN = 'browser-test-token-1234';

let browser: Browser;

beforeAll(async () => {
  if (await isStale()) await buildDashboard();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

/** `pnpm ingest synthetic …` as a child process, into namespace `ns`; resolves when it has flushed and exited. */
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

interface Stack {
  detector: DetectorHandle;
  gateway: RunningGateway;
  stop: () => Promise<void>;
}

async function startStack(ns: string, gatewayEnv: Record<string, string> = {}): Promise<Stack> {
  const base = { ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: '3' };
  const logger = silentLogger();
  const detector = await startDetector({ config: loadConfig(base), logger, httpPort: null });
  await detector.joined;
  const gateway = await startGateway(loadConfig({ ...base, GATEWAY_STATIC_DIR: DIST_DIR, ...gatewayEnv }), { logger, port: 0, host: '127.0.0.1', tuning: { probeMs: 300 } });
  return {
    detector,
    gateway,
    stop: async () => {
      await gateway.stop();
      await detector.stop();
    },
  };
}

/** What the page shows, read from its markup and its canvases. */
async function pageState(page: Page) {
  return page.evaluate(() => {
    const inkOf = (id: string) => {
      const canvas = document.getElementById(id) as HTMLCanvasElement | null;
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx || canvas.width === 0 || canvas.height === 0) return 0;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
      return ink;
    };
    return {
      connection: document.getElementById('status')?.dataset.state ?? '',
      statusText: document.getElementById('status')?.textContent ?? '',
      leaderboardRows: document.querySelectorAll('#leaderboard tbody tr').length,
      leader: document.querySelector('#leaderboard tr[data-role="leader"]')?.getAttribute('data-symbol') ?? null,
      laggard: document.querySelector('#leaderboard tr[data-role="laggard"]')?.getAttribute('data-symbol') ?? null,
      spreadRows: document.querySelectorAll('#spread-table tbody tr').length,
      spreadPoints: Number(document.getElementById('spread-chart')?.dataset.points ?? 0),
      rrgPoints: Number(document.getElementById('rrg-chart')?.dataset.points ?? 0),
      spreadInk: inkOf('spread-canvas'),
      rrgInk: inkOf('rrg-canvas'),
      breadthValue: document.querySelector('#breadth .gauge')?.getAttribute('data-value') ?? null,
      alertRows: document.querySelectorAll('#alerts li.alert').length,
      alertSeverities: Array.from(document.querySelectorAll('#alerts li.alert'), (li) => li.getAttribute('data-severity')),
      loadingPanels: document.querySelectorAll('[data-msg="loading"]').length,
      spreadText: document.getElementById('spread-table')?.textContent ?? '',
    };
  });
}

type State = Awaited<ReturnType<typeof pageState>>;

async function waitFor(page: Page, what: string, check: (s: State) => boolean, timeoutMs = 90_000): Promise<State> {
  const deadline = Date.now() + timeoutMs;
  let last = await pageState(page);
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`page never showed ${what}; last seen: ${JSON.stringify({ ...last, spreadText: last.spreadText.slice(0, 200) })}`);
    await page.waitForTimeout(250);
    last = await pageState(page);
  }
  return last;
}

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1200 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The gateway serves the page under a strict CSP: anything it blocks is a bug in the page.
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`)),
  );
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|Unauthorized/i.test(m.text())) errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

describe('dashboard in Chromium', () => {
  test('fills from the live stream: connection, spreads, leaderboard, RRG, breadth and alerts', async ({ ns, withTopics }) => {
    await withTopics();
    const stack = await startStack(ns);
    const { page, errors } = await openPage(`${stack.gateway.url}/`);
    try {
      // Before any tick: connected, every panel says it is waiting (not an empty table, not zeros).
      const before = await waitFor(page, 'the live connection', (s) => s.connection === 'live');
      expect(before.leaderboardRows).toBe(0);

      // 40 days of market time at full speed (17k ticks): a quiet week, then the rotation; more
      // than the 31 daily bars the RRG needs, and the size regime change the scenario is built around.
      await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '11', '--duration', '40d', '--rate', '0.005', '--speed', 'max']);

      const s = await waitFor(
        page,
        'leaderboard rows, spreads, an RRG and alerts',
        (x) => x.leaderboardRows === 11 && x.spreadRows === 5 && x.rrgPoints > 0 && x.spreadPoints > 0 && x.alertRows > 0 && x.breadthValue !== null && x.breadthValue !== '',
        180_000,
      );
      expect(s.connection).toBe('live');
      expect(s.loadingPanels).toBe(0);
      expect(s.leader).toMatch(/^XL[A-Z]{1,2}$/);
      expect(s.laggard).toMatch(/^XL[A-Z]{1,2}$/);
      expect(s.leader).not.toBe(s.laggard);
      // Numbers carry units and signs.
      expect(s.spreadText).toMatch(/[+-]\d+\.\d{2} pp/);
      expect(s.spreadText).toMatch(/IWM [+-]?\d+\.\d{2} %/);
      // The canvases hold drawn data, not just a blank bitmap.
      expect(s.spreadInk).toBeGreaterThan(1_000);
      expect(s.rrgInk).toBeGreaterThan(1_000);
      expect(s.alertSeverities.every((v) => v === 'info' || v === 'warning' || v === 'critical')).toBe(true);
      // The scenario's point: small caps take over, and an alert says so.
      const alertText = await page.locator('#alerts').textContent();
      expect(alertText).toMatch(/Size regime change|Leadership change|Spread stretched|RRG quadrant change|Breadth thrust/);

      // Another window is one click away and shows that window's numbers.
      await page.click('#window-picker button[data-window="7d"]');
      // The page redraws on the next animation frame, not in the click handler.
      await page.waitForFunction(() => document.querySelector('#spreads-title')?.textContent?.includes('7d'), null, { polling: 100, timeout: 10_000 });
      expect(await page.locator('#spreads-title').textContent()).toContain('7d');
      expect(await page.locator('#window-picker button[data-window="7d"]').getAttribute('aria-pressed')).toBe('true');

      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await stack.stop();
    }
  }, 300_000);

  test('in market time: clock and session of the data, history drawn on load, 1d first, badges on the end rows, true footnotes', async ({ ns, withTopics }) => {
    await withTopics();
    const stack = await startStack(ns);
    try {
      // The data exist before the page is opened: three sessions of the scenario, all consumed.
      await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '16', '--duration', '3d', '--rate', '0.02', '--speed', 'max']);
      const api = (q: string) => fetch(`${stack.gateway.url}/api/v1/${q}`).then((r) => r.json());
      const historyCount = async (window: string) => {
        let n = 0;
        for (const pair of ['IWM/SPY', 'IJR/SPY', 'IWM/QQQ', 'RSP/SPY', 'AI/RSP']) {
          const page = (await api(`history?series=spread&pair=${pair}&window=${window}&limit=2000`)) as { points: Array<{ spreadPp: number | null }> };
          n += page.points.filter((p) => p.spreadPp !== null).length;
        }
        return n;
      };
      const deadline = Date.now() + 120_000;
      let snap = (await api('snapshot')) as { asOf?: string; sectors?: Array<{ window: string; ranking: unknown[] }> };
      // The ingester has produced everything; the detector is done once its clock stops moving
      // (the run's end of stream lets the last step be evaluated) with a full 1d ranking.
      let previous: string | undefined;
      let still = 0;
      while (!(snap.sectors?.find((w) => w.window === '1d')?.ranking.length === 11 && still >= 4 && (await historyCount('1d')) > 20)) {
        if (Date.now() > deadline) throw new Error(`no settled 1d ranking or history; snapshot ${JSON.stringify(snap).slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, 500));
        snap = (await api('snapshot')) as typeof snap;
        still = snap.asOf !== undefined && snap.asOf === previous ? still + 1 : 0;
        previous = snap.asOf;
      }
      const asOf = snap.asOf!;
      const recorded1d = await historyCount('1d');

      const { page, errors } = await openPage(`${stack.gateway.url}/`);
      try {
        await waitFor(page, 'spreads and sectors', (x) => x.spreadRows === 5 && x.leaderboardRows === 11);
        const shown = async () =>
          page.evaluate(() => ({
            picked: document.querySelector('#window-picker button[aria-pressed="true"]')?.getAttribute('data-window') ?? null,
            clock: document.querySelector('#market-clock [data-market-time]')?.textContent ?? '',
            session: document.getElementById('market-clock')?.dataset.session ?? '',
            sessionLabel: document.querySelector('#market-clock [data-session-label]')?.textContent ?? '',
            history: Number(document.getElementById('spread-chart')?.dataset.history ?? 0),
            historyError: document.getElementById('spread-chart')?.dataset.historyError ?? null,
            chartPoints: Number(document.getElementById('spread-chart')?.dataset.points ?? 0),
            leaderRank: document.querySelector('#leaderboard tr[data-role="leader"] td.rank')?.textContent ?? null,
            laggardRank: document.querySelector('#leaderboard tr[data-role="laggard"] td.rank')?.textContent ?? null,
            leaderBadges: document.querySelectorAll('#leaderboard .badge-leader').length,
            laggardBadges: document.querySelectorAll('#leaderboard .badge-laggard').length,
            intensity: document.querySelector('#leaderboard [data-intensity]')?.getAttribute('data-intensity') ?? null,
            intensityNote: document.querySelector('#leaderboard [data-footnote="intensity"]')?.textContent ?? '',
            rolesNote: document.querySelector('#leaderboard [data-footnote="roles"]')?.textContent ?? '',
            breadthNote: document.querySelector('#breadth [data-footnote="breadth-window"]')?.textContent ?? '',
          }));
        // 1d first, and the chart holds the recorded history although no update came after the page opened.
        // The chart draws on its next frame after the history is read: wait for both (on a loaded
        // machine the draw came after the read, and the points were counted in between).
        await page.waitForFunction(
          (n) => {
            const chart = document.getElementById('spread-chart')?.dataset;
            return Number(chart?.history ?? 0) >= n && Number(chart?.points ?? 0) >= n;
          },
          recorded1d,
          { polling: 100, timeout: 30_000 },
        );
        const v = await shown();
        expect(v.picked).toBe('1d');
        expect(v.historyError).toBeNull();
        expect(v.history).toBe(recorded1d);
        expect(v.chartPoints).toBeGreaterThanOrEqual(recorded1d);
        expect((await pageState(page)).spreadInk).toBeGreaterThan(1_000);

        // The clock is the data's event time in New York with its date, and the session the calendar gives it.
        const t = Date.parse(asOf);
        const session = getCalendar('XNYS').sessionContaining(t)!;
        expect(v.clock).toContain(session.date);
        expect(v.clock).toMatch(/^(Mon|Tue|Wed|Thu|Fri) \d{4}-\d{2}-\d{2} \d{2}:\d{2} ET$/);
        expect(v.session).toBe(t === session.close ? 'at_close' : 'open');
        expect(v.sessionLabel).toBe(t === session.close ? 'At the close' : 'Open');

        // One badge each, on rank 1 and rank 11 of the shown ranking.
        expect([v.leaderBadges, v.laggardBadges, v.leaderRank, v.laggardRank]).toEqual([1, 1, '1', '11']);
        expect(v.rolesNote).toContain('rank 1 and rank 11 over 1d');
        // The footnote gives the measure's real range, and the value lies in it.
        const intensity = Number(v.intensity);
        expect(intensity).toBeGreaterThanOrEqual(0);
        expect(intensity).toBeLessThanOrEqual(2);
        expect(v.intensityNote).toContain('from 0 to 2 (0 = same order, 1 = unrelated, 2 = reversed)');
        expect(v.breadthNote).toContain('does not follow the window picker');

        // Another window loads its own history.
        await page.click('#window-picker button[data-window="7d"]');
        const recorded7d = await historyCount('7d');
        await page.waitForFunction((n) => Number(document.getElementById('spread-chart')?.dataset.history ?? 0) >= n, recorded1d + recorded7d, { polling: 100, timeout: 30_000 });
        await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-market-time.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    } finally {
      await stack.stop();
    }
  }, 300_000);

  test('with auth on, the page says so without a token and works with ?token=', async ({ ns, withTopics }) => {
    await withTopics();
    const stack = await startStack(ns, { GATEWAY_AUTH_TOKENS: TOKEN });
    try {
      const { page: refused } = await openPage(`${stack.gateway.url}/`);
      try {
        const s = await waitFor(refused, 'the refusal', (x) => x.connection === 'unauthorized');
        expect(s.statusText).toContain('requires a token');
      } finally {
        await refused.close();
      }

      const { page, errors } = await openPage(`${stack.gateway.url}/?token=${TOKEN}`);
      try {
        await waitFor(page, 'the live connection', (x) => x.connection === 'live');
        expect(await page.locator('#stream-url').textContent()).not.toContain(TOKEN);
        // The token leaves the address bar after the first load and lives in this tab's sessionStorage.
        expect(page.url()).not.toContain(TOKEN);
        expect(await page.evaluate(() => sessionStorage.getItem('rotation.dashboard.token'))).toBe(TOKEN);
        await page.reload();
        await waitFor(page, 'the live connection after a reload', (x) => x.connection === 'live');
        await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '12', '--duration', '3d', '--rate', '0.02', '--speed', 'max']);
        const s = await waitFor(page, 'sector rows', (x) => x.leaderboardRows === 11 && x.spreadRows === 5);
        expect(s.connection).toBe('live');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    } finally {
      await stack.stop();
    }
  });

  test('rules panel: create from a click on a pair or a sector, field errors, pause, delete, last fired; only the owner sees them', async ({ ns, withTopics }) => {
    await withTopics();
    const ALICE = 'alice-browser-token-1234';
    const BOB = 'bob-browser-token-123456';
    const stack = await startStack(ns, { GATEWAY_AUTH_TOKENS: `alice:${ALICE},bob:${BOB}` });
    const { page, errors } = await openPage(`${stack.gateway.url}/?token=${ALICE}`);
    const rows = () => page.evaluate(() => Array.from(document.querySelectorAll('#rules-list tr[data-rule-id]'), (tr) => ({ status: tr.getAttribute('data-status'), text: tr.textContent ?? '', fired: tr.querySelector('[data-last-fired]')?.textContent ?? '' })));
    const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`page never showed ${what}; rules: ${JSON.stringify(await rows())}`);
        await page.waitForTimeout(250);
      }
    };
    try {
      await waitFor(page, 'the live connection', (x) => x.connection === 'live');
      await page.waitForSelector('#rules-list [data-msg="empty"]');
      await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '14', '--duration', '2d', '--rate', '0.02', '--speed', 'max']);
      await waitFor(page, 'spread and sector rows', (x) => x.spreadRows === 5 && x.leaderboardRows === 11);

      // A click on the IWM/SPY row starts a rule about it; a bad dwell is named by the gateway.
      await page.click('#spread-table tr[data-pair="IWM/SPY"]');
      expect(await page.inputValue('#rule-form input[name="subject"]')).toBe('IWM/SPY');
      await page.selectOption('#rule-form select[name="window"]', '1h');
      await page.fill('#rule-form input[name="value"]', '0');
      await page.fill('#rule-form input[name="dwell"]', 'soon');
      await page.click('#rule-create');
      await page.waitForSelector('#rule-errors li[data-path="dwell"]');
      await page.fill('#rule-form input[name="dwell"]', '');
      await page.click('#rule-create');
      await until('the new rule', async () => (await rows()).length === 1);
      expect(await page.locator('#rule-errors').textContent()).toBe('');
      expect((await rows())[0]).toMatchObject({ status: 'active', fired: 'never' });
      expect((await rows())[0]!.text).toContain('IWM/SPY crosses above 0 over 1h');

      // A sector from the leaderboard, then paused and deleted.
      await page.click('#leaderboard tr[data-symbol="XLK"]');
      await page.click('#rule-create');
      await until('the sector rule', async () => (await rows()).length === 2);
      await page.click('#rules-list tr:has-text("XLK") button[data-action="pause"]');
      await until('the pause', async () => (await rows()).some((r) => r.text.includes('XLK') && r.status === 'paused'));
      await page.click('#rules-list tr:has-text("XLK") button[data-action="delete"]');
      await until('the delete', async () => (await rows()).length === 1);

      // Later sessions: the rule fires, the feed shows it and the panel says when.
      await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '15', '--start', '2024-01-08T14:30:00Z', '--duration', '3d', '--rate', '0.02', '--speed', 'max']);
      await until('the rule to fire', async () => (await rows())[0]!.fired !== 'never', 120_000);
      await page.waitForFunction(() => document.getElementById('alerts')?.textContent?.includes('My rule'), null, { polling: 250, timeout: 30_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-rules.png'), fullPage: true });
      // The one refused request is the bad dwell above (Chromium logs every 4xx answer).
      expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
      expect(errors.length).toBe(1);

      // Bob sees neither Alice's rule nor its alerts.
      const { page: bob } = await openPage(`${stack.gateway.url}/?token=${BOB}`);
      try {
        await waitFor(bob, 'the live connection', (x) => x.connection === 'live' && x.alertRows > 0);
        await bob.waitForSelector('#rules-list [data-msg="empty"]');
        expect(await bob.locator('#alerts').textContent()).not.toContain('My rule');
      } finally {
        await bob.close();
      }
    } finally {
      await page.close();
      await stack.stop();
    }
  }, 300_000);

  test('reconnects by itself after the gateway restarts, and resumes', async ({ ns, withTopics }) => {
    await withTopics();
    const stack = await startStack(ns);
    let second: RunningGateway | undefined;
    const { page, errors } = await openPage(`${stack.gateway.url}/`);
    try {
      await waitFor(page, 'the live connection', (x) => x.connection === 'live');
      await ingest(ns, ['synthetic', '--scenario', 'small-cap-rotation', '--seed', '13', '--duration', '3d', '--rate', '0.02', '--speed', 'max']);
      await waitFor(page, 'sector rows', (x) => x.leaderboardRows === 11);
      // The chart's history is read once the first spreads arrive: let it land before the stop.
      await page.waitForFunction(() => document.getElementById('spread-chart')?.dataset.history !== undefined, null, { polling: 100, timeout: 30_000 });

      const port = stack.gateway.port;
      await stack.gateway.stop();
      await waitFor(page, 'the disconnect', (x) => x.connection === 'reconnecting' || x.connection === 'connecting');
      // The data already shown stays on screen while the page reconnects.
      expect((await pageState(page)).leaderboardRows).toBe(11);

      second = await startGateway(
        loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), GATEWAY_STATIC_DIR: DIST_DIR }),
        { logger: silentLogger(), port, host: '127.0.0.1', tuning: { probeMs: 300 } },
      );
      const s = await waitFor(page, 'the reconnect', (x) => x.connection === 'live' && x.leaderboardRows === 11, 60_000);
      expect(s.connection).toBe('live');
      expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket/i.test(e))).toEqual([]);
    } finally {
      await page.close();
      await second?.stop();
      await stack.stop();
    }
  });
});
