import { SingleBar, Presets } from 'cli-progress';
import type { Logger } from '@rotation/log';
import type { IngestSource } from '../core/ingest-source.js';
import type { PublisherCounters } from './publisher.js';

export interface ProgressOptions {
  source: IngestSource;
  counters: PublisherCounters;
  logger: Logger;
  /** A progress bar on this stream (a TTY); periodic log lines when absent. */
  tty?: NodeJS.WriteStream;
  logEveryMs?: number;
}

/**
 * Progress of a run: a bar with count, rate and ETA on a terminal, a JSON log line every
 * few seconds otherwise (CI logs and containers have no use for carriage returns).
 */
export class ProgressReporter {
  readonly #options: ProgressOptions;
  #timer: NodeJS.Timeout | undefined;
  #bar: SingleBar | undefined;
  #last = { at: 0, read: 0 };

  constructor(options: ProgressOptions) {
    this.#options = options;
  }

  start(): void {
    const every = this.#options.tty ? 250 : (this.#options.logEveryMs ?? 5_000);
    this.#last = { at: Date.now(), read: this.#options.counters.read };
    this.#timer = setInterval(() => this.#tick(), every);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#bar) {
      this.#tick();
      this.#bar.stop();
    }
  }

  #tick(): void {
    const { done, total } = this.#options.source.progress();
    const c = this.#options.counters;
    const now = Date.now();
    const rate = Math.round(((c.read - this.#last.read) * 1000) / Math.max(1, now - this.#last.at));
    this.#last = { at: now, read: c.read };
    if (this.#options.tty) {
      if (!this.#bar) {
        if (total === undefined) return;
        this.#bar = new SingleBar(
          {
            stream: this.#options.tty,
            format: `${this.#options.source.name} |{bar}| {value}/{total} | {rate}/s | ETA {eta_formatted} | dlq {dlq}`,
            etaBuffer: 50,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        this.#bar.start(total, done, { rate, dlq: c.deadLettered });
      }
      this.#bar.update(done, { rate, dlq: c.deadLettered });
      return;
    }
    const etaSec = total !== undefined && rate > 0 ? Math.round((total - done) / rate) : undefined;
    this.#options.logger.info(
      { progress: { done, total, read: c.read, accepted: c.accepted, published: c.published, deadLettered: c.deadLettered, duplicates: c.duplicates, ratePerSec: rate, etaSec } },
      'progress',
    );
  }
}
