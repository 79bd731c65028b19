/** In-memory QuoteSink, log capture and a small universe for the live adapter suites. */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { parseUniverse, type Universe } from '@rotation/config';
import { createLogger, type Logger } from '@rotation/log';
import type { DeadLetterOrigin, DeadLetterReason, TickSource } from '@rotation/schemas';
import type { QuoteSink, RawEvent, RawQuote, SkipReason } from '@rotation/ingester';

export type SinkEvent =
  | { type: 'quote'; raw: RawQuote; origin: DeadLetterOrigin; rawText: string | null; source: TickSource }
  | { type: 'reject'; reason: DeadLetterReason; message: string; origin: DeadLetterOrigin; rawText: string; source: TickSource };

/** Records everything in arrival order; waitFor() resolves on a condition over the events. */
export class MemorySink implements QuoteSink {
  readonly events: SinkEvent[] = [];
  readonly #changed = new EventEmitter();

  quote(raw: RawQuote, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void {
    this.events.push({ type: 'quote', raw, origin, rawText, source });
    this.#changed.emit('change');
  }

  reject(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin, rawText: string, source: TickSource): void {
    this.events.push({ type: 'reject', reason, message, origin, rawText, source });
    this.#changed.emit('change');
  }

  /** Cancels, corrections and corporate actions, in arrival order (kept apart from `events`). */
  readonly tradeEvents: Array<{ raw: RawEvent; origin: DeadLetterOrigin; rawText: string | null; source: TickSource }> = [];
  readonly skips: Array<{ reason: SkipReason; origin: DeadLetterOrigin }> = [];

  event(raw: RawEvent, origin: DeadLetterOrigin, rawText: string | null, source: TickSource): void {
    this.tradeEvents.push({ raw, origin, rawText, source });
    this.#changed.emit('change');
  }

  skip(reason: SkipReason, origin: DeadLetterOrigin): void {
    this.skips.push({ reason, origin });
    this.#changed.emit('change');
  }

  get quotes(): RawQuote[] {
    return this.events.flatMap((e) => (e.type === 'quote' ? [e.raw] : []));
  }

  get rejects(): Extract<SinkEvent, { type: 'reject' }>[] {
    return this.events.flatMap((e) => (e.type === 'reject' ? [e] : []));
  }

  /** The timeout only turns a hang into a readable failure; nothing asserts on durations. */
  waitFor(predicate: (s: MemorySink) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!predicate(this)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`sink: timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => (e.type === 'quote' ? e.raw : e.message)))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#changed.off('change', onChange);
      };
      this.#changed.on('change', onChange);
    });
  }
}

/** A logger at debug level whose JSON lines are kept, to check what gets logged (and what never does). */
export function capturedLogger(): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) {
        if (!l) continue;
        raw.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: createLogger({ name: 'ingester-live-test', level: 'debug', destination }), lines, text: () => raw.join('\n') };
}

/** Four symbols: enough for batches and subscriptions, small enough to read in an assertion. */
export function smallUniverse(): Universe {
  return parseUniverse({
    benchmark: 'SPY',
    equalWeight: 'RSP',
    smallCaps: ['IWM'],
    largeCaps: ['SPY'],
    sectors: [
      { symbol: 'XLK', name: 'Technology' },
      { symbol: 'XLB', name: 'Materials' },
    ],
    pairs: [{ small: 'IWM', large: 'SPY' }],
    windows: ['5m'],
  });
}

/** Fast retries and a short watchdog so each scenario takes well under a second or two. */
export const FAST = {
  backoff: { initialMs: 20, maxMs: 100 },
  limitBackoff: { initialMs: 50, maxMs: 200, minMs: 50 },
  watchdog: { idleMs: 5_000, pingIntervalMs: 1_000 },
  closeTimeoutMs: 500,
  random: () => 0.5,
} as const;

/** Starts a live source; `outcome` settles like `done` but never goes unhandled. */
export function runSource(src: { start(sink: MemorySink): Promise<void> }, sink: MemorySink) {
  const done = src.start(sink);
  const outcome = done.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { done, outcome };
}

/** Runs `body` against a fake provider server and always closes it. */
export async function withServer<F extends { close(): Promise<void> }>(start: () => Promise<F>, body: (fake: F) => Promise<void>): Promise<void> {
  const fake = await start();
  try {
    await body(fake);
  } finally {
    await fake.close();
  }
}
