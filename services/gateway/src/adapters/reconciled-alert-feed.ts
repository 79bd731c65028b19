import type { Logger } from '@rotation/log';
import { Alert } from '@rotation/schemas';
import type { AlertFeed, AlertSink } from '../core/alert-feed.js';
import type { SequencedAlert } from '../core/alert-log.js';
import type { AlertSequencer } from '../core/alert-sequencer.js';
import type { HistoryPosition, HistoryReader } from '../core/history-reader.js';
import type { Pool } from '../core/pool.js';
import { parseRecord } from '../core/records.js';
import { nextPage } from '../core/replay-plan.js';
import type { Metrics } from './metrics.js';

export interface ReconciledAlertFeedOptions {
  history: HistoryReader;
  sequencer: AlertSequencer;
  /** The instance's history read pool, shared with resumes. */
  reads: Pool;
  /** Alerts per history read. */
  pageSize: number;
  sink: AlertSink;
  metrics: Metrics;
  logger: Logger;
}

/**
 * `<ns>.alerts` records reconciled with the Redis history. Kafka delivers at least once and
 * can skip (the start-up window, a consumer restart's new start offsets, a stalled consumer);
 * the history holds every alert by seq. So a seq the records skipped is read from the history
 * before the next one goes on, the probe's head brings what Kafka has not delivered yet, and a
 * seq that comes by both paths goes on once (the sequencer refuses it the second time).
 */
export class ReconciledAlertFeed implements AlertFeed {
  readonly #o: ReconciledAlertFeedOptions;
  /** Alerts go on strictly one after another (gap fills are async). */
  #chain: Promise<void> = Promise.resolve();

  constructor(options: ReconciledAlertFeedOptions) {
    this.#o = options;
  }

  offer(value: Buffer | null): Promise<void> {
    const alert = parseRecord(value, Alert);
    if (!alert || alert.seq === undefined) {
      this.#o.metrics.badRecords.inc({ topic: 'alerts' });
      this.#o.logger.warn({ reason: alert ? 'missing seq' : 'invalid alert' }, 'alert record skipped');
      return this.#chain;
    }
    const seq = alert.seq;
    return this.#enqueue(() => this.#ingest({ ...alert, seq }));
  }

  reconcile(position: HistoryPosition): Promise<void> {
    const finding = this.#o.sequencer.observe(position);
    if (finding.kind === 'epoch_changed') return this.#enqueue(() => this.#o.sink.restart());
    if (finding.kind === 'behind') return this.#enqueue(() => this.#fill(finding.from, finding.to));
    return Promise.resolve();
  }

  async idle(): Promise<void> {
    let current;
    do {
      current = this.#chain;
      await current;
    } while (current !== this.#chain);
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      this.#o.logger.error({ err: error }, 'alert forwarding step failed');
    });
    return this.#chain;
  }

  async #ingest(alert: SequencedAlert): Promise<void> {
    const arrival = this.#o.sequencer.arrival(alert.seq);
    if (arrival.kind === 'duplicate') {
      this.#o.metrics.alertDuplicates.inc();
      return;
    }
    if (arrival.kind === 'gap') await this.#fill(arrival.from, arrival.to);
    // The fill may have brought this seq too (Redis had it): handed on once, whichever came first.
    if (this.#o.sequencer.arrival(alert.seq).kind !== 'duplicate') this.#o.sink.forward(alert);
  }

  /**
   * Hands on history entries from..to, a page at a time through the read pool (a long
   * consumer stall must not become one huge XRANGE); on failure the gap stays visible to
   * clients through prevSeq.
   */
  async #fill(from: number, to: number): Promise<void> {
    const { history, reads, pageSize, sequencer, sink, metrics, logger } = this.#o;
    let found = 0;
    try {
      for (let page = nextPage(from, to, pageSize); page; page = nextPage(page.to + 1, to, pageSize)) {
        const { from: a, to: b } = page;
        const alerts = await reads.run(() => history.range(a, b, b - a + 1));
        for (const alert of alerts) if (sequencer.arrival(alert.seq).kind !== 'duplicate') sink.forward(alert);
        found += alerts.length;
      }
      if (found < to - from + 1) {
        metrics.alertGapsUnfilled.inc();
        logger.warn({ from, to, found }, 'history no longer holds part of a gap');
      }
    } catch (error) {
      metrics.alertGapsUnfilled.inc();
      logger.warn({ from, to, found, err: (error as Error).message }, 'could not fill alert gap from redis; forwarding live alerts anyway');
    } finally {
      metrics.alertGapsFilled.inc(found);
    }
  }
}
