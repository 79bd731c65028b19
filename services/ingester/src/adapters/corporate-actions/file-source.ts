/**
 * `pnpm ingest actions <file>`: corporate actions from a CSV or NDJSON file (format in
 * core/corporate-actions/file.ts), published with source "replay" through the same sink as
 * every other source. Bad rows are dead letters with their reason; a file that is neither
 * format, or cannot be read, is an error before anything is published.
 */
import type { DeadLetterOrigin } from '@rotation/schemas';
import { actionFileDecoder, type ActionFileDecoder } from '../../core/corporate-actions/file.js';
import { IngesterError, IngesterErrorCode } from '../../core/errors.js';
import type { IngestSource } from '../../core/ingest-source.js';
import type { QuoteSink } from '../../core/source.js';
import { readFileLines } from '../file-lines.js';

export interface ActionsFileOptions {
  file: string;
  /** `ts` of rows without one; the time of the run otherwise. */
  now?: () => number;
  maxLineLength?: number;
}

// An action is a few dozen bytes; a 64 KiB line is not one.
const MAX_LINE = 64 * 1024;

export class ActionsFileSource implements IngestSource {
  readonly name = 'replay';
  readonly #options: ActionsFileOptions;
  #stopped = false;
  #done = 0;
  #format: ActionFileDecoder['format'] | undefined;
  #actions = 0;
  #rejected = 0;

  constructor(options: ActionsFileOptions) {
    this.#options = options;
  }

  stop(): void {
    this.#stopped = true;
  }

  progress(): { done: number; total: number | undefined } {
    return { done: this.#done, total: undefined };
  }

  /**
   * For the run summary, whose `published` counts ticks: the actions handed to the publisher
   * (less its dead letters and duplicates, they are on `<ns>.ticks`) and the rows that were not.
   */
  summary(): Record<string, unknown> {
    return { format: this.#format ?? null, actions: this.#actions, rejectedRows: this.#rejected };
  }

  async run(sink: QuoteSink): Promise<void> {
    const { file } = this.#options;
    const now = (this.#options.now ?? Date.now)();
    let decoder: ActionFileDecoder | undefined;
    try {
      for await (const l of readFileLines(file, this.#options.maxLineLength ?? MAX_LINE)) {
        if (this.#stopped) return;
        const origin: DeadLetterOrigin = { file, line: l.line };
        if (l.tooLong) {
          this.#rejected += 1;
          await sink.reject('too_large', `line longer than ${this.#options.maxLineLength ?? MAX_LINE} characters`, origin, l.text, 'replay');
          this.#done += 1;
          continue;
        }
        if (!decoder) {
          if (l.text.trim() === '') continue;
          decoder = chooseDecoder(file, l.text, now);
          this.#format = decoder.format;
          if (decoder.headerConsumed) continue;
        }
        await this.#deliver(decoder, l.text, origin, sink);
      }
    } catch (cause) {
      if (cause instanceof IngesterError) throw cause;
      throw new IngesterError(IngesterErrorCode.fileUnreadable, `cannot read ${file}: ${(cause as Error).message}`, { file }, { cause });
    }
  }

  async #deliver(decoder: ActionFileDecoder, text: string, origin: DeadLetterOrigin, sink: QuoteSink): Promise<void> {
    const r = decoder.decode(text);
    if (r === undefined) return;
    this.#done += 1;
    if (r.kind === 'action') {
      this.#actions += 1;
      await sink.event(r.raw, origin, text, 'replay');
    } else {
      this.#rejected += 1;
      await sink.reject(r.reason, r.message, origin, text, 'replay');
    }
  }
}

function chooseDecoder(file: string, firstLine: string, now: number): ActionFileDecoder {
  const r = actionFileDecoder(firstLine, now);
  if (r.ok) return r.decoder;
  throw new IngesterError(IngesterErrorCode.unknownFormat, `${file}: not a corporate actions file (first line "${firstLine.slice(0, 80)}"): ${r.message}`, { file });
}
