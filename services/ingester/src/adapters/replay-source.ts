import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { DeadLetterOrigin } from '@rotation/schemas';
import type { Logger } from '@rotation/log';
import { IngesterError, IngesterErrorCode } from '../core/errors.js';
import { compareRecords, decodeRecord, encodeRecord, mergeSortedRuns, type SortRecord } from '../core/event-order.js';
import { Pacer, type Speed } from '../core/pacer.js';
import type { Decoded } from '../core/parsers/decoded.js';
import { createLineDecoder, decodeAlpacaBars, detectFormat, eventTimeOf, symbolFromFileName, type FileFormat } from '../core/parsers/formats.js';
import type { IngestSource } from '../core/ingest-source.js';
import type { QuoteSink } from '../core/source.js';
import { readFileLines, readWholeText } from './file-lines.js';

export interface ReplayOptions {
  files: string[];
  /** Symbol of one-symbol daily files (overrides the file name). */
  symbol?: string;
  speed: Speed;
  logger: Logger;
  /** Records sorted in memory at a time; beyond that sorted runs spill to temp files. */
  runRecords?: number;
  /** Longer lines are dead-lettered as too_large. */
  maxLineLength?: number;
  /** Alpaca JSON documents are parsed whole, so they have a size limit of their own. */
  maxJsonBytes?: number;
  tmpDir?: string;
}

export const REPLAY_DEFAULTS = {
  // ~100k records of a few hundred bytes: tens of MB per run, a few runs per GB of input.
  runRecords: 100_000,
  maxLineLength: 64 * 1024,
  maxJsonBytes: 64 * 1024 * 1024,
} as const;

interface PlannedFile {
  file: string;
  index: number;
  format: FileFormat;
  header: string;
  symbol?: string;
}

/**
 * File replay in event-time order. Pass 1 decodes every file, hands rejections and quotes
 * without a usable time straight to the sink (they are dead letters whatever their time), and
 * sorts the rest in bounded runs, spilling to temp files. Pass 2 k-way merges the runs and
 * publishes, paced by event time. Memory: one run plus one record per spilled run.
 */
export class ReplaySource implements IngestSource {
  readonly name = 'replay';
  readonly #o: Required<Omit<ReplayOptions, 'symbol' | 'tmpDir'>> & Pick<ReplayOptions, 'symbol' | 'tmpDir'>;
  readonly #abort = new AbortController();
  #stopped = false;
  /** Records that will be published in order; known once pass 1 is done. */
  total: number | undefined;
  /** Records handed to the sink in pass 2. */
  done = 0;
  spilledRuns = 0;

  constructor(options: ReplayOptions) {
    this.#o = { ...REPLAY_DEFAULTS, ...options };
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
  }

  progress(): { done: number; total: number | undefined } {
    return { done: this.done, total: this.total };
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  async run(sink: QuoteSink): Promise<void> {
    const plan = await this.#plan();
    const dir = await mkdtemp(path.join(this.#o.tmpDir ?? tmpdir(), 'ingest-replay-'));
    try {
      const runs = await this.#sortPass(plan, sink, dir);
      if (this.#stopped) return;
      await this.#publishPass(runs, sink);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Everything that makes a whole file unusable is found before anything is published. */
  async #plan(): Promise<PlannedFile[]> {
    const plan: PlannedFile[] = [];
    for (const [index, file] of this.#o.files.entries()) {
      let header = '';
      try {
        for await (const l of readFileLines(file, this.#o.maxLineLength)) {
          header = l.text.replace(/^\uFEFF/, '');
          break;
        }
      } catch (cause) {
        throw new IngesterError(IngesterErrorCode.fileUnreadable, `cannot read ${file}: ${(cause as Error).message}`, { file }, { cause });
      }
      const format = detectFormat(file, header);
      if (!format) {
        throw new IngesterError(
          IngesterErrorCode.unknownFormat,
          `${file}: unknown format (first line "${header.slice(0, 80)}"); expected a header ts,symbol,price[,size], Date,Open,High,Low,Close[,Adj Close],Volume, NDJSON or an Alpaca bars .json`,
          { file },
        );
      }
      const symbol = this.#o.symbol ?? (format === 'yahoo' || format === 'stooq' ? symbolFromFileName(file) : undefined);
      if ((format === 'yahoo' || format === 'stooq') && !symbol) {
        throw new IngesterError(IngesterErrorCode.usage, `${file}: cannot tell the symbol from the file name; pass --symbol`, { file });
      }
      plan.push({ file, index, format, header, ...(symbol ? { symbol } : {}) });
    }
    return plan;
  }

  async #sortPass(plan: PlannedFile[], sink: QuoteSink, dir: string): Promise<Array<AsyncIterable<SortRecord> | SortRecord[]>> {
    const runs: Array<AsyncIterable<SortRecord> | SortRecord[]> = [];
    let buffer: SortRecord[] = [];
    let count = 0;
    const spill = async () => {
      buffer.sort(compareRecords);
      const file = path.join(dir, `run-${runs.length}.ndjson`);
      const fh = await open(file, 'w');
      try {
        for (let i = 0; i < buffer.length; i += 2_000) {
          await fh.write(buffer.slice(i, i + 2_000).map((r) => `${encodeRecord(r)}\n`).join(''));
        }
      } finally {
        await fh.close();
      }
      runs.push(readRun(file));
      this.spilledRuns += 1;
      buffer = [];
    };
    const take = async (p: PlannedFile, d: Decoded) => {
      const origin: DeadLetterOrigin = d.line !== undefined ? { file: p.file, line: d.line } : { file: p.file };
      if (d.kind === 'reject') return sink.reject(d.reason, d.message, origin, d.text, 'replay');
      const t = eventTimeOf(d);
      if (!t) return sink.quote(d.raw, origin, d.text, 'replay');
      buffer.push({ ts: t.ts, tsNanos: t.tsNanos, file: p.index, seq: d.seq, ...(d.line !== undefined ? { line: d.line } : {}), raw: d.raw, text: d.text });
      count += 1;
      if (buffer.length >= this.#o.runRecords) await spill();
    };

    for (const p of plan) {
      if (this.#stopped) break;
      if (p.format === 'alpaca-json') {
        const text = await readWholeText(p.file, this.#o.maxJsonBytes).catch((e: Error) => e);
        if (text instanceof Error) await sink.reject('parse_error', `file unreadable: ${text.message}`, { file: p.file }, '', 'replay');
        else if (text === undefined) await sink.reject('too_large', `JSON document larger than ${this.#o.maxJsonBytes} bytes`, { file: p.file }, '', 'replay');
        else for (const d of decodeAlpacaBars(text, this.#o.symbol)) await take(p, d);
        continue;
      }
      const decode = createLineDecoder(p.format, p.header, p.symbol ? { symbol: p.symbol } : {});
      const hasHeader = p.format !== 'ndjson';
      let lastLine = 0;
      try {
        for await (const l of readFileLines(p.file, this.#o.maxLineLength)) {
          if (this.#stopped) break;
          lastLine = l.line;
          if (hasHeader && l.line === 1) continue;
          if (l.tooLong) {
            await sink.reject('too_large', `line longer than ${this.#o.maxLineLength} characters`, { file: p.file, line: l.line }, l.text, 'replay');
            continue;
          }
          const d = decode(l.line === 1 ? l.text.replace(/^\uFEFF/, '') : l.text, l.line);
          if (d) await take(p, d);
        }
      } catch (e) {
        // A truncated or corrupt gzip ends the file, not the replay: what was read still counts.
        this.#o.logger.warn({ file: p.file, line: lastLine, err: e }, 'file ended with a read error');
        await sink.reject('parse_error', `file unreadable after line ${lastLine}: ${(e as Error).message}`, { file: p.file, line: lastLine + 1 }, '', 'replay');
      }
    }
    if (this.spilledRuns > 0 && buffer.length > 0) await spill();
    else runs.push(buffer.sort(compareRecords));
    this.total = count;
    this.#o.logger.debug({ records: count, spilledRuns: this.spilledRuns }, 'replay input sorted');
    return runs;
  }

  async #publishPass(runs: Array<AsyncIterable<SortRecord> | SortRecord[]>, sink: QuoteSink): Promise<void> {
    const pacer = new Pacer(this.#o.speed, Date.now, (ms) => sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => undefined));
    const files = this.#o.files;
    let sinceYield = 0;
    for await (const r of mergeSortedRuns(runs)) {
      if (this.#stopped) break;
      const wait = pacer.wait(r.ts);
      if (wait) {
        await wait;
        if (this.#stopped) break;
      }
      const origin: DeadLetterOrigin = r.line !== undefined ? { file: files[r.file]!, line: r.line } : { file: files[r.file]! };
      // Only wait when the sink asks to: a microtask per record is measurable at replay rates.
      const pending = sink.quote(r.raw, origin, r.text, 'replay');
      this.done += 1;
      if (pending) {
        await pending;
        sinceYield = 0;
      } else if (++sinceYield >= 2_048) {
        // In-memory runs never leave the microtask queue: let timers, signals and sockets run.
        sinceYield = 0;
        await yieldToLoop();
      }
    }
  }
}

async function* readRun(file: string): AsyncGenerator<SortRecord> {
  // Spilled lines are our own encoding; the limit only has to exceed the longest record.
  for await (const l of readFileLines(file, 1 << 30)) yield decodeRecord(l.text);
}
