import type { Logger } from '@rotation/log';
import {
  CloseCode,
  SnapshotRecord,
  type Channel,
  type ClientCommand,
  type WsErrorCode,
} from '@rotation/schemas';
import type { AlertFeed } from '../core/alert-feed.js';
import type { AlertLog, SequencedAlert } from '../core/alert-log.js';
import { AlertSequencer } from '../core/alert-sequencer.js';
import { ChannelCursor } from '../core/channel-cursor.js';
import { channelAllowed, isAlertChannel, isStateLike, type AlertChannel } from '../core/channels.js';
import { parseCommand } from '../core/commands.js';
import { frames } from '../core/frames.js';
import type { HistoryReader } from '../core/history-reader.js';
import { Pool } from '../core/pool.js';
import { parseRecord } from '../core/records.js';
import { StateBoard } from '../core/state-board.js';
import { SubscriptionRegistry } from '../core/subscriptions.js';
import { AlertResumer } from './alert-resumer.js';
import type { Connection } from './connection.js';
import type { Metrics } from './metrics.js';
import { ReconciledAlertFeed } from './reconciled-alert-feed.js';

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

/**
 * The gateway's state and fan-out: alerts (in order, from the AlertFeed) and snapshots are
 * encoded once and go to every subscriber's connection as the same buffer. The alert
 * sequencing (what is forwarded, the frames, what a resume gets) is the AlertSequencer's; a
 * new alert subscription is started by the AlertResumer. Commands from connections land here
 * too, already rate limited by the connection.
 */
export class Hub {
  readonly registry = new SubscriptionRegistry<Connection>();
  readonly state: StateBoard;
  readonly #options: HubOptions;
  readonly #sequencer: AlertSequencer;
  readonly #connections = new Set<Connection>();
  /** `alerts:mine` subscribers by owner: a rule alert goes to its owner's connections only, found in one lookup. */
  readonly #mine = new Map<string, Set<Connection>>();
  readonly #feed: AlertFeed;
  readonly #resumer: AlertResumer;
  redisUp = false;

  constructor(options: HubOptions) {
    this.#options = options;
    const { store: history, metrics, logger, historyPageSize: pageSize } = options;
    // Shared by gap fills and every connection's replays: Redis sees a few short reads, never one per client.
    const reads = new Pool(options.historyReads);
    this.#sequencer = new AlertSequencer(options);
    this.state = new StateBoard('0');
    const sink = { forward: (alert: SequencedAlert) => this.#forward(alert), restart: () => this.#epochChanged() };
    this.#feed = new ReconciledAlertFeed({ history, sequencer: this.#sequencer, reads, pageSize, sink, metrics, logger });
    const onUnavailable = (conn: Connection, channel: AlertChannel, id: string): void => this.#historyUnavailable(conn, channel, id);
    this.#resumer = new AlertResumer({ sequencer: this.#sequencer, history, reads, pageSize, stallMs: options.stallMs, aheadWaitMs: options.aheadWaitMs, metrics, logger, onUnavailable });
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
    return this.#feed.offer(value);
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
      if (!buf) continue;
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
      const position = await this.#options.store.position();
      this.redisUp = true;
      await this.#feed.reconcile(position);
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
        conn.send(this.#sequencer.resyncFrame(channel, 'epoch_changed', conn.viewer));
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
    const forbidden = cmd.channels.filter((ch) => !channelAllowed(ch, conn.viewer));
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
        conn.goLive(cursor, this.state.version);
        conn.sendState(ch, this.state.snapshotFrame(ch));
      } else if (isAlertChannel(ch)) {
        this.#resumer.start(conn, ch, cursor, cmd.resume?.[ch], cmd.epoch, cmd.id);
      }
    }
  }

  /** A replay could not read the history: the channel is dropped, and the client told to subscribe again. */
  #historyUnavailable(conn: Connection, channel: AlertChannel, id: string): void {
    this.registry.remove(conn, [channel]);
    conn.subs.delete(channel);
    this.#error(conn, { id, code: 'history_unavailable', message: `history is unavailable right now; subscribe to ${channel} again with the same resume position`, retryable: true });
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
  idle(): Promise<void> {
    return this.#feed.idle();
  }
}

/** Event time -> handed to subscribers; a record without an event time (no step yet) is not a latency. */
function observeEventAge(metrics: Metrics, kind: 'snapshot' | 'alert', eventTime: string | null): void {
  if (!eventTime) return;
  const ms = Date.parse(eventTime);
  if (Number.isFinite(ms)) metrics.eventToPush.observe({ kind }, Math.max(0, Date.now() - ms) / 1000);
}
