import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { DeadLetterOrigin } from '@rotation/schemas';
import type { Logger } from '@rotation/log';
import { IngesterError, IngesterErrorCode } from '../core/errors.js';
import { compareRecords, decodeRecord, encodeRecord, mergeSortedRuns, type SortRecord } from '../core/event-order.js';
import { Pacer, type Speed } from '../core/pacer.js';
import type { Timeframe } from '../core/parsers/bar-time.js';
import { flattenDecoded, type Decoded } from '../core/parsers/decoded.js';
import { ONE_SYMBOL_FORMATS, createLineDecoder, decodeAlpacaBars, detectFormat, eventTimeOf, fileBasis, refuseFile, symbolFromFileName, type FileFormat } from '../core/parsers/formats.js';
import { checkBases, type FileBasis, type PlannedBasis, type PriceBasis } from '../core/parsers/price-basis.js';
import type { IngestSource } from '../core/ingest-source.js';
import type { ReplayRange } from '../core/replay-guard.js';
import type { QuoteSink } from '../core/source.js';
import { readFileLines, readFirstLines, readWholeText, type GunzipCaps } from './file-lines.js';

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
  /** The basis to read (Yahoo Close or Adj Close) and to assume where a file cannot tell (Alpaca's adjustment). */
  priceBasis?: PriceBasis;
  /** Replay files on different price bases together instead of refusing to. */
  allowMixedBasis?: boolean;
  /** Length of intraday bars in files that do not say it (Alpaca, yfinance); inferred otherwise. */
  timeframe?: Timeframe;
  /** Bytes one gzip file may decompress to (0 = no cap). */
  maxDecompressedBytes?: number;
  /** Decompressed / compressed bytes one gzip file may reach past 16 MiB (0 = no cap). */
  maxGzipRatio?: number;
  /** Bytes of sorted runs the replay may write to its temp directory (0 = no cap). */
  maxSpillBytes?: number;
  /**
   * Called once the input is sorted, with its event-time range, before anything is published;
   * a rejection ends the run with nothing published (main.ts checks the namespace's clock).
   */
  beforePublish?: (range: ReplayRange) => Promise<void>;
}

export const REPLAY_DEFAULTS = {
  // ~100k records of a few hundred bytes: tens of MB per run, a few runs per GB of input.
  runRecords: 100_000,
  maxLineLength: 64 * 1024,
  maxJsonBytes: 64 * 1024 * 1024,
  // The same defaults as the INGESTER_MAX_* settings main.ts passes in.
  maxDecompressedBytes: 1024 ** 3,
  maxGzipRatio: 100,
  maxSpillBytes: 1024 ** 3,
} as const;

type OptionalKeys = 'symbol' | 'tmpDir' | 'priceBasis' | 'allowMixedBasis' | 'timeframe' | 'beforePublish';

interface PlannedFile {
  file: string;
  index: number;
  format: FileFormat;
  header: string;
  symbol?: string;
  basis: FileBasis;
}

type Runs = Array<AsyncIterable<SortRecord> | SortRecord[]>;

/**
 * File replay in event-time order. Pass 1 decodes every file, hands rejections, skips and
 * records without a usable time straight to the sink (dead letters or counts whatever their
 * time), and sorts quotes and events in bounded runs, spilling to temp files. Pass 2 k-way
 * merges the runs and publishes, paced by event time. Memory: one run plus one record per
 * spilled run.
 */
export class ReplaySource implements IngestSource {
  readonly name = 'replay';
  readonly #options: Required<Omit<ReplayOptions, OptionalKeys>> & Pick<ReplayOptions, OptionalKeys>;
  readonly #abort = new AbortController();
  #stopped = false;
  /** Records that will be published in order; known once pass 1 is done. */
  total: number | undefined;
  /** Records handed to the sink in pass 2. */
  done = 0;
  spilledRuns = 0;
  /** Bytes written to sorted runs so far (bounded by maxSpillBytes). */
  spilledBytes = 0;
  /** Each file's price basis, known once run() has looked at the files. */
  bases: PlannedBasis[] = [];
  /** Event time of the first and last record to publish, known once pass 1 is done. */
  range: ReplayRange | undefined;

  constructor(options: ReplayOptions) {
    this.#options = { ...REPLAY_DEFAULTS, ...options };
  }

  /** Paced, the replay is slow enough for its progress to matter before its end. */
  get progressWatermarks(): boolean {
    return this.#options.speed.kind !== 'max';
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
  }

  progress(): { done: number; total: number | undefined } {
    return { done: this.done, total: this.total };
  }

  /** For the run summary: the basis read, `mixed` (with each file's) when --allow-mixed-basis let several through. */
  summary(): Record<string, unknown> {
    const bases = new Set(this.bases.map((b) => b.basis));
    if (bases.size <= 1) return { priceBasis: [...bases][0] ?? null };
    return { priceBasis: 'mixed', priceBases: Object.fromEntries(this.bases.map((b) => [b.file, b.basis])) };
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  async run(sink: QuoteSink): Promise<void> {
    const plan = await this.#plan();
    const dir = await mkdtemp(path.join(this.#options.tmpDir ?? tmpdir(), 'ingest-replay-'));
    try {
      const runs = await this.#sortPass(plan, sink, dir);
      if (this.#stopped) return;
      if (this.range && this.#options.beforePublish) await this.#options.beforePublish(this.range);
      await this.#publishPass(runs, sink);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Everything that makes a whole file unusable, or the run's prices incomparable, is found before anything is published. */
  async #plan(): Promise<PlannedFile[]> {
    const plan: PlannedFile[] = [];
    for (const [index, file] of this.#options.files.entries()) {
      let lines: string[];
      try {
        lines = await readFirstLines(file, 2, this.#options.maxLineLength);
      } catch (cause) {
        throw new IngesterError(IngesterErrorCode.fileUnreadable, `cannot read ${file}: ${(cause as Error).message}`, { file }, { cause });
      }
      const header = (lines[0] ?? '').replace(/^\uFEFF/, '');
      const format = detectFormat(file, header);
      if (!format) {
        throw new IngesterError(
          IngesterErrorCode.unknownFormat,
          `${file}: unknown format (first line "${header.slice(0, 80)}"); expected a header ts,symbol,price[,size], Date,Open,High,Low,Close[,Adj Close],Volume, yfinance's Datetime,...,Dividends,Stock Splits, Stooq's <TICKER>,<PER>,<DATE>,..., NDJSON or Alpaca bars JSON`,
          { file },
        );
      }
      const refusal = refuseFile(format, lines[1]);
      if (refusal) throw new IngesterError(IngesterErrorCode.unknownFormat, `${file}: ${refusal}`, { file, format });
      const symbol = this.#options.symbol ?? (ONE_SYMBOL_FORMATS.has(format) ? symbolFromFileName(file) : undefined);
      if (ONE_SYMBOL_FORMATS.has(format) && !symbol) {
        throw new IngesterError(IngesterErrorCode.usage, `${file}: cannot tell the symbol from the file name; pass --symbol`, { file });
      }
      plan.push({ file, index, format, header, ...(symbol ? { symbol } : {}), basis: fileBasis(format, header, this.#options.priceBasis) });
    }
    this.#checkBases(plan);
    return plan;
  }

  #checkBases(plan: PlannedFile[]): void {
    this.bases = plan.map((p) => ({ file: p.file, basis: p.basis.basis, why: p.basis.why }));
    const problem = checkBases(this.bases, this.#options.priceBasis);
    if (problem && !this.#options.allowMixedBasis) throw new IngesterError(IngesterErrorCode.priceBasis, problem, { files: this.bases, requested: this.#options.priceBasis });
    const { priceBasis } = this.summary();
    this.#options.logger.info({ priceBasis, files: this.bases.map((b) => ({ file: b.file, priceBasis: b.basis, why: b.why })) }, `replay reads prices on the ${String(priceBasis)} basis`);
    if (problem) this.#options.logger.warn({ files: this.bases }, `--allow-mixed-basis: ${problem}`);
  }

  async #sortPass(plan: PlannedFile[], sink: QuoteSink, dir: string): Promise<Runs> {
    const runs: Runs = [];
    let buffer: SortRecord[] = [];
    let count = 0;
    const spill = async () => {
      buffer.sort(compareRecords);
      const file = path.join(dir, `run-${runs.length}.ndjson`);
      const fh = await open(file, 'w');
      try {
        for (let i = 0; i < buffer.length; i += 2_000) {
          const chunk = buffer.slice(i, i + 2_000).map((r) => `${encodeRecord(r)}\n`).join('');
          this.#chargeSpill(Buffer.byteLength(chunk, 'utf8'));
          await fh.write(chunk);
        }
      } finally {
        await fh.close();
      }
      runs.push(readRun(file));
      this.spilledRuns += 1;
      buffer = [];
    };
    const take = async (p: PlannedFile, decoded: Decoded) => {
      for (const d of flattenDecoded(decoded)) {
        const origin: DeadLetterOrigin = d.line !== undefined ? { file: p.file, line: d.line } : { file: p.file };
        if (d.kind === 'reject') await sink.reject(d.reason, d.message, origin, d.text, 'replay');
        else if (d.kind === 'skip') {
          this.#options.logger.debug({ reason: d.reason, origin, detail: d.detail }, 'input record skipped');
          sink.skip(d.reason, origin);
        } else {
          const t = eventTimeOf(d);
          if (!t) await (d.kind === 'event' ? sink.event(d.raw, origin, d.text, 'replay') : sink.quote(d.raw, origin, d.text, 'replay'));
          else {
            if (!this.range) this.range = { first: t.ts, last: t.ts };
            else if (t.ts < this.range.first) this.range.first = t.ts;
            else if (t.ts > this.range.last) this.range.last = t.ts;
            buffer.push({ ts: t.ts, tsNanos: t.tsNanos, file: p.index, seq: d.seq, ...(d.line !== undefined ? { line: d.line } : {}), raw: d.raw, text: d.text });
            count += 1;
            if (buffer.length >= this.#options.runRecords) await spill();
          }
        }
      }
    };

    for (const p of plan) {
      if (this.#stopped) break;
      if (p.format === 'alpaca-json') await this.#readJson(p, sink, (d) => take(p, d));
      else await this.#readLines(p, sink, (d) => take(p, d));
    }
    if (this.spilledRuns > 0 && buffer.length > 0) await spill();
    else runs.push(buffer.sort(compareRecords));
    this.total = count;
    this.#options.logger.debug({ records: count, spilledRuns: this.spilledRuns }, 'replay input sorted');
    return runs;
  }

  /** Refuses a write that would take the sorted runs past the spill cap: the disk stays bounded. */
  #chargeSpill(bytes: number): void {
    const cap = this.#options.maxSpillBytes;
    if (cap > 0 && this.spilledBytes + bytes > cap) {
      throw new IngesterError(
        IngesterErrorCode.inputTooLarge,
        `replay input needs more than ${cap} bytes of sorted runs on disk (INGESTER_MAX_SPILL_BYTES); split the input or raise the cap`,
        { spilledBytes: this.spilledBytes, spilledRuns: this.spilledRuns, cap },
      );
    }
    this.spilledBytes += bytes;
  }

  get #caps(): GunzipCaps {
    return { maxDecompressedBytes: this.#options.maxDecompressedBytes, maxRatio: this.#options.maxGzipRatio };
  }

  async #readJson(p: PlannedFile, sink: QuoteSink, take: (d: Decoded) => Promise<void>): Promise<void> {
    const text = await readWholeText(p.file, this.#options.maxJsonBytes, this.#caps).catch((e: Error) => e);
    if (isCapError(text)) throw text;
    if (text instanceof Error) await sink.reject('parse_error', `file unreadable: ${text.message}`, { file: p.file }, '', 'replay');
    else if (text === undefined) await sink.reject('too_large', `JSON document larger than ${this.#options.maxJsonBytes} bytes`, { file: p.file }, '', 'replay');
    else {
      const options = { ...(this.#options.symbol ? { symbol: this.#options.symbol } : {}), ...(this.#options.timeframe ? { timeframe: this.#options.timeframe } : {}) };
      for (const d of decodeAlpacaBars(text, options)) await take(d);
    }
  }

  async #readLines(p: PlannedFile, sink: QuoteSink, take: (d: Decoded) => Promise<void>): Promise<void> {
    const decode = createLineDecoder(p.format as Exclude<FileFormat, 'alpaca-json'>, p.header, {
      ...(p.symbol ? { symbol: p.symbol } : {}),
      ...(this.#options.priceBasis ? { basis: this.#options.priceBasis } : {}),
      ...(this.#options.timeframe ? { timeframe: this.#options.timeframe } : {}),
    });
    const hasHeader = p.format !== 'ndjson';
    let lastLine = 0;
    try {
      for await (const l of readFileLines(p.file, this.#options.maxLineLength, this.#caps)) {
        if (this.#stopped) break;
        lastLine = l.line;
        if (hasHeader && l.line === 1) continue;
        if (l.tooLong) {
          await sink.reject('too_large', `line longer than ${this.#options.maxLineLength} characters`, { file: p.file, line: l.line }, l.text, 'replay');
          continue;
        }
        const d = decode(l.line === 1 ? l.text.replace(/^\uFEFF/, '') : l.text, l.line);
        if (d) await take(d);
      }
    } catch (e) {
      // A cap is the replay's limit, not the file's damage: it stops the run.
      if (isCapError(e)) throw e;
      // A truncated or corrupt gzip ends the file, not the replay: what was read still counts.
      this.#options.logger.warn({ file: p.file, line: lastLine, err: e }, 'file ended with a read error');
      await sink.reject('parse_error', `file unreadable after line ${lastLine}: ${(e as Error).message}`, { file: p.file, line: lastLine + 1 }, '', 'replay');
    }
  }

  async #publishPass(runs: Array<AsyncIterable<SortRecord> | SortRecord[]>, sink: QuoteSink): Promise<void> {
    const pacer = new Pacer(this.#options.speed, Date.now, (ms) => sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => undefined));
    const files = this.#options.files;
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
      const pending = 'type' in r.raw ? sink.event(r.raw, origin, r.text, 'replay') : sink.quote(r.raw, origin, r.text, 'replay');
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

function isCapError(e: unknown): e is IngesterError {
  return e instanceof IngesterError && e.code === IngesterErrorCode.inputTooLarge;
}

async function* readRun(file: string): AsyncGenerator<SortRecord> {
  // Spilled lines are our own encoding; the limit only has to exceed the longest record.
  for await (const l of readFileLines(file, 1 << 30)) yield decodeRecord(l.text);
}
