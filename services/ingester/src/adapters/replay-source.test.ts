import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetterOrigin, DeadLetterReason } from '@rotation/schemas';
import { silentLogger } from '@rotation/log';
import type { QuoteSink, RawEvent, RawQuote, SkipReason } from '../core/source.js';
import { ReplaySource } from './replay-source.js';

class RecordingSink implements QuoteSink {
  quotes: Array<{ raw: RawQuote; origin: DeadLetterOrigin }> = [];
  rejects: Array<{ reason: DeadLetterReason; message: string; origin: DeadLetterOrigin; raw: string }> = [];
  quote(raw: RawQuote, origin: DeadLetterOrigin): void {
    this.quotes.push({ raw, origin });
  }
  reject(reason: DeadLetterReason, message: string, origin: DeadLetterOrigin, raw: string): void {
    this.rejects.push({ reason, message, origin, raw });
  }
  events: Array<{ raw: RawEvent; origin: DeadLetterOrigin }> = [];
  event(raw: RawEvent, origin: DeadLetterOrigin): void {
    this.events.push({ raw, origin });
  }
  skipped: Array<{ reason: SkipReason; origin: DeadLetterOrigin }> = [];
  skip(reason: SkipReason, origin: DeadLetterOrigin): void {
    this.skipped.push({ reason, origin });
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'replay-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (s: number) => new Date(Date.UTC(2024, 0, 2, 15, 0, s)).toISOString();

describe('ReplaySource', () => {
  it.each([1, 3, 1_000])('publishes unsorted files in one stable event-time order (runs of %i records)', async (runRecords) => {
    const a = path.join(dir, 'a.csv');
    const b = path.join(dir, 'b.ndjson.gz');
    await writeFile(a, ['ts,symbol,price', `${at(5)},IWM,5`, `${at(1)},IWM,1`, `${at(3)},SPY,3`, `${at(3)},IWM,3a`, 'bad line', ''].join('\n'));
    await writeFile(
      b,
      gzipSync([{ symbol: 'SPY', price: 4, ts: at(4) }, { symbol: 'IWM', price: '3b', ts: at(3) }, { symbol: 'SPY', price: 0, ts: at(0) }, { symbol: 'SPY', price: 9, ts: 'never' }].map((o) => JSON.stringify(o)).join('\n')),
    );
    const sink = new RecordingSink();
    const source = new ReplaySource({ files: [a, b], speed: { kind: 'max' }, logger: silentLogger(), runRecords, tmpDir: dir });
    await source.run(sink);
    // The quote with an unparseable time goes straight through (the normaliser dead-letters it).
    expect(sink.quotes.map((q) => q.raw.price)).toEqual([9, 0, '1', '3', '3a', '3b', 4, '5']);
    expect(sink.quotes.map((q) => q.origin)).toContainEqual({ file: b, line: 2 });
    expect(sink.rejects).toEqual([{ reason: 'parse_error', message: 'expected 3 fields (ts,symbol,price), got 1', origin: { file: a, line: 6 }, raw: 'bad line' }]);
    expect(source.total).toBe(7);
    expect(source.spilledRuns).toBe(runRecords === 1_000 ? 0 : Math.ceil(7 / runRecords));
  });

  it('dead-letters over-long lines and a truncated gzip without stopping', async () => {
    const f = path.join(dir, 't.csv.gz');
    const full = gzipSync(['ts,symbol,price', `${at(1)},IWM,1`, `${at(2)},IWM,${'9'.repeat(100)}`, ...Array.from({ length: 2000 }, (_, i) => `${at(3)},IWM,${i + 1}`)].join('\n'));
    await writeFile(f, full.subarray(0, full.length - 40));
    const sink = new RecordingSink();
    await new ReplaySource({ files: [f], speed: { kind: 'max' }, logger: silentLogger(), maxLineLength: 64, tmpDir: dir }).run(sink);
    expect(sink.rejects[0]).toMatchObject({ reason: 'too_large', origin: { file: f, line: 3 } });
    expect(sink.rejects.at(-1)).toMatchObject({ reason: 'parse_error', message: expect.stringContaining('file unreadable after line') });
    expect(sink.quotes[0]?.raw.price).toBe('1');
  });

  it('takes daily files symbol from the name and refuses unknown formats before publishing', async () => {
    const s = path.join(dir, 'iwm.us.csv');
    await writeFile(s, 'Date,Open,High,Low,Close,Volume\n2024-01-03,1,1,1,2,10\n2024-01-02,1,1,1,1,10\n');
    const sink = new RecordingSink();
    await new ReplaySource({ files: [s], speed: { kind: 'max' }, logger: silentLogger(), tmpDir: dir }).run(sink);
    expect(sink.quotes.map((q) => [q.raw.symbol, q.raw.price])).toEqual([['IWM', '1'], ['IWM', '2']]);

    const u = path.join(dir, 'u.csv');
    await writeFile(u, 'when,what\n1,2\n');
    await expect(new ReplaySource({ files: [s, u], speed: { kind: 'max' }, logger: silentLogger() }).run(new RecordingSink())).rejects.toThrow(/unknown format/);
    await expect(new ReplaySource({ files: [path.join(dir, 'missing.csv')], speed: { kind: 'max' }, logger: silentLogger() }).run(new RecordingSink())).rejects.toThrow(/cannot read/);
  });
});
