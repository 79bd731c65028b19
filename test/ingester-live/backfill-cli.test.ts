/**
 * `pnpm ingest backfill` as a user runs it (a child process, the real broker): a past span from
 * each provider's fake REST history, paged as each pages and with a 429 on the way; run again,
 * nothing is published twice; Finnhub's free plan answers candles with 403, and the command
 * says what to do instead. Keys never reach the output.
 */
import { loadConfig } from '@rotation/config';
import type { Tick } from '@rotation/schemas';
import { historyFaults, startHistoryFake } from '../fakes/history.js';
import { FakeAlpaca } from '../fakes/alpaca.js';
import { nyDate, syntheticMarket } from '../fakes/history-market.js';
import { readTopic, spawnIngest } from '../ingester/support.js';
import { describe, expect, test } from '../support/fixtures.js';

const SYMBOLS = loadConfig({}).universe.symbols;
const MARKET = syntheticMarket({ symbols: SYMBOLS, from: '2024-08-01', now: Date.parse('2024-11-23T15:00:00Z'), seed: 21, minuteFrom: '2024-11-20' });
const TOKEN = 'finnhub-cli-token-0001';
const POLY = 'polygon-cli-key-00001';

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ingest(args: string[], env: Record<string, string>) {
  const run = spawnIngest(args, env);
  const code = await run.exit;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const base = (ns: string, brokers: string[]) => ({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: brokers.join(','), KAFKA_TICKS_PARTITIONS: '3', INGESTER_BACKFILL_REQUESTS_PER_MIN: '600' });

describe('ingest backfill (child process)', () => {
  test('polygon: a past span, paged by next_url through a 429; run again it publishes nothing new', async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const fake = await startHistoryFake('polygon', { market: MARKET, credentials: { apiKey: POLY }, pageSize: 200, faults: { 1: historyFaults.rateLimited.polygon }, now: () => MARKET.now });
    try {
      const vars = { ...base(ns, env.KAFKA_BROKERS), POLYGON_API_KEY: POLY, POLYGON_REST_URL: fake.url };
      const first = await ingest(['backfill', '--provider', 'polygon', '--from', '2024-10-01', '--to', '2024-11-22', '--minute-sessions', '1', '--json'], vars);
      expect(first.code, first.stderr).toBe(0);
      const summary = JSON.parse(first.stdout) as { published: number; input: { backfill: { bars: number; published: number; requests: number } } };
      // 39 sessions of daily bars (23 in October, 16 in November) and one session of minute bars (04:00-20:00) for each symbol.
      expect(summary.input.backfill.bars).toBe(SYMBOLS.length * (39 + 960));
      expect(summary.published).toBe(summary.input.backfill.bars);
      expect(fake.history.served.map((s) => s.status)).toContain(429);
      expect(fake.history.served.some((s) => s.query.cursor !== undefined)).toBe(true);
      const ticks = (await readTopic(kafka, topics.ticks)).filter((r) => r.key !== 'watermark').map((r) => r.value as Tick);
      expect(ticks).toHaveLength(summary.published);
      expect(new Set(ticks.map((t) => t.source))).toEqual(new Set(['polygon']));
      // A daily close is stamped at the session's close: 2024-11-22 16:00 New York.
      expect(ticks.filter((t) => t.symbol === 'SPY' && t.ts === Date.parse('2024-11-22T21:00:00Z'))).toHaveLength(2);

      const again = await ingest(['backfill', '--provider', 'polygon', '--from', '2024-10-01', '--to', '2024-11-22', '--minute-sessions', '1', '--json'], vars);
      expect(again.code, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as { published: number }).published).toBe(0);
      expect(first.stderr + again.stderr).not.toContain(POLY);
    } finally {
      await fake.server.close();
    }
  });

  test("finnhub: a paid plan's candles are published; the free plan's 403 ends the command with what to do instead", async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const paid = await startHistoryFake('finnhub', { market: MARKET, credentials: { token: TOKEN }, now: () => MARKET.now });
    const free = await startHistoryFake('finnhub', { market: MARKET, credentials: { token: TOKEN }, plan: 'free', now: () => MARKET.now });
    try {
      const args = ['backfill', '--provider', 'finnhub', '--from', '2024-11-01', '--to', '2024-11-22', '--minute-sessions', '1', '--json'];
      const ok = await ingest(args, { ...base(ns, env.KAFKA_BROKERS), FINNHUB_TOKEN: TOKEN, FINNHUB_REST_URL: `${paid.url}/api/v1` });
      expect(ok.code, ok.stderr).toBe(0);
      const summary = JSON.parse(ok.stdout) as { published: number };
      expect(summary.published).toBe(SYMBOLS.length * (16 + 960));
      // One request per symbol and resolution: Finnhub candles do not page.
      expect(paid.history.served).toHaveLength(SYMBOLS.length * 2);
      expect((await readTopic(kafka, topics.ticks)).filter((r) => r.key !== 'watermark')).toHaveLength(summary.published);

      const refused = await ingest(args, { ...base(`${ns}-free`, env.KAFKA_BROKERS), FINNHUB_TOKEN: TOKEN, FINNHUB_REST_URL: `${free.url}/api/v1` });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('HTTP 403');
      expect(refused.stderr).toContain("Finnhub's free plan has no stock candles");
      expect(refused.stderr + ok.stderr).not.toContain(TOKEN);
    } finally {
      await paid.server.close();
      await free.server.close();
    }
  });

  test('usage: a bad date is refused before anything starts; a span that ends before it starts exits 2', async ({ ns, env }) => {
    const bad = await ingest(['backfill', '--provider', 'alpaca', '--from', '2024-02-30'], base(ns, env.KAFKA_BROKERS));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected a date YYYY-MM-DD');
    const reversed = await ingest(['backfill', '--provider', 'alpaca', '--from', '2024-11-22', '--to', '2024-11-01'], { ...base(ns, env.KAFKA_BROKERS), ALPACA_KEY_ID: 'k', ALPACA_SECRET_KEY: 's' });
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('--to 2024-11-01 is before --from 2024-11-22');
  });

  test('ingest live backfills by default and says so, then streams; --no-backfill streams at once', { timeout: 240_000 }, async ({ ns, env, kafka, withTopics }) => {
    const topics = await withTopics();
    const now = Date.now();
    const market = syntheticMarket({ symbols: SYMBOLS, from: nyDate(now - 150 * 86_400_000), now: now + 3_600_000, seed: 22, minuteFrom: nyDate(now - 5 * 86_400_000) });
    const KEY = 'AKLIVECLIBACKFILL01';
    const SECRET = 'live-cli-backfill-secret-01';
    const rest = await startHistoryFake('alpaca', { market, credentials: { keyId: KEY, secretKey: SECRET }, now: Date.now });
    const stream = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: [{}] });
    try {
      const vars = { ...base(ns, env.KAFKA_BROKERS), ALPACA_KEY_ID: KEY, ALPACA_SECRET_KEY: SECRET, ALPACA_STREAM_URL: stream.url, ALPACA_DATA_URL: rest.url, INGESTER_HTTP_PORT: '0' };
      const run = spawnIngest(['live', '--provider', 'alpaca', '--json'], vars);
      await until('the hand-over', () => run.stderr().includes('backfill: streaming from'), 120_000);
      run.child.kill('SIGINT');
      const code = await run.exit;
      expect(code, run.stderr()).toBe(0);
      const summary = JSON.parse(run.stdout()) as { published: number; input: { backfill: { bars: number; published: number } } };
      expect(summary.input.backfill.published).toBeGreaterThan(0);
      expect(summary.published).toBe(summary.input.backfill.published);
      expect(run.stderr()).toContain('backfill: fetching history before the stream');
      expect((await readTopic(kafka, topics.ticks)).filter((r) => r.key !== 'watermark').length).toBe(summary.published);
      expect(run.stderr()).not.toContain(SECRET);

      const off = spawnIngest(['live', '--provider', 'alpaca', '--no-backfill', '--json'], { ...vars, ROTATION_NAMESPACE: `${ns}-off` });
      await until('the stream', () => off.stderr().includes('"msg":"subscribed"'), 60_000);
      off.child.kill('SIGINT');
      expect(await off.exit).toBe(0);
      expect(off.stderr()).toContain('backfill off');
      expect(off.stderr()).not.toContain('backfill: fetching');
    } finally {
      await stream.close();
      await rest.server.close();
    }
  });
});
