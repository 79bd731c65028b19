import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@rotation/log';
import type { QuoteSink, RawEvent } from '../../core/source.js';
import type { ActionWindow } from '../../core/corporate-actions/window.js';
import type { FetchReport } from './fetcher.js';
import { CorporateActionsRefresher, heldUntil } from './refresher.js';

const NOW = Date.parse('2024-06-03T14:00:00Z');
const action = (symbol: string): RawEvent => ({ type: 'corporate_action', symbol, action: 'split', exDate: '2024-06-10', ratio: 10, ts: NOW });

/** Everything the sink got, in order, as short labels. */
function recordingSink() {
  const seen: string[] = [];
  const sink: QuoteSink = {
    quote: (raw) => void seen.push(`quote ${String(raw.symbol)}`),
    reject: (reason) => void seen.push(`reject ${reason}`),
    event: (raw) => void seen.push(`action ${String(raw.symbol)}`),
    skip: (reason) => void seen.push(`skip ${reason}`),
  };
  return { sink, seen };
}

function logs() {
  const lines: Array<{ level: string; msg: string } & Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as (typeof lines)[number]);
      cb();
    },
  });
  return { logger: createLogger({ name: 't', level: 'debug', destination }), lines };
}

/** A fetcher whose rounds take `delayMs` and deliver one action per symbol. */
function fakeFetcher(symbols: string[], delayMs: number, fail?: string) {
  const windows: ActionWindow[] = [];
  return {
    windows,
    source: 'alpaca' as const,
    scrub: (m: string) => m.replaceAll('SECRET', '[redacted]'),
    async fetch(sink: QuoteSink, window: ActionWindow, signal: AbortSignal): Promise<FetchReport> {
      windows.push(window);
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      for (const s of symbols) await sink.event(action(s), { provider: 'alpaca' }, null, 'alpaca');
      return { window, queries: 1, pages: 1, actions: symbols.length, rejected: 0, failures: fail ? [{ query: 'alpaca corporate-actions SPY', code: 'FETCH_TIMEOUT', message: fail }] : [] };
    },
  };
}

const stream = (symbols: string[]) => async (sink: QuoteSink) => {
  for (const s of symbols) await sink.quote({ symbol: s, price: 1, ts: NOW }, { provider: 'alpaca' }, null, 'alpaca');
};

describe('CorporateActionsRefresher', () => {
  it('holds the stream until the start-up fetch is done: its actions come first', async () => {
    const { sink, seen } = recordingSink();
    const { logger, lines } = logs();
    const fetcher = fakeFetcher(['NVDA', 'SPY'], 30);
    const r = new CorporateActionsRefresher({ fetcher, logger, now: () => NOW, lookbackDays: 30, lookaheadDays: 30, refreshMs: 0, waitMs: 2_000 });
    await r.around(sink, stream(['SPY', 'IWM']));
    expect(seen).toEqual(['action NVDA', 'action SPY', 'quote SPY', 'quote IWM']);
    expect(fetcher.windows).toEqual([{ start: '2024-05-04', end: '2024-07-03' }]);
    expect(lines.find((l) => l.msg === 'corporate actions fetched')).toMatchObject({ level: 'info', provider: 'alpaca', actions: 2, pages: 1, failed: 0 });
  });

  it('a slow API holds the stream only for waitMs; its actions are published when they arrive', async () => {
    const { sink, seen } = recordingSink();
    const { logger, lines } = logs();
    let ended!: () => void;
    const endOfStream = new Promise<void>((resolve) => (ended = resolve));
    const rounds: unknown[] = [];
    const r = new CorporateActionsRefresher({ fetcher: fakeFetcher(['NVDA'], 150), logger, now: () => NOW, lookbackDays: 1, lookaheadDays: 1, refreshMs: 0, waitMs: 20, onRound: (o) => (rounds.push(o), ended()) });
    await r.around(sink, async (held) => {
      await stream(['SPY'])(held);
      await endOfStream;
    });
    expect(seen).toEqual(['quote SPY', 'action NVDA']);
    expect(lines.find((l) => l.level === 'warn')).toMatchObject({ msg: 'corporate actions: not fetched in time; the stream goes on and they are published when they arrive', waitMs: 20 });
    expect(rounds).toHaveLength(1);
  });

  it('refreshes on its interval while the stream runs, and stops with it', async () => {
    const { sink } = recordingSink();
    const { logger } = logs();
    const fetcher = fakeFetcher(['NVDA'], 0);
    let now = NOW;
    const r = new CorporateActionsRefresher({ fetcher, logger, now: () => now, lookbackDays: 0, lookaheadDays: 2, refreshMs: 25, waitMs: 100 });
    await r.around(sink, async () => {
      now += 86_400_000;
      await sleep(150);
    });
    const rounds = fetcher.windows.length;
    // About six rounds; a loaded machine delays timers, so only "refreshed at least once" is asserted.
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(fetcher.windows.at(-1)).toEqual({ start: '2024-06-04', end: '2024-06-06' });
    await sleep(60);
    expect(fetcher.windows).toHaveLength(rounds);
  });

  it('a failed query is a warning with its (scrubbed) reason; the stream is not affected', async () => {
    const { sink, seen } = recordingSink();
    const { logger, lines } = logs();
    const r = new CorporateActionsRefresher({ fetcher: fakeFetcher([], 0, 'timed out for key SECRET'), logger, now: () => NOW, lookbackDays: 0, lookaheadDays: 0, refreshMs: 0, waitMs: 100 });
    await r.around(sink, stream(['SPY']));
    expect(seen).toEqual(['quote SPY']);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([expect.objectContaining({ msg: 'corporate actions: fetch failed; trying again at the next refresh', code: 'FETCH_TIMEOUT', query: 'alpaca corporate-actions SPY', reason: 'timed out for key SECRET' })]);
  });

  it('a sink that throws ends the round with a warning, never an unhandled rejection', async () => {
    const { logger, lines } = logs();
    const failing: QuoteSink = { ...recordingSink().sink, event: () => Promise.reject(new Error('producer failed: SECRET')) };
    const r = new CorporateActionsRefresher({ fetcher: fakeFetcher(['NVDA'], 0), logger, now: () => NOW, lookbackDays: 0, lookaheadDays: 0, refreshMs: 0, waitMs: 100 });
    await r.around(failing, stream([]));
    expect(lines.find((l) => l.level === 'warn')).toMatchObject({ msg: 'corporate actions: round failed', reason: 'producer failed: [redacted]' });
  });

  it('stopping aborts a fetch in progress and waits for it', async () => {
    const { sink, seen } = recordingSink();
    const { logger } = logs();
    const r = new CorporateActionsRefresher({ fetcher: fakeFetcher(['NVDA'], 10_000), logger, now: () => NOW, lookbackDays: 0, lookaheadDays: 0, refreshMs: 0, waitMs: 0 });
    const started = Date.now();
    await r.around(sink, stream(['SPY']));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen[0]).toBe('quote SPY');
  });
});

describe('heldUntil', () => {
  it('keeps order across the opening of the gate and passes skips at once', async () => {
    const { sink, seen } = recordingSink();
    let open!: () => void;
    const held = heldUntil(sink, new Promise<void>((resolve) => (open = resolve)));
    held.skip('null_row', {});
    const first = held.quote({ symbol: 'A', price: 1, ts: NOW }, {}, null, 'alpaca');
    expect(seen).toEqual(['skip null_row']);
    open();
    await first;
    await held.event(action('B'), {}, null, 'alpaca');
    expect(seen).toEqual(['skip null_row', 'quote A', 'action B']);
  });
});
