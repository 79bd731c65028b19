/**
 * Corporate actions at a live start: the refresher beside a live Alpaca stream (fake websocket)
 * and a fake REST server. Actions fetched in time are handed on before the stream's first trade;
 * a slow API holds the stream only for INGESTER_ACTIONS_WAIT_MS; a refresh publishes an action
 * announced later; an unreachable API is a warning and the stream goes on.
 */
import { createServer } from 'node:net';
import { parseEnv } from '@rotation/config';
import type { DeadLetterOrigin, TickSource } from '@rotation/schemas';
import { createCorporateActionsRefresher, createLiveSource } from '@rotation/ingester';
import type { RawEvent, RawQuote } from '@rotation/ingester';
import { alpacaTrade, FakeAlpaca } from '../fakes/alpaca.js';
import { alpacaActionsHandler, startFakeActions } from '../fakes/corporate-actions.js';
import type { FakeReply } from '../fakes/rest-fake.js';
import { describe, expect, test } from '../support/fixtures.js';
import { capturedLogger, FAST, MemorySink, smallUniverse } from './support.js';

const KEY = 'AKFAKELIVECA0001';
const SECRET = 'fake-live-ca-secret-0001';
const universe = smallUniverse();
const FAST_HTTP = { timeoutMs: 3_000, retries: 1, backoff: { initialMs: 5, maxMs: 20, multiplier: 2, minMs: 0 }, random: () => 0.5 };
const TRADES = [alpacaTrade('IWM', 200.25, 10, '2024-06-03T14:30:00Z', 1), alpacaTrade('SPY', 530.5, 5, '2024-06-03T14:30:01Z', 2)];
const IWM_SPLIT = { id: 'ca-iwm-1', symbol: 'IWM', new_rate: 2, old_rate: 1, ex_date: '2024-06-10', process_date: '2024-06-10', cusip: 'C1' };
const SPY_DIVIDEND = { id: 'ca-spy-1', symbol: 'SPY', rate: 1.7588, special: false, foreign: false, ex_date: '2024-06-21', process_date: '2024-07-31', cusip: 'C2' };

/** One list of everything handed on, in order: "quote IWM", "action SPY dividend". */
class OrderedSink extends MemorySink {
  readonly order: string[] = [];
  override quote(raw: RawQuote, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void {
    this.order.push(`quote ${String(raw.symbol)}`);
    super.quote(raw, origin, rawText, source);
  }
  override event(raw: RawEvent, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void {
    this.order.push(`action ${String(raw.symbol)} ${raw.type === 'corporate_action' ? raw.action : raw.type}`);
    super.event(raw, origin, rawText, source);
  }
}

async function scenario(o: { rest: (n: number) => Partial<FakeReply> | undefined; pages: () => Array<Record<string, unknown[]>>; env?: Record<string, string>; restUrl?: string }, body: (ctx: { sink: OrderedSink; text: () => string; lines: Record<string, unknown>[]; rounds: number[] }) => Promise<void>) {
  const stream = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: [{ frames: [TRADES] }] });
  let n = 0;
  // The page the handler answers, delayed (or otherwise changed) as the scenario says.
  const rest = await startFakeActions((req) => ({ ...alpacaActionsHandler({ keyId: KEY, secretKey: SECRET, pages: o.pages() })(req), ...o.rest(n++) }));
  const { logger, text, lines } = capturedLogger();
  const env = parseEnv({ ALPACA_KEY_ID: KEY, ALPACA_SECRET_KEY: SECRET, ALPACA_STREAM_URL: stream.url, ALPACA_DATA_URL: o.restUrl ?? rest.url, INGESTER_ACTIONS_REFRESH_MS: '0', ...o.env });
  const live = createLiveSource('alpaca', { env, universe, logger, ...FAST });
  const rounds: number[] = [];
  const refresher = createCorporateActionsRefresher('alpaca', { env, universe, logger, http: FAST_HTTP, onRound: () => rounds.push(Date.now()) });
  const sink = new OrderedSink();
  const done = refresher.around(sink, (held) => live.start(held));
  try {
    await body({ sink, text, lines, rounds });
  } finally {
    await live.stop();
    await done;
    await stream.close();
    await rest.close();
  }
  expect(text()).not.toContain(SECRET);
  expect(text()).not.toContain(KEY);
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('corporate actions at a live start', () => {
  test('actions that arrive within the bound are handed on before the first trade', async () => {
    await scenario({ rest: (n) => (n === 0 ? { delayMs: 200 } : undefined), pages: () => [{ forward_splits: [IWM_SPLIT], cash_dividends: [SPY_DIVIDEND] }], env: { INGESTER_ACTIONS_WAIT_MS: '5000' } }, async ({ sink }) => {
      await sink.waitFor((s) => s.quotes.length === 2, 'both trades');
      expect(sink.order).toEqual(['action IWM split', 'action SPY dividend', 'quote IWM', 'quote SPY']);
      expect(sink.tradeEvents.map((e) => e.raw)).toEqual([
        { type: 'corporate_action', symbol: 'IWM', action: 'split', exDate: '2024-06-10', ratio: 2, id: 'ca-iwm-1', ts: expect.any(Number) },
        { type: 'corporate_action', symbol: 'SPY', action: 'dividend', exDate: '2024-06-21', amount: 1.7588, id: 'ca-spy-1', ts: expect.any(Number) },
      ]);
    });
  });

  test('a slow API holds the stream for INGESTER_ACTIONS_WAIT_MS only; its actions follow when they arrive', async () => {
    await scenario({ rest: (n) => (n === 0 ? { delayMs: 1_500 } : undefined), pages: () => [{ forward_splits: [IWM_SPLIT] }], env: { INGESTER_ACTIONS_WAIT_MS: '100' } }, async ({ sink, lines }) => {
      await sink.waitFor((s) => s.quotes.length === 2 && s.tradeEvents.length === 1, 'trades, then the late action');
      expect(sink.order).toEqual(['quote IWM', 'quote SPY', 'action IWM split']);
      expect(lines.find((l) => l.msg === 'corporate actions: not fetched in time; the stream goes on and they are published when they arrive')).toMatchObject({ level: 'warn', waitMs: 100 });
    });
  });

  test('a refresh publishes an action announced after the start', async () => {
    let announced = false;
    const pages = (): Array<Record<string, unknown[]>> => [announced ? { forward_splits: [IWM_SPLIT], cash_dividends: [SPY_DIVIDEND] } : { forward_splits: [IWM_SPLIT] }];
    await scenario({ rest: () => undefined, pages, env: { INGESTER_ACTIONS_REFRESH_MS: '150' } }, async ({ sink, rounds }) => {
      await sink.waitFor((s) => s.quotes.length === 2, 'both trades');
      expect(sink.order.slice(0, 1)).toEqual(['action IWM split']);
      announced = true;
      await sink.waitFor((s) => s.tradeEvents.some((e) => e.raw.symbol === 'SPY'), 'the dividend announced later');
      // Every round re-sends what it finds; the publisher's normaliser drops the repeats by content.
      expect(sink.tradeEvents.filter((e) => e.raw.symbol === 'IWM').length).toBeGreaterThanOrEqual(2);
      expect(rounds.length).toBeGreaterThanOrEqual(1);
    });
  });

  test('an unreachable API is a warning with its reason; the stream is not held for long and goes on', async () => {
    await scenario({ rest: () => undefined, pages: () => [], restUrl: `http://127.0.0.1:${await closedPort()}`, env: { INGESTER_ACTIONS_WAIT_MS: '2000' } }, async ({ sink, lines }) => {
      await sink.waitFor((s) => s.quotes.length === 2, 'both trades');
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (lines.some((l) => l.msg === 'corporate actions fetched')) {
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      expect(sink.tradeEvents).toEqual([]);
      expect(lines.find((l) => l.msg === 'corporate actions: fetch failed; trying again at the next refresh')).toMatchObject({ level: 'warn', provider: 'alpaca', code: 'FETCH_NETWORK', reason: expect.stringContaining('ECONNREFUSED') });
    });
  });
});
