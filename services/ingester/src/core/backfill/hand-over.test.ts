import { describe, expect, it } from 'vitest';
import type { DeadLetterOrigin, DeadLetterReason, TickSource } from '@rotation/schemas';
import { IngesterError, IngesterErrorCode } from '../errors.js';
import type { QuoteSink, RawEvent, RawQuote, SkipReason } from '../source.js';
import { HandOver } from './hand-over.js';

/** What reached the sink behind the hand-over, in order, as short labels. */
class RecordingSink implements QuoteSink {
  readonly seen: string[] = [];
  /** Called inside quote(), before it resolves: lets a test stream while open() drains. */
  onQuote: ((raw: RawQuote) => void) | undefined;

  async quote(raw: RawQuote, _origin: DeadLetterOrigin, _text: string | null, source: TickSource): Promise<void> {
    this.onQuote?.(raw);
    await new Promise((r) => setImmediate(r));
    this.seen.push(`quote ${String(raw.symbol)} ${String(raw.ts)} ${source}`);
  }

  reject(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin): void {
    this.seen.push(`reject ${reason} ${message} frame ${origin.frame}`);
  }

  event(raw: RawEvent): void {
    this.seen.push(`${raw.type} ${String(raw.symbol)} ${String(raw.ts)}`);
  }

  skip(reason: SkipReason, origin: DeadLetterOrigin): void {
    this.seen.push(`skip ${reason} frame ${origin.frame}`);
  }
}

const CUT = Date.parse('2025-03-11T14:31:00Z');
const origin = (frame: number): DeadLetterOrigin => ({ provider: 'alpaca', frame });
const trade = (symbol: string, ts: unknown): RawQuote => ({ symbol, price: 100, size: 10, ts });
const cancel = (ts: unknown): RawEvent => ({ type: 'cancel', symbol: 'SPY', ts, id: '7', price: 100 });
const correction = (ts: unknown): RawEvent => ({ type: 'correction', symbol: 'SPY', ts, id: '8', price: 100, corrected: { price: 101 } });
const split = (ts: unknown): RawEvent => ({ type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2025-03-12', ratio: 10, ts });

function setup(maxHeld = 100) {
  const sink = new RecordingSink();
  return { sink, h: new HandOver(sink, maxHeld) };
}

describe('HandOver while the history is fetched', () => {
  it('holds quotes and events in arrival order until open(cut)', async () => {
    const { sink, h } = setup();
    await h.quote(trade('SPY', CUT + 1), origin(1), null, 'alpaca');
    await h.event(split(CUT - 60_000), origin(2), null, 'alpaca');
    await h.quote(trade('IWM', CUT + 2), origin(3), null, 'alpaca');
    expect(h.holding).toBe(3);
    expect(sink.seen).toEqual([]);
    await h.open(CUT);
    expect(h.holding).toBe(0);
    expect(sink.seen).toEqual([`quote SPY ${CUT + 1} alpaca`, `corporate_action NVDA ${CUT - 60_000}`, `quote IWM ${CUT + 2} alpaca`]);
  });

  it('passes rejects and skips at once, even while holding', async () => {
    const { sink, h } = setup();
    await h.quote(trade('SPY', CUT + 1), origin(1), null, 'alpaca');
    await h.reject('parse_error', 'not JSON', origin(2), '{', 'alpaca');
    h.skip('null_row', origin(3));
    expect(sink.seen).toEqual(['reject parse_error not JSON frame 2', 'skip null_row frame 3']);
    expect(h.holding).toBe(1);
  });

  it('drops what the backfilled bars hold: prints, cancels and corrections before the cut', async () => {
    const { sink, h } = setup();
    await h.quote(trade('SPY', CUT - 1), origin(1), null, 'alpaca');
    await h.event(cancel(CUT - 30_000), origin(2), null, 'alpaca');
    await h.event(correction('2025-03-11T14:30:59.999Z'), origin(3), null, 'alpaca');
    await h.quote(trade('SPY', CUT), origin(4), null, 'alpaca'); // exactly at the cut: the stream's
    await h.event(cancel(CUT), origin(5), null, 'alpaca');
    await h.event(split(CUT - 86_400_000), origin(6), null, 'alpaca'); // not history: always passes
    await h.open(CUT);
    expect(sink.seen).toEqual(['skip backfilled frame 1', 'skip backfilled frame 2', 'skip backfilled frame 3', `quote SPY ${CUT} alpaca`, `cancel SPY ${CUT}`, `corporate_action NVDA ${CUT - 86_400_000}`]);
    expect(h.covered).toBe(3);
  });

  it('keeps applying the cut once open', async () => {
    const { sink, h } = setup();
    await h.open(CUT);
    await h.quote(trade('SPY', CUT - 1), origin(1), null, 'alpaca'); // a straggler from before the cut
    await h.quote(trade('SPY', CUT), origin(2), null, 'alpaca');
    await h.event(correction(CUT - 1), origin(3), null, 'alpaca');
    await h.event(split(CUT - 1), origin(4), null, 'alpaca');
    await h.quote(trade('SPY', `${CUT + 5}`), origin(5), null, 'alpaca'); // epoch ms as a string is read too
    expect(sink.seen).toEqual(['skip backfilled frame 1', `quote SPY ${CUT} alpaca`, 'skip backfilled frame 3', `corporate_action NVDA ${CUT - 1}`, `quote SPY ${CUT + 5} alpaca`]);
    expect(h.covered).toBe(2);
    expect(h.holding).toBe(0);
  });

  it('passes an unreadable time on, for the normaliser to reject', async () => {
    const { sink, h } = setup();
    await h.quote(trade('SPY', 'soon'), origin(1), null, 'alpaca');
    await h.event(cancel(null), origin(2), null, 'alpaca');
    await h.open(CUT);
    await h.quote(trade('SPY', -5), origin(3), null, 'alpaca');
    expect(sink.seen).toEqual(['quote SPY soon alpaca', 'cancel SPY null', 'quote SPY -5 alpaca']);
    expect(h.covered).toBe(0);
  });

  it('queues records that arrive while open() drains behind the held ones, in order', async () => {
    const { sink, h } = setup();
    await h.quote(trade('A', CUT + 1), origin(1), null, 'alpaca');
    await h.quote(trade('B', CUT + 2), origin(2), null, 'alpaca');
    let streamed = 0;
    sink.onQuote = (raw) => {
      // Each held record's publish lets one new record stream in, until three have.
      if (streamed < 3 && raw.symbol !== 'late') void h.quote(trade(`new${++streamed}`, CUT + 10 + streamed), origin(10 + streamed), null, 'alpaca');
    };
    await h.quote(trade('late', CUT - 5), origin(9), null, 'alpaca');
    await h.open(CUT);
    expect(sink.seen).toEqual([`quote A ${CUT + 1} alpaca`, `quote B ${CUT + 2} alpaca`, 'skip backfilled frame 9', `quote new1 ${CUT + 11} alpaca`, `quote new2 ${CUT + 12} alpaca`, `quote new3 ${CUT + 13} alpaca`]);
    expect(h.holding).toBe(0);
  });

  it('fails with INGESTER_INPUT_TOO_LARGE past maxHeld, naming INGESTER_BACKFILL_BUFFER_MAX', async () => {
    const { sink, h } = setup(2);
    await h.quote(trade('SPY', CUT + 1), origin(1), null, 'alpaca');
    await h.event(cancel(CUT + 1), origin(2), null, 'alpaca');
    let thrown: unknown;
    try {
      await h.quote(trade('SPY', CUT + 2), origin(3), null, 'alpaca');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IngesterError);
    expect((thrown as IngesterError).code).toBe(IngesterErrorCode.inputTooLarge);
    expect((thrown as IngesterError).code).toBe('INGESTER_INPUT_TOO_LARGE');
    expect((thrown as IngesterError).message).toContain('INGESTER_BACKFILL_BUFFER_MAX');
    expect((thrown as IngesterError).context).toEqual({ held: 2 });
    expect(() => h.event(split(CUT), origin(4), null, 'alpaca')).toThrow(IngesterError);
    // What was held before the limit is intact.
    expect(h.holding).toBe(2);
    await h.open(CUT);
    expect(sink.seen).toEqual([`quote SPY ${CUT + 1} alpaca`, `cancel SPY ${CUT + 1}`]);
  });

  it('has no limit once open', async () => {
    const { sink, h } = setup(1);
    await h.open(CUT);
    for (let i = 0; i < 5; i++) await h.quote(trade('SPY', CUT + i), origin(i), null, 'alpaca');
    expect(sink.seen).toHaveLength(5);
  });
});

describe('HandOver across a reconnect', () => {
  it('keeps what came before the disconnect ahead of the gap, and releases one segment per open()', async () => {
    const out: string[] = [];
    const target: QuoteSink = {
      quote: (raw) => void out.push(`q ${String(raw.ts)}`),
      event: () => undefined,
      reject: () => undefined,
      skip: (reason) => void out.push(`skip ${reason}`),
    };
    const h = new HandOver(target, 100);
    const q = (ts: string) => h.quote({ symbol: 'IWM', price: 1, ts }, { provider: 'alpaca' }, null, 'alpaca');
    await q('2024-11-26T15:09:30Z');
    await q('2024-11-26T15:10:10Z');
    // The connection drops before the start's hand-over; the new one delivers from 15:20.
    h.hold();
    await q('2024-11-26T15:19:50Z');
    await q('2024-11-26T15:20:05Z');
    expect(h.newest).toBe(Date.parse('2024-11-26T15:20:05Z'));
    await h.open(Date.parse('2024-11-26T15:10:00Z'));
    expect(out).toEqual(['skip backfilled', 'q 2024-11-26T15:10:10Z']);
    expect(h.held).toBe(true);
    out.push('gap bars');
    await h.open(Date.parse('2024-11-26T15:20:00Z'));
    expect(out).toEqual(['skip backfilled', 'q 2024-11-26T15:10:10Z', 'gap bars', 'skip backfilled', 'q 2024-11-26T15:20:05Z']);
    expect(h.held).toBe(false);
    // A drop while records pass straight through holds again, from then on.
    h.hold();
    await q('2024-11-26T15:30:00Z');
    expect(h.holding).toBe(1);
  });
});
