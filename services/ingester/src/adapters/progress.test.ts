import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@rotation/log';
import type { IngestSource } from '../core/ingest-source.js';
import { ProgressReporter } from './progress.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ProgressReporter without a terminal', () => {
  it('logs a progress line per interval with counts, rate and ETA', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: Array<{ msg: string; progress: Record<string, number> }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const logger = createLogger({ name: 'test', destination: sink });
    let done = 0;
    const source: IngestSource = { name: 'replay', run: async () => undefined, stop: () => undefined, progress: () => ({ done, total: 1_000 }) };
    const counters = { read: 0, accepted: 0, published: 0, deadLettered: 0, deadLettersLost: 0, duplicates: 0, deadLettersByReason: {}, ineligibleByReason: {}, eventsByType: {}, skippedByReason: {} };
    const reporter = new ProgressReporter({ source, counters, logger, logEveryMs: 1_000 });
    reporter.start();
    done = 200;
    Object.assign(counters, { read: 250, accepted: 195, published: 190, deadLettered: 10 });
    vi.advanceTimersByTime(1_000);
    reporter.stop();
    vi.advanceTimersByTime(5_000); // stopped: no more lines
    expect(lines.map((l) => [l.msg, l.progress])).toEqual([
      ['progress', { done: 200, total: 1_000, read: 250, accepted: 195, published: 190, deadLettered: 10, duplicates: 0, ratePerSec: 250, etaSec: 3 }],
    ]);
  });
});
