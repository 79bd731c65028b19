import type { Logger } from '@rotation/log';
import {
  Alert,
  CloseCode,
  SnapshotRecord,
  type Channel,
  type ClientCommand,
  type WsErrorCode,
} from '@rotation/schemas';
import { AlertLog, type SequencedAlert } from '../core/alert-log.js';
import { alertMatches, channelAllowed, isAlertChannel, isStateLike, type AlertChannel, type Viewer } from '../core/channels.js';
import { scopeOf } from '../core/subjects.js';
import { parseCommand } from '../core/commands.js';
import { frames } from '../core/frames.js';
import { Pool } from '../core/pool.js';
import { nextPage, pageSource, type Page } from '../core/replay-plan.js';
import { AHEAD_WAIT_MS, planResume, type ResyncReason } from '../core/resume.js';
import { StateBoard } from '../core/state-board.js';
import { SubscriptionRegistry } from '../core/subscriptions.js';
import type { ChannelState, Connection } from './connection.js';
import type { Metrics } from './metrics.js';
import type { RedisStore } from './redis-store.js';
import { parseRecord } from '../core/records.js';

export interface HubOptions {
  store: RedisStore;
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
 * The gateway's state and fan-out: alerts and snapshots come in (Kafka, or Redis when a gap
 * needs filling), are encoded once, and go to every subscriber's connection as the same
 * buffer. Commands from connections land here too, already rate limited by the connection.
 */
export class Hub {
  readonly registry = new SubscriptionRegistry<Connection>();
  readonly alerts: AlertLog;
  readonly state: StateBoard;
  readonly #options: HubOptions;
  readonly #connections = new Set<Connection>();
  /** `alerts:mine` subscribers by owner: a rule alert goes to its owner's connections only, found in one lookup. */
  readonly #mine = new Map<string, Set<Connection>>();
  /** Alerts are forwarded strictly one after another (gap fills are async). */
  #chain: Promise<void> = Promise.resolve();
  readonly #alertSnapshotFrames = new Map<Channel, Buffer>();
  /** Shared by every connection's replays: Redis sees a few short reads, never one per client. */
  readonly #historyReads: Pool;
  /** The last seq sent on each subject-scoped alert channel (its prevSeq chain), while it has subscribers. */
  readonly #scopedLastOn = new Map<Channel, number>();
  /** The highest head seen in Redis (load, probe): resumes above it are answered without a read. */
  #knownHead = 0;
  redisUp = false;

  constructor(options: HubOptions) {
    this.#options = options;
    this.#historyReads = new Pool(options.historyReads);
    this.alerts = new AlertLog(options.memoryAlerts, '0');
    this.state = new StateBoard('0');
  }

  get epoch(): string {
    return this.alerts.epoch;
  }

  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** Loads epoch, head, recent history and the snapshot from Redis (start-up, epoch change). */
  async load(): Promise<void> {
    const { store } = this.#options;
    const [position, tail, snapshot] = await Promise.all([store.position(), store.tail(this.#options.memoryAlerts), store.snapshot()]);
    // History may hold alerts not yet published to Kafka: they count as forwarded (resumes
    // serve them) and their Kafka records are dropped as duplicates later.
    this.alerts.reset(position.epoch, tail, Math.max(position.head, tail.at(-1)?.seq ?? 0));
    this.#knownHead = this.alerts.head;
    this.state.reset(position.epoch, snapshot);
    this.#alertSnapshotFrames.clear();
    this.#scopedLastOn.clear();
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
      if (position.epoch === this.alerts.epoch) this.#knownHead = Math.max(this.#knownHead, position.head);
      if (position.epoch !== this.alerts.epoch) {
        await this.#enqueue(() => this.#epochChanged());
        return;
      }
      if (position.head > this.alerts.head) await this.#enqueue(() => this.#fill(this.alerts.head + 1, position.head));
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
    if (record) this.onSnapshotRecord(Buffer.from(JSON.stringify(record)));
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      this.#options.logger.error({ err: error }, 'alert forwarding step failed');
    });
    return this.#chain;
  }

  async #ingest(alert: SequencedAlert): Promise<void> {
    const arrival = this.alerts.classify(alert.seq);
    if (arrival.kind === 'duplicate') {
      this.#options.metrics.alertDuplicates.inc();
      return;
    }
    if (arrival.kind === 'gap') await this.#fill(arrival.from, arrival.to);
    if (this.alerts.classify(alert.seq).kind !== 'duplicate') this.#forward(alert);
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
        for (const alert of alerts) if (this.alerts.classify(alert.seq).kind !== 'duplicate') this.#forward(alert);
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

  #forward(alert: SequencedAlert): void {
    const logged = this.alerts.append(alert);
    if (!logged) return;
    this.#alertSnapshotFrames.clear();
    this.#options.metrics.alertsForwarded.inc();
    for (const f of logged.frames) {
      // alerts:mine is one channel name for every owner: each connection gets its own owner's.
      const subs = f.channel === 'alerts:mine' ? (this.#mine.get(alert.owner ?? '') ?? NOBODY) : this.registry.subscribers(f.channel);
      for (const conn of subs) conn.deliver(f.channel, alert.seq, f.buf, false);
    }
    this.#forwardScoped(alert);
    observeEventAge(this.#options.metrics, 'alert', alert.eventTime);
  }

  /**
   * An alert on the subject-scoped alert channels it is about (`alerts@IWM/SPY`): encoded once
   * per channel, shared by its subscribers, chained by the channel's own prevSeq.
   */
  #forwardScoped(alert: SequencedAlert): void {
    const active = this.#scopedChannels((ch) => isAlertChannel(ch));
    for (const channel of active as AlertChannel[]) {
      if (!alertMatches(channel, alert)) continue;
      const prevSeq = this.#scopedLastOn.get(channel) ?? this.#lastInMemory(channel, alert.seq);
      this.#scopedLastOn.set(channel, alert.seq);
      const buf = frames.alertEvent(channel, this.epoch, alert, prevSeq);
      for (const conn of this.registry.subscribers(channel)) conn.deliver(channel, alert.seq, buf, false);
    }
    // Channels nobody holds any more are forgotten (a fresh subscriber starts a fresh chain).
    if (this.#scopedLastOn.size > active.length + 64) for (const ch of [...this.#scopedLastOn.keys()]) if (this.registry.subscribers(ch).size === 0) this.#scopedLastOn.delete(ch);
  }

  /** The last alert before `seq` on a scoped channel, from memory (0 when memory holds none: never a false gap). */
  #lastInMemory(channel: AlertChannel, seq: number): number {
    return this.alerts.recentWhere(1, (a) => a.seq < seq && alertMatches(channel, a))[0]?.seq ?? 0;
  }

  async #epochChanged(): Promise<void> {
    const old = this.alerts.epoch;
    await this.load();
    this.#options.logger.warn({ from: old, to: this.alerts.epoch }, 'history epoch changed; alert subscribers resync');
    for (const conn of this.#connections) {
      for (const channel of conn.subs.keys()) {
        if (!isAlertChannel(channel)) continue;
        // A replay in progress belongs to the old epoch: a fresh state stops it (it checks
        // that its state is still the channel's), and what it had queued is dropped.
        conn.dropReplay(channel);
        conn.subs.set(channel, { minSeq: this.alerts.head });
        conn.send(this.#resyncFrame(channel, 'epoch_changed', conn));
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
          // A replay in progress sees its ChannelState gone and stops; what it queued goes too.
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
    for (const ch of fresh) if (added.includes(ch)) conn.subs.set(ch, { minSeq: 0, pending: [] });
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
      const sub = conn.subs.get(ch);
      if (!sub) continue;
      if (isStateLike(ch)) {
        sub.pending = undefined;
        sub.minSeq = this.state.version;
        conn.sendState(ch, this.state.snapshotFrame(ch));
      } else if (isAlertChannel(ch)) {
        this.#subscribeAlerts(conn, ch, cmd.resume?.[ch], cmd.epoch, cmd.id);
      }
    }
  }

  #subscribeAlerts(conn: Connection, channel: AlertChannel, lastSeq: number | undefined, clientEpoch: string | undefined, id: string): void {
    const sub = conn.subs.get(channel)!;
    const head = this.alerts.head;
    if (lastSeq === undefined) {
      sub.pending = undefined;
      sub.minSeq = head;
      conn.send(this.#alertSnapshotFrame(channel, conn));
      return;
    }
    const plan = planResume({ lastSeq, clientEpoch, epoch: this.epoch, head, knownHead: this.#knownHead, memoryFirst: this.alerts.firstSeq, maxReplay: this.#options.maxReplay });
    this.#options.metrics.resumes.inc({ outcome: plan.kind });
    switch (plan.kind) {
      case 'live':
        sub.pending = undefined;
        sub.minSeq = plan.minSeq;
        return;
      case 'resync':
        sub.pending = undefined;
        sub.minSeq = head;
        conn.send(this.#resyncFrame(channel, plan.reason, conn));
        return;
      case 'ahead':
        this.#awaitHead(conn, channel, sub, plan.lastSeq);
        return;
      case 'memory':
      case 'history': {
        // One replay in flight per connection; a later one waits its turn (live frames wait in
        // sub.pending meanwhile). A replay whose subscription is gone by then does nothing.
        const run = (): Promise<void> => this.#replay(conn, channel, sub, lastSeq, head, id);
        conn.replays = conn.replays.then(run, run);
        return;
      }
    }
  }

  /**
   * A client ahead of every head seen (it came from an instance further along, or its seq is
   * bogus): live once this instance or its probe gets there, else a resync. Polls memory
   * only; live alerts wait in sub.pending meanwhile.
   */
  #awaitHead(conn: Connection, channel: AlertChannel, sub: ChannelState, lastSeq: number): void {
    const deadline = Date.now() + (this.#options.aheadWaitMs ?? AHEAD_WAIT_MS);
    const check = (): void => {
      if (!this.#current(conn, channel, sub)) return;
      if (Math.max(this.alerts.head, this.#knownHead) >= lastSeq) {
        sub.minSeq = lastSeq;
        return this.#flushPending(conn, channel, sub);
      }
      if (Date.now() < deadline) return void setTimeout(check, 100).unref();
      this.#options.metrics.resumes.inc({ outcome: 'resync_ahead_of_history' });
      sub.minSeq = this.alerts.head;
      conn.send(this.#resyncFrame(channel, 'ahead_of_history', conn));
      this.#flushPending(conn, channel, sub);
    };
    check();
  }

  /** Still the subscription this replay serves (not unsubscribed, not superseded, socket open)? */
  #current(conn: Connection, channel: AlertChannel, sub: ChannelState): boolean {
    return !conn.closed && conn.subs.get(channel) === sub;
  }

  /**
   * Replays lastSeq+1..target a page at a time: from the in-memory log when it reaches back
   * (shared frames, no JSON work), else from Redis through the instance's read pool. Each page
   * is queued only once the connection has drained below half its budget, so memory per
   * connection stays within GATEWAY_MAX_BUFFER_BYTES plus one page, whatever the client does.
   */
  async #replay(conn: Connection, channel: AlertChannel, sub: ChannelState, lastSeq: number, target: number, id: string): Promise<void> {
    let prev = lastSeq;
    try {
      for (let page = nextPage(lastSeq + 1, target, this.#options.historyPageSize); page; page = nextPage(page.to + 1, target, this.#options.historyPageSize)) {
        if (!this.#current(conn, channel, sub)) return;
        const got = await this.#page(channel, page, prev, viewerOf(conn));
        if (!this.#current(conn, channel, sub)) return;
        if (got === 'trimmed') {
          this.#options.metrics.resumes.inc({ outcome: 'resync_history_trimmed' });
          conn.dropReplay(channel);
          sub.minSeq = this.alerts.head;
          conn.send(this.#resyncFrame(channel, 'history_trimmed', conn));
          return this.#flushPending(conn, channel, sub);
        }
        if (!(await this.#queuePage(conn, channel, sub, got.bufs))) return;
        prev = got.prev;
      }
    } catch (error) {
      if (!this.#current(conn, channel, sub)) return;
      this.#options.logger.warn({ conn: conn.id, channel, err: (error as Error).message }, 'resume could not read history');
      conn.dropReplay(channel);
      this.registry.remove(conn, [channel]);
      conn.subs.delete(channel);
      this.#error(conn, { id, code: 'history_unavailable', message: `history is unavailable right now; subscribe to ${channel} again with the same resume position`, retryable: true });
      return;
    }
    if (!this.#current(conn, channel, sub)) return;
    sub.minSeq = Math.max(lastSeq, target);
    this.#flushPending(conn, channel, sub);
  }

  /**
   * Queues a page in chunks of at most half the connection's budget, each once the buffer has
   * room: a page of large alerts must not overflow a client that reads. False when it stopped.
   */
  async #queuePage(conn: Connection, channel: AlertChannel, sub: ChannelState, bufs: readonly Buffer[]): Promise<boolean> {
    for (let i = 0; i < bufs.length; ) {
      if ((await conn.waitForRoom(this.#options.stallMs)) === 'closed' || !this.#current(conn, channel, sub)) return false;
      let bytes = 0;
      let j = i;
      while (j < bufs.length && (j === i || bytes + bufs[j]!.byteLength <= conn.replayChunkBytes)) bytes += bufs[j++]!.byteLength;
      conn.sendBacklog(bufs.slice(i, j), channel);
      i = j;
    }
    return !conn.closed;
  }

  #flushPending(conn: Connection, channel: AlertChannel, sub: ChannelState): void {
    const pending = sub.pending ?? [];
    sub.pending = undefined;
    for (const p of pending) conn.deliver(channel, p.seq, p.buf, false);
  }

  /**
   * The frames of `channel` for one page, chained by prevSeq from `prev`; 'trimmed' when Redis
   * no longer holds the start of it (an alert would silently be missing).
   */
  async #page(channel: AlertChannel, page: Page, prev: number, viewer: Viewer): Promise<{ bufs: Buffer[]; prev: number } | 'trimmed'> {
    const bufs: Buffer[] = [];
    if (pageSource(page, this.alerts.firstSeq, this.alerts.head) === 'memory') {
      const scoped = scopeOf(channel) !== undefined;
      for (const l of this.alerts.since(page.from)!.slice(0, page.to - page.from + 1)) {
        if (!alertMatches(channel, l.alert, viewer)) continue;
        // A scoped channel's frames are not in the log (they exist only while someone holds it).
        const buf = scoped ? frames.alertEvent(channel, this.epoch, l.alert, prev) : l.frames.find((x) => x.channel === channel)?.buf;
        if (!buf) continue;
        bufs.push(buf);
        prev = l.alert.seq;
      }
      return { bufs, prev };
    }
    const size = page.to - page.from + 1;
    const alerts = await this.#historyReads.run(() => this.#options.store.range(page.from, page.to, size));
    if (alerts.length === 0 || alerts[0]!.seq !== page.from) return 'trimmed';
    // Frames from Redis are encoded per replay: they are not this instance's shared frames.
    for (const a of alerts) {
      if (!alertMatches(channel, a, viewer)) continue;
      bufs.push(frames.alertEvent(channel, this.epoch, a, prev));
      prev = a.seq;
    }
    return { bufs, prev };
  }

  #alertSnapshotFrame(channel: AlertChannel, conn: Connection): Buffer {
    // alerts:mine differs per owner: encoded per subscriber, not shared.
    if (channel === 'alerts:mine') return frames.alertSnapshot(channel, this.epoch, this.alerts.head, this.alerts.recent(this.#options.recentAlerts, channel, viewerOf(conn)));
    let buf = this.#alertSnapshotFrames.get(channel);
    if (!buf) {
      buf = frames.alertSnapshot(channel, this.epoch, this.alerts.head, this.alerts.recent(this.#options.recentAlerts, channel));
      this.#alertSnapshotFrames.set(channel, buf);
    }
    return buf;
  }

  #resyncFrame(channel: AlertChannel, reason: ResyncReason, conn: Connection): Buffer {
    return frames.alertResync(channel, this.epoch, this.alerts.head, reason, this.alerts.recent(this.#options.recentAlerts, channel, viewerOf(conn)));
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
