import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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

  it('sorts cancels, corrections and actions with the ticks by their time and hands them to event()', async () => {
    const f = path.join(dir, 'recorded.ndjson');
    const lines = [
      { symbol: 'NVDA', price: 2, ts: at(3), id: 'b' },
      { type: 'cancel', symbol: 'NVDA', ts: at(1), id: 'a', price: 1 },
      { symbol: 'NVDA', price: 1, ts: at(1), id: 'a', conditions: ['@'] },
      { type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-01-03', ratio: 10, ts: at(2) },
    ];
    await writeFile(f, lines.map((l) => JSON.stringify(l)).join('\n'));
    const order: string[] = [];
    const sink = new RecordingSink();
    sink.quote = (raw) => void order.push(`tick ${String(raw.id)}`);
    sink.event = (raw) => void order.push(raw.type);
    await new ReplaySource({ files: [f], speed: { kind: 'max' }, logger: silentLogger(), runRecords: 2, tmpDir: dir }).run(sink);
    // Equal times keep file order: the cancel (line 2) before the print it cancels (line 3) here.
    expect(order).toEqual(['cancel', 'tick a', 'corporate_action', 'tick b']);
  });

  it('counts Yahoo null rows as skipped, and publishes yfinance dividends beside the bars', async () => {
    const y = path.join(dir, 'IWM.csv');
    await writeFile(y, 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-07-03,1,1,1,2,2,5\n2024-07-04,null,null,null,null,null,null\n');
    const e = path.join(dir, 'EWG.csv');
    await writeFile(e, 'Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits\n2022-06-08 00:00:00-04:00,1,1,1,3,2.9,5,0.0,0.0\n2022-06-09 00:00:00-04:00,1,1,1,2,1.9,5,0.792,2.0\n');
    const sink = new RecordingSink();
    await new ReplaySource({ files: [y, e], speed: { kind: 'max' }, logger: silentLogger(), tmpDir: dir }).run(sink);
    expect(sink.skipped).toEqual([
      { reason: 'null_row', origin: { file: y, line: 3 } },
      { reason: 'already_adjusted', origin: { file: e, line: 3 } },
    ]);
    expect(sink.events).toEqual([{ raw: { type: 'corporate_action', symbol: 'EWG', action: 'dividend', exDate: '2022-06-09', amount: 0.792, ts: Date.parse('2022-06-09T04:00:00Z') }, origin: { file: e, line: 3 } }]);
    expect(sink.quotes.map((q) => [q.raw.symbol, new Date(q.raw.ts as number).toISOString()])).toEqual([
      ['EWG', '2022-06-08T20:00:00.000Z'],
      ['EWG', '2022-06-09T20:00:00.000Z'],
      ['IWM', '2024-07-03T17:00:00.000Z'],
    ]);
    expect(sink.rejects).toEqual([]);
  });

  describe('price basis', () => {
    const yahoo = () => path.join(dir, 'IWM.csv');
    const ticks = () => path.join(dir, 'ticks.csv');
    const stooq = () => path.join(dir, 'spy.us.txt');
    beforeEach(async () => {
      await writeFile(yahoo(), 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,2,1.9,5\n');
      await writeFile(ticks(), `ts,symbol,price\n${at(1)},IWM,2\n`);
      await writeFile(stooq(), '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\nSPY.US,D,20240102,000000,1,1,1,470,5,0\n');
    });
    const run = (files: string[], o: Partial<ConstructorParameters<typeof ReplaySource>[0]> = {}) => {
      const sink = new RecordingSink();
      const source = new ReplaySource({ files, speed: { kind: 'max' }, logger: silentLogger(), tmpDir: dir, ...o });
      return { sink, source, done: source.run(sink) };
    };

    it('refuses files on different bases before publishing anything, naming each', async () => {
      const { sink, done } = run([ticks(), yahoo()]);
      await expect(done).rejects.toMatchObject({
        code: 'INGESTER_PRICE_BASIS',
        message: expect.stringMatching(/^price bases differ within one run: .*ticks\.csv: unadjusted \(tick CSV prints as traded\); .*IWM\.csv: split_adjusted \(Yahoo Close, split-adjusted\)\..*--allow-mixed-basis$/),
      });
      expect([sink.quotes, sink.rejects, sink.skipped]).toEqual([[], [], []]);
    });

    it('refuses a requested basis a file cannot give', async () => {
      await expect(run([stooq()], { priceBasis: 'split_adjusted' }).done).rejects.toThrow(/--price-basis split_adjusted cannot be read from these files: .*spy\.us\.txt: total_return \(Stooq Close, split- and dividend-adjusted\)/);
    });

    it('reads Adj Close when asked, and says so in the summary', async () => {
      const r = run([yahoo(), stooq()], { priceBasis: 'total_return' });
      await r.done;
      expect(r.sink.quotes.map((q) => q.raw.price)).toEqual(['1.9', '470']);
      expect(r.source.summary()).toEqual({ priceBasis: 'total_return' });
    });

    it('replays a mix when allowed, and the summary lists each file', async () => {
      const r = run([ticks(), yahoo()], { allowMixedBasis: true });
      await r.done;
      expect(r.sink.quotes).toHaveLength(2);
      expect(r.source.summary()).toEqual({ priceBasis: 'mixed', priceBases: { [ticks()]: 'unadjusted', [yahoo()]: 'split_adjusted' } });
    });
  });

  it('refuses a Stooq bulk file of intraday bars before publishing', async () => {
    const f = path.join(dir, 'spy.us.txt');
    await writeFile(f, '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\nSPY.US,5,20240102,153500,1,1,1,470,5,0\n');
    await expect(new ReplaySource({ files: [f], speed: { kind: 'max' }, logger: silentLogger() }).run(new RecordingSink())).rejects.toMatchObject({ code: 'INGESTER_UNKNOWN_FORMAT', message: expect.stringContaining('<PER> 5: only daily (D) Stooq bars are read') });
  });

  it('stops with an inputTooLarge error once the sorted runs would pass the spill cap, and cleans up', async () => {
    const a = path.join(dir, 'many.csv');
    await writeFile(a, ['ts,symbol,price', ...Array.from({ length: 500 }, (_, i) => `${at(i % 60)},IWM,${i + 1}`)].join('\n'));
    const work = path.join(dir, 'work');
    await mkdir(work);
    const source = new ReplaySource({ files: [a], speed: { kind: 'max' }, logger: silentLogger(), runRecords: 50, tmpDir: work, maxSpillBytes: 8_000 });
    await expect(source.run(new RecordingSink())).rejects.toMatchObject({ code: 'INGESTER_INPUT_TOO_LARGE', message: expect.stringMatching(/INGESTER_MAX_SPILL_BYTES/) });
    expect(source.spilledBytes).toBeLessThanOrEqual(8_000);
    expect(await readdir(work)).toEqual([]);
  });

  it('a gzip past the decompressed cap stops the replay (a corrupt one only ends its file)', async () => {
    const bomb = path.join(dir, 'bomb.csv.gz');
    await writeFile(bomb, gzipSync(Buffer.concat([Buffer.from('ts,symbol,price\n'), Buffer.alloc(2 * 1024 * 1024, `${at(1)},IWM,1\n`)])));
    const source = new ReplaySource({ files: [bomb], speed: { kind: 'max' }, logger: silentLogger(), tmpDir: dir, maxDecompressedBytes: 256 * 1024 });
    await expect(source.run(new RecordingSink())).rejects.toMatchObject({ code: 'INGESTER_INPUT_TOO_LARGE', message: expect.stringMatching(/INGESTER_MAX_DECOMPRESSED_BYTES/) });
  });
});
