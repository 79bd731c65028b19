import type { Logger } from '@rotation/log';
import type { AlertSequencer, ReplayPage } from '../core/alert-sequencer.js';
import type { ChannelCursor } from '../core/channel-cursor.js';
import type { AlertChannel, Viewer } from '../core/channels.js';
import type { HistoryReader } from '../core/history-reader.js';
import type { Pool } from '../core/pool.js';
import { nextPage, type Page } from '../core/replay-plan.js';
import { AHEAD_WAIT_MS } from '../core/resume.js';
import type { Connection } from './connection.js';
import type { Metrics } from './metrics.js';

export interface AlertResumerOptions {
  sequencer: AlertSequencer;
  history: HistoryReader;
  /** The instance's history read pool, shared with gap fills. */
  reads: Pool;
  /** Alerts per replay page (one Redis read, one step of a connection's backlog). */
  pageSize: number;
  /** A replay waiting on a socket that has flushed nothing this long closes it as a slow consumer. */
  stallMs: number;
  /** How long a resume ahead of every head seen waits for the head (default AHEAD_WAIT_MS). */
  aheadWaitMs: number | undefined;
  metrics: Metrics;
  logger: Logger;
  /** A replay could not read the history: the hub drops the subscription and tells the client to retry. */
  onUnavailable: (conn: Connection, channel: AlertChannel, id: string) => void;
}

/**
 * Starts a new alert subscription where the client left off: a snapshot without a resume,
 * else what the sequencer plans (live, resync, wait for the head, or a replay from memory or
 * the Redis history, paged and paced by the connection's buffer). The cursor holds live
 * frames until then and releases them after, so replay and live meet with no gap and no
 * duplicate. The I/O of resuming: reads, timers, socket waits.
 */
export class AlertResumer {
  readonly #o: AlertResumerOptions;

  constructor(options: AlertResumerOptions) {
    this.#o = options;
  }

  start(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, lastSeq: number | undefined, clientEpoch: string | undefined, id: string): void {
    const { sequencer, metrics } = this.#o;
    const head = sequencer.head;
    if (lastSeq === undefined) {
      conn.goLive(cursor, head);
      conn.send(sequencer.snapshotFrame(channel, conn.viewer));
      return;
    }
    const plan = sequencer.planResume(lastSeq, clientEpoch);
    metrics.resumes.inc({ outcome: plan.kind });
    switch (plan.kind) {
      case 'live':
        conn.goLive(cursor, plan.minSeq);
        return;
      case 'resync':
        conn.goLive(cursor, head);
        conn.send(sequencer.resyncFrame(channel, plan.reason, conn.viewer));
        return;
      case 'ahead':
        this.#awaitHead(conn, channel, cursor, plan.lastSeq);
        return;
      case 'memory':
      case 'history': {
        // One replay in flight per connection; a later one waits its turn (live frames wait in
        // the cursor meanwhile). A replay whose subscription is gone by then does nothing.
        const run = (): Promise<void> => this.#replay(conn, channel, cursor, lastSeq, head, id);
        conn.replays = conn.replays.then(run, run);
        return;
      }
    }
  }

  /**
   * A client ahead of every head seen (it came from an instance further along, or its seq is
   * bogus): live once this instance or its probe gets there, else a resync. Polls memory
   * only; live alerts wait in the cursor meanwhile.
   */
  #awaitHead(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, lastSeq: number): void {
    const deadline = Date.now() + (this.#o.aheadWaitMs ?? AHEAD_WAIT_MS);
    const check = (): void => {
      if (!current(conn, channel, cursor)) return;
      if (this.#o.sequencer.reached(lastSeq)) return conn.goLive(cursor, lastSeq);
      if (Date.now() < deadline) return void setTimeout(check, 100).unref();
      this.#o.metrics.resumes.inc({ outcome: 'resync_ahead_of_history' });
      this.#resync(conn, channel, cursor, 'ahead_of_history');
    };
    check();
  }

  /** A resync instead of the replay: the recent alerts and the head, then what the cursor held past it. */
  #resync(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, reason: 'ahead_of_history' | 'history_trimmed'): void {
    const held = cursor.goLive(this.#o.sequencer.head);
    conn.send(this.#o.sequencer.resyncFrame(channel, reason, conn.viewer));
    for (const buf of held) conn.send(buf);
  }

  /**
   * Replays lastSeq+1..target a page at a time: from the in-memory log when it reaches back
   * (shared frames, no JSON work), else from Redis through the instance's read pool. Each page
   * is queued only once the connection has drained below half its budget, so memory per
   * connection stays within GATEWAY_MAX_BUFFER_BYTES plus one page, whatever the client does.
   */
  async #replay(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, lastSeq: number, target: number, id: string): Promise<void> {
    const { pageSize } = this.#o;
    let prev = lastSeq;
    try {
      for (let page = nextPage(lastSeq + 1, target, pageSize); page; page = nextPage(page.to + 1, target, pageSize)) {
        if (!current(conn, channel, cursor)) return;
        const got = await this.#page(channel, page, prev, conn.viewer);
        if (!current(conn, channel, cursor)) return;
        if (got === 'trimmed') {
          this.#o.metrics.resumes.inc({ outcome: 'resync_history_trimmed' });
          conn.dropReplay(channel);
          return this.#resync(conn, channel, cursor, 'history_trimmed');
        }
        if (!(await this.#queuePage(conn, channel, cursor, got.bufs))) return;
        prev = got.prev;
      }
    } catch (error) {
      if (!current(conn, channel, cursor)) return;
      this.#o.logger.warn({ conn: conn.id, channel, err: (error as Error).message }, 'resume could not read history');
      conn.dropReplay(channel);
      this.#o.onUnavailable(conn, channel, id);
      return;
    }
    if (!current(conn, channel, cursor)) return;
    conn.goLive(cursor, Math.max(lastSeq, target));
  }

  /** One page of a replay: from memory when it reaches back, else one read of the history through the pool. */
  async #page(channel: AlertChannel, page: Page, prev: number, viewer: Viewer): Promise<ReplayPage | 'trimmed'> {
    const { sequencer, reads, history } = this.#o;
    if (sequencer.pageSource(page) === 'memory') return sequencer.memoryPage(channel, page, prev, viewer);
    const alerts = await reads.run(() => history.range(page.from, page.to, page.to - page.from + 1));
    return sequencer.historyPage(channel, page, alerts, prev, viewer);
  }

  /**
   * Queues a page in chunks of at most half the connection's budget, each once the buffer has
   * room: a page of large alerts must not overflow a client that reads. False when it stopped.
   */
  async #queuePage(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, bufs: readonly Buffer[]): Promise<boolean> {
    for (let i = 0; i < bufs.length; ) {
      if ((await conn.waitForRoom(this.#o.stallMs)) === 'closed' || !current(conn, channel, cursor)) return false;
      let bytes = 0;
      let j = i;
      while (j < bufs.length && (j === i || bytes + bufs[j]!.byteLength <= conn.replayChunkBytes)) bytes += bufs[j++]!.byteLength;
      conn.sendBacklog(bufs.slice(i, j), channel);
      i = j;
    }
    return !conn.closed;
  }
}

/** Still the subscription this replay serves (not unsubscribed, not superseded, socket open)? */
function current(conn: Connection, channel: AlertChannel, cursor: ChannelCursor): boolean {
  return !conn.closed && conn.subs.get(channel) === cursor;
}
