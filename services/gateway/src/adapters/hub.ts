import type { Logger } from '@rotation/log';
import {
  Alert,
  CloseCode,
  SnapshotRecord,
  type Channel,
  type ClientCommand,
  type WsErrorCode,
} from '@rotation/schemas';
import type { AlertLog, SequencedAlert } from '../core/alert-log.js';
import { AlertSequencer, type ReplayPage } from '../core/alert-sequencer.js';
import { ChannelCursor } from '../core/channel-cursor.js';
import { channelAllowed, isAlertChannel, isStateLike, type AlertChannel, type Viewer } from '../core/channels.js';
import { parseCommand } from '../core/commands.js';
import { frames } from '../core/frames.js';
import type { HistoryReader } from '../core/history-reader.js';
import { Pool } from '../core/pool.js';
import { parseRecord } from '../core/records.js';
import { nextPage, type Page } from '../core/replay-plan.js';
import { AHEAD_WAIT_MS } from '../core/resume.js';
import { StateBoard } from '../core/state-board.js';
import { SubscriptionRegistry } from '../core/subscriptions.js';
import type { Connection } from './connection.js';
import type { Metrics } from './metrics.js';

export interface HubOptions {
  store: HistoryReader;
  metrics: Metrics;
  logger: Logger;
  instance: string;
  heartbeatMs: number;
  maxSubscriptions: number;
  maxCommandBytes: number;
  /** Alerts kept in memory (with their encoded frames) for resumes. */
  memoryAlerts: number;
  /** Most alerts one resume replays. */
  maxReplay: number;
  /** Alerts included in the `snapshot`/`resync` of an alert channel. */
  recentAlerts: number;
  /** Alerts per replay page (one Redis read, one step of a connection's backlog). */
  historyPageSize: number;
  /** Redis history reads in flight at once for the whole instance. */
  historyReads: number;
  /** A replay waiting on a socket that has flushed nothing this long closes it as a slow consumer. */
  stallMs: number;
  /** How long a resume ahead of every head seen waits for the head (default AHEAD_WAIT_MS). */
  aheadWaitMs?: number;
}

const NOBODY: ReadonlySet<Connection> = new Set();

function viewerOf(conn: Connection): Viewer {
  return { owner: conn.subject, admin: conn.admin };
}

/**
 * The gateway's state and fan-out: alerts and snapshots come in (Kafka, or the history when a
 * gap needs filling), are encoded once, and go to every subscriber's connection as the same
 * buffer. What is forwarded next and what a resume gets is decided by the AlertSequencer;
 * this class does the reads, the timers and the sockets around it. Commands from connections
 * land here too, already rate limited by the connection.
 */
export class Hub {
  readonly registry = new SubscriptionRegistry<Connection>();
  readonly state: StateBoard;
  readonly #options: HubOptions;
  readonly #sequencer: AlertSequencer;
  readonly #connections = new Set<Connection>();
  /** `alerts:mine` subscribers by owner: a rule alert goes to its owner's connections only, found in one lookup. */
  readonly #mine = new Map<string, Set<Connection>>();
  /** Alerts are forwarded strictly one after another (gap fills are async). */
  #chain: Promise<void> = Promise.resolve();
  /** Shared by every connection's replays: Redis sees a few short reads, never one per client. */
  readonly #historyReads: Pool;
  redisUp = false;

  constructor(options: HubOptions) {
    this.#options = options;
    this.#historyReads = new Pool(options.historyReads);
    this.#sequencer = new AlertSequencer(options);
    this.state = new StateBoard('0');
  }

  /** The alerts forwarded, with the most recent in memory (HTTP alerts API, position marks). */
  get alerts(): AlertLog {
    return this.#sequencer.log;
  }

  get epoch(): string {
    return this.#sequencer.epoch;
  }

  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** Loads epoch, head, recent history and the snapshot from Redis (start-up, epoch change). */
  async load(): Promise<void> {
    const { store } = this.#options;
    const [position, tail, snapshot] = await Promise.all([store.position(), store.tail(this.#options.memoryAlerts), store.snapshot()]);
    this.#sequencer.reset(position, tail);
    this.state.reset(position.epoch, snapshot);
    this.redisUp = true;
    this.#options.logger.info({ epoch: position.epoch, head: this.alerts.head, inMemory: tail.length, snapshotVersion: this.state.version }, 'state loaded from redis');
  }

  // ---- inbound data -------------------------------------------------------------------

  /** A record from `<ns>.alerts`. Resolves once it (and any gap before it) is forwarded. */
  onAlertRecord(value: Buffer | null): Promise<void> {
    const alert = parseRecord(value, Alert);
    if (!alert || alert.seq === undefined) {
      this.#options.metrics.badRecords.inc({ topic: 'alerts' });
      this.#options.logger.warn({ reason: alert ? 'missing seq' : 'invalid alert' }, 'alert record skipped');
      return this.#chain;
    }
    const seq = alert.seq;
    return this.#enqueue(() => this.#ingest({ ...alert, seq }));
  }

  /** A record from `<ns>.snapshots`. */
  onSnapshotRecord(value: Buffer | null): void {
    const record = parseRecord(value, SnapshotRecord);
    if (!record) {
      this.#options.metrics.badRecords.inc({ topic: 'snapshots' });
      this.#options.logger.warn('snapshot record skipped: does not match SnapshotRecord');
      return;
    }
    this.#applySnapshot(record);
  }

  #applySnapshot(record: SnapshotRecord): void {
    const out = this.state.update(record);
    if (!out) return;
    this.#options.metrics.snapshotsForwarded.inc();
    for (const f of out) for (const conn of this.registry.subscribers(f.channel)) conn.deliver(f.channel, f.seq, f.buf, true);
    // Subject-scoped state channels: one frame per channel somebody holds, shared by its subscribers.
    for (const channel of this.#scopedChannels((ch) => isStateLike(ch))) {
      const buf = this.state.scopedEventFrame(channel);
      for (const conn of this.registry.subscribers(channel)) conn.deliver(channel, this.state.version, buf, true);
    }
    observeEventAge(this.#options.metrics, 'snapshot', record.snapshot.asOf);
  }

  /** The subject-scoped channels with subscribers that `keep` accepts (a few at most per subject watched). */
  #scopedChannels(keep: (channel: Channel) => boolean): Channel[] {
    const out: Channel[] = [];
    for (const ch of this.registry.activeChannels()) if (ch.includes('@') && keep(ch)) out.push(ch);
    return out;
  }

  /**
   * Periodic Redis probe: readiness, epoch changes, and alerts that Redis has but Kafka has
   * not delivered to this instance (start-up window, a stalled consumer).
   */
  async probe(): Promise<void> {
    try {
      const finding = this.#sequencer.observe(await this.#options.store.position());
      this.redisUp = true;
      if (finding.kind === 'epoch_changed') await this.#enqueue(() => this.#epochChanged());
      else if (finding.kind === 'behind') await this.#enqueue(() => this.#fill(finding.from, finding.to));
    } catch (error) {
      if (this.redisUp) this.#options.logger.warn({ err: (error as Error).message }, 'redis probe failed; not ready');
      this.redisUp = false;
    } finally {
      this.#options.metrics.redisUp.set(this.redisUp ? 1 : 0);
    }
  }

  /**
   * Applies the snapshot in Redis if it is newer than ours (after a consumer restart, whose
   * new start offsets may skip records: alerts are refilled by the probe, state by this).
   */
  async refreshSnapshot(): Promise<void> {
    const record = await this.#options.store.snapshot();
    if (record) this.#applySnapshot(record);
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      this.#options.logger.error({ err: error }, 'alert forwarding step failed');
    });
    return this.#chain;
  }

  async #ingest(alert: SequencedAlert): Promise<void> {
    const arrival = this.#sequencer.arrival(alert.seq);
    if (arrival.kind === 'duplicate') {
      this.#options.metrics.alertDuplicates.inc();
      return;
    }
    if (arrival.kind === 'gap') await this.#fill(arrival.from, arrival.to);
    // The fill may have brought this seq too (it was in Redis): forwarded once, whichever came first.
    this.#forward(alert);
  }

  /**
   * Forwards history entries from..to, a page at a time through the instance's read pool (a
   * long consumer stall must not become one huge XRANGE); on failure the gap stays visible
   * through prevSeq.
   */
  async #fill(from: number, to: number): Promise<void> {
    let found = 0;
    try {
      for (let page = nextPage(from, to, this.#options.historyPageSize); page; page = nextPage(page.to + 1, to, this.#options.historyPageSize)) {
        const { from: a, to: b } = page;
        const alerts = await this.#historyReads.run(() => this.#options.store.range(a, b, b - a + 1));
        for (const alert of alerts) this.#forward(alert);
        found += alerts.length;
      }
      if (found < to - from + 1) {
        this.#options.metrics.alertGapsUnfilled.inc();
        this.#options.logger.warn({ from, to, found }, 'history no longer holds part of a gap');
      }
    } catch (error) {
      this.#options.metrics.alertGapsUnfilled.inc();
      this.#options.logger.warn({ from, to, found, err: (error as Error).message }, 'could not fill alert gap from redis; forwarding live alerts anyway');
    } finally {
      this.#options.metrics.alertGapsFilled.inc(found);
    }
  }

  /** Fans an alert out, unless its seq was forwarded already. */
  #forward(alert: SequencedAlert): void {
    const logged = this.#sequencer.forward(alert);
    if (!logged) return;
    this.#options.metrics.alertsForwarded.inc();
    for (const f of logged.frames) {
      // alerts:mine is one channel name for every owner: each connection gets its own owner's.
      const subs = f.channel === 'alerts:mine' ? (this.#mine.get(alert.owner ?? '') ?? NOBODY) : this.registry.subscribers(f.channel);
      for (const conn of subs) conn.deliver(f.channel, alert.seq, f.buf, false);
    }
    const scoped = this.#scopedChannels((ch) => isAlertChannel(ch)) as AlertChannel[];
    for (const f of this.#sequencer.scopedFrames(alert, scoped)) for (const conn of this.registry.subscribers(f.channel)) conn.deliver(f.channel, alert.seq, f.buf, false);
    observeEventAge(this.#options.metrics, 'alert', alert.eventTime);
  }

  async #epochChanged(): Promise<void> {
    const old = this.epoch;
    await this.load();
    this.#options.logger.warn({ from: old, to: this.epoch }, 'history epoch changed; alert subscribers resync');
    for (const conn of this.#connections) {
      for (const channel of conn.subs.keys()) {
        if (!isAlertChannel(channel)) continue;
        // A replay in progress belongs to the old epoch: a fresh cursor stops it (it checks
        // that its cursor is still the channel's), and what it had queued is dropped.
        conn.dropReplay(channel);
        conn.subs.set(channel, ChannelCursor.liveAfter(this.alerts.head));
        conn.send(this.#sequencer.resyncFrame(channel, 'epoch_changed', viewerOf(conn)));
      }
    }
  }

  // ---- connections --------------------------------------------------------------------

  #forgetMine(conn: Connection): void {
    const set = this.#mine.get(conn.subject);
    if (!set?.delete(conn)) return;
    if (set.size === 0) this.#mine.delete(conn.subject);
  }

  attach(conn: Connection): void {
    this.#connections.add(conn);
    this.#options.metrics.connections.set(this.#connections.size);
    conn.send(frames.welcome({ heartbeatMs: this.#options.heartbeatMs, epoch: this.epoch, instance: this.#options.instance, now: new Date() }));
  }

  detach(conn: Connection): void {
    this.#forgetMine(conn);
    this.registry.removeAll(conn);
    conn.markClosed();
    this.#connections.delete(conn);
    this.#options.metrics.connections.set(this.#connections.size);
  }

  /** One inbound frame. Malformed input gets an error frame; sustained abuse closes. */
  onFrame(conn: Connection, data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    const verdict = conn.limiter.admit(now);
    if (verdict === 'abuse') return this.#abuse(conn);
    if (verdict === 'rate_limited') return this.#error(conn, { code: 'rate_limited', message: 'too many commands; slow down', retryable: true });
    const parsed = isBinary
      ? { ok: false as const, error: { code: 'bad_json' as const, message: 'binary frames are not accepted; send JSON text', retryable: false } }
      : parseCommand(data, this.#options.maxCommandBytes);
    if (!parsed.ok) {
      this.#error(conn, parsed.error);
      if (conn.limiter.strike(now)) this.#abuse(conn);
      return;
    }
    this.#dispatch(conn, parsed.command);
  }

  #dispatch(conn: Connection, cmd: ClientCommand): void {
    switch (cmd.op) {
      case 'ping':
        conn.send(frames.pong(cmd.id, new Date()));
        return;
      case 'unsubscribe': {
        for (const ch of this.registry.remove(conn, cmd.channels)) {
          if (ch === 'alerts:mine') this.#forgetMine(conn);
          // A replay in progress sees its cursor gone and stops; what it queued goes too.
          conn.subs.delete(ch);
          conn.dropState(ch);
          conn.dropReplay(ch);
        }
        conn.send(frames.unsubscribed(cmd.id, cmd.channels));
        return;
      }
      case 'subscribe':
        this.#subscribe(conn, cmd);
        return;
    }
  }

  /**
   * An event stream's one subscription: every alert channel resumes from the same position
   * (SSE has one `Last-Event-ID`; the seq is global, so it is a position on each channel).
   */
  subscribeStream(conn: Connection, channels: Channel[], resume: { epoch: string | undefined; seq: number } | undefined): void {
    const positions = resume ? Object.fromEntries(channels.filter(isAlertChannel).map((ch) => [ch, resume.seq])) : undefined;
    this.#subscribe(conn, { op: 'subscribe', id: 'events', channels, ...(positions ? { resume: positions } : {}), ...(resume?.epoch ? { epoch: resume.epoch } : {}) });
  }

  #subscribe(conn: Connection, cmd: Extract<ClientCommand, { op: 'subscribe' }>): void {
    const forbidden = cmd.channels.filter((ch) => !channelAllowed(ch, viewerOf(conn)));
    if (forbidden.length > 0) {
      this.#error(conn, { id: cmd.id, code: 'forbidden_channel', message: `only admins may subscribe to ${[...new Set(forbidden)].join(', ')}`, retryable: false });
    }
    const wanted = cmd.channels.filter((ch) => !forbidden.includes(ch));
    const fresh = [...new Set(wanted)].filter((ch) => !conn.subs.has(ch));
    const { added, refused } = this.registry.add(conn, wanted, this.#options.maxSubscriptions);
    if (added.includes('alerts:mine')) {
      let set = this.#mine.get(conn.subject);
      if (!set) this.#mine.set(conn.subject, (set = new Set()));
      set.add(conn);
    }
    for (const ch of fresh) if (added.includes(ch)) conn.subs.set(ch, ChannelCursor.holding());
    conn.send(frames.subscribed(cmd.id, added));
    if (refused.length > 0) {
      this.#error(conn, {
        id: cmd.id,
        code: 'too_many_subscriptions',
        message: `at most ${this.#options.maxSubscriptions} channels per connection; refused: ${refused.join(', ')}`,
        retryable: false,
      });
    }
    for (const ch of fresh) {
      const cursor = conn.subs.get(ch);
      if (!cursor) continue;
      if (isStateLike(ch)) {
        this.#goLive(conn, cursor, this.state.version);
        conn.sendState(ch, this.state.snapshotFrame(ch));
      } else if (isAlertChannel(ch)) {
        this.#subscribeAlerts(conn, ch, cursor, cmd.resume?.[ch], cmd.epoch, cmd.id);
      }
    }
  }

  #subscribeAlerts(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, lastSeq: number | undefined, clientEpoch: string | undefined, id: string): void {
    const head = this.alerts.head;
    if (lastSeq === undefined) {
      this.#goLive(conn, cursor, head);
      conn.send(this.#sequencer.snapshotFrame(channel, viewerOf(conn)));
      return;
    }
    const plan = this.#sequencer.planResume(lastSeq, clientEpoch);
    this.#options.metrics.resumes.inc({ outcome: plan.kind });
    switch (plan.kind) {
      case 'live':
        this.#goLive(conn, cursor, plan.minSeq);
        return;
      case 'resync':
        this.#goLive(conn, cursor, head);
        conn.send(this.#sequencer.resyncFrame(channel, plan.reason, viewerOf(conn)));
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

  /** Everything up to `minSeq` is sent: the live frames the cursor held past it follow. */
  #goLive(conn: Connection, cursor: ChannelCursor, minSeq: number): void {
    for (const buf of cursor.goLive(minSeq)) conn.send(buf);
  }

  /**
   * A client ahead of every head seen (it came from an instance further along, or its seq is
   * bogus): live once this instance or its probe gets there, else a resync. Polls memory
   * only; live alerts wait in the cursor meanwhile.
   */
  #awaitHead(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, lastSeq: number): void {
    const deadline = Date.now() + (this.#options.aheadWaitMs ?? AHEAD_WAIT_MS);
    const check = (): void => {
      if (!this.#current(conn, channel, cursor)) return;
      if (this.#sequencer.reached(lastSeq)) return this.#goLive(conn, cursor, lastSeq);
      if (Date.now() < deadline) return void setTimeout(check, 100).unref();
      this.#options.metrics.resumes.inc({ outcome: 'resync_ahead_of_history' });
      this.#resync(conn, channel, cursor, 'ahead_of_history');
    };
    check();
  }

  /** A resync instead of the replay: the recent alerts and the head, then what the cursor held past it. */
  #resync(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, reason: 'ahead_of_history' | 'history_trimmed'): void {
    const held = cursor.goLive(this.alerts.head);
    conn.send(this.#sequencer.resyncFrame(channel, reason, viewerOf(conn)));
    for (const buf of held) conn.send(buf);
  }

  /** Still the subscription this replay serves (not unsubscribed, not superseded, socket open)? */
  #current(conn: Connection, channel: AlertChannel, cursor: ChannelCursor): boolean {
    return !conn.closed && conn.subs.get(channel) === cursor;
  }

  /**
   * Replays lastSeq+1..target a page at a time: from the in-memory log when it reaches back
   * (shared frames, no JSON work), else from Redis through the instance's read pool. Each page
   * is queued only once the connection has drained below half its budget, so memory per
   * connection stays within GATEWAY_MAX_BUFFER_BYTES plus one page, whatever the client does.
   */
  async #replay(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, lastSeq: number, target: number, id: string): Promise<void> {
    let prev = lastSeq;
    try {
      for (let page = nextPage(lastSeq + 1, target, this.#options.historyPageSize); page; page = nextPage(page.to + 1, target, this.#options.historyPageSize)) {
        if (!this.#current(conn, channel, cursor)) return;
        const got = await this.#page(channel, page, prev, viewerOf(conn));
        if (!this.#current(conn, channel, cursor)) return;
        if (got === 'trimmed') {
          this.#options.metrics.resumes.inc({ outcome: 'resync_history_trimmed' });
          conn.dropReplay(channel);
          return this.#resync(conn, channel, cursor, 'history_trimmed');
        }
        if (!(await this.#queuePage(conn, channel, cursor, got.bufs))) return;
        prev = got.prev;
      }
    } catch (error) {
      if (!this.#current(conn, channel, cursor)) return;
      this.#options.logger.warn({ conn: conn.id, channel, err: (error as Error).message }, 'resume could not read history');
      conn.dropReplay(channel);
      this.registry.remove(conn, [channel]);
      conn.subs.delete(channel);
      this.#error(conn, { id, code: 'history_unavailable', message: `history is unavailable right now; subscribe to ${channel} again with the same resume position`, retryable: true });
      return;
    }
    if (!this.#current(conn, channel, cursor)) return;
    this.#goLive(conn, cursor, Math.max(lastSeq, target));
  }

  /** One page of a replay: from memory when it reaches back, else one read of the history through the pool. */
  async #page(channel: AlertChannel, page: Page, prev: number, viewer: Viewer): Promise<ReplayPage | 'trimmed'> {
    if (this.#sequencer.pageSource(page) === 'memory') return this.#sequencer.memoryPage(channel, page, prev, viewer);
    const alerts = await this.#historyReads.run(() => this.#options.store.range(page.from, page.to, page.to - page.from + 1));
    return this.#sequencer.historyPage(channel, page, alerts, prev, viewer);
  }

  /**
   * Queues a page in chunks of at most half the connection's budget, each once the buffer has
   * room: a page of large alerts must not overflow a client that reads. False when it stopped.
   */
  async #queuePage(conn: Connection, channel: AlertChannel, cursor: ChannelCursor, bufs: readonly Buffer[]): Promise<boolean> {
    for (let i = 0; i < bufs.length; ) {
      if ((await conn.waitForRoom(this.#options.stallMs)) === 'closed' || !this.#current(conn, channel, cursor)) return false;
      let bytes = 0;
      let j = i;
      while (j < bufs.length && (j === i || bytes + bufs[j]!.byteLength <= conn.replayChunkBytes)) bytes += bufs[j++]!.byteLength;
      conn.sendBacklog(bufs.slice(i, j), channel);
      i = j;
    }
    return !conn.closed;
  }

  #error(conn: Connection, e: { id?: string | undefined; code: WsErrorCode; message: string; retryable: boolean }): void {
    this.#options.metrics.commandErrors.inc({ code: e.code });
    conn.send(frames.error(e));
  }

  #abuse(conn: Connection): void {
    this.#options.metrics.abuseDisconnects.inc();
    this.#options.logger.info({ conn: conn.id }, 'closing abusive connection');
    conn.close(CloseCode.abuse, 'too many bad or excess commands');
  }

  /** Sends `frame` to every connection (heartbeats, shutdown notices). */
  broadcast(frame: Buffer): void {
    for (const conn of this.#connections) conn.send(frame);
  }

  /** Waits for the forwarding chain to go idle (shutdown, tests). */
  async idle(): Promise<void> {
    let current;
    do {
      current = this.#chain;
      await current;
    } while (current !== this.#chain);
  }
}

/** Event time -> handed to subscribers; a record without an event time (no step yet) is not a latency. */
function observeEventAge(metrics: Metrics, kind: 'snapshot' | 'alert', eventTime: string | null): void {
  if (!eventTime) return;
  const ms = Date.parse(eventTime);
  if (Number.isFinite(ms)) metrics.eventToPush.observe({ kind }, Math.max(0, Date.now() - ms) / 1000);
}
