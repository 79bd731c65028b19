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
import { alertMatches, isAlertChannel, isStateChannel, type AlertChannel } from '../core/channels.js';
import { parseCommand } from '../core/commands.js';
import { encode, frames } from '../core/frames.js';
import { judgeHistory, planResume, type ResyncReason } from '../core/resume.js';
import { StateBoard } from '../core/state-board.js';
import { SubscriptionRegistry } from '../core/subscriptions.js';
import type { Connection } from './connection.js';
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
  readonly #o: HubOptions;
  readonly #connections = new Set<Connection>();
  /** Alerts are forwarded strictly one after another (gap fills are async). */
  #chain: Promise<void> = Promise.resolve();
  readonly #alertSnapshotFrames = new Map<Channel, Buffer>();
  redisUp = false;

  constructor(options: HubOptions) {
    this.#o = options;
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
    const { store } = this.#o;
    const [position, tail, snapshot] = await Promise.all([store.position(), store.tail(this.#o.memoryAlerts), store.snapshot()]);
    // History may hold alerts not yet published to Kafka: they count as forwarded (resumes
    // serve them) and their Kafka records are dropped as duplicates later.
    this.alerts.reset(position.epoch, tail, Math.max(position.head, tail.at(-1)?.seq ?? 0));
    this.state.reset(position.epoch, snapshot);
    this.#alertSnapshotFrames.clear();
    this.redisUp = true;
    this.#o.logger.info({ epoch: position.epoch, head: this.alerts.head, inMemory: tail.length, snapshotVersion: this.state.version }, 'state loaded from redis');
  }

  // ---- inbound data -------------------------------------------------------------------

  /** A record from `<ns>.alerts`. Resolves once it (and any gap before it) is forwarded. */
  onAlertRecord(value: Buffer | null): Promise<void> {
    const alert = parseRecord(value, Alert);
    if (!alert || alert.seq === undefined) {
      this.#o.metrics.badRecords.inc({ topic: 'alerts' });
      this.#o.logger.warn({ reason: alert ? 'missing seq' : 'invalid alert' }, 'alert record skipped');
      return this.#chain;
    }
    const seq = alert.seq;
    return this.#enqueue(() => this.#ingest({ ...alert, seq }));
  }

  /** A record from `<ns>.snapshots`. */
  onSnapshotRecord(value: Buffer | null): void {
    const record = parseRecord(value, SnapshotRecord);
    if (!record) {
      this.#o.metrics.badRecords.inc({ topic: 'snapshots' });
      this.#o.logger.warn('snapshot record skipped: does not match SnapshotRecord');
      return;
    }
    const out = this.state.update(record);
    if (!out) return;
    this.#o.metrics.snapshotsForwarded.inc();
    for (const f of out) for (const conn of this.registry.subscribers(f.channel)) conn.deliver(f.channel, f.seq, f.buf, true);
  }

  /**
   * Periodic Redis probe: readiness, epoch changes, and alerts that Redis has but Kafka has
   * not delivered to this instance (start-up window, a stalled consumer).
   */
  async probe(): Promise<void> {
    try {
      const position = await this.#o.store.position();
      this.redisUp = true;
      if (position.epoch !== this.alerts.epoch) {
        await this.#enqueue(() => this.#epochChanged());
        return;
      }
      if (position.head > this.alerts.head) await this.#enqueue(() => this.#fill(this.alerts.head + 1, position.head));
    } catch (error) {
      if (this.redisUp) this.#o.logger.warn({ err: (error as Error).message }, 'redis probe failed; not ready');
      this.redisUp = false;
    } finally {
      this.#o.metrics.redisUp.set(this.redisUp ? 1 : 0);
    }
  }

  /**
   * Applies the snapshot in Redis if it is newer than ours (after a consumer restart, whose
   * new start offsets may skip records: alerts are refilled by the probe, state by this).
   */
  async refreshSnapshot(): Promise<void> {
    const record = await this.#o.store.snapshot();
    if (record) this.onSnapshotRecord(Buffer.from(JSON.stringify(record)));
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      this.#o.logger.error({ err: error }, 'alert forwarding step failed');
    });
    return this.#chain;
  }

  async #ingest(alert: SequencedAlert): Promise<void> {
    const arrival = this.alerts.classify(alert.seq);
    if (arrival.kind === 'duplicate') {
      this.#o.metrics.alertDuplicates.inc();
      return;
    }
    if (arrival.kind === 'gap') await this.#fill(arrival.from, arrival.to);
    if (this.alerts.classify(alert.seq).kind !== 'duplicate') this.#forward(alert);
  }

  /** Forwards history entries from..to; on failure the gap stays visible through prevSeq. */
  async #fill(from: number, to: number): Promise<void> {
    try {
      const found = await this.#o.store.range(from, to, to - from + 1);
      for (const a of found) if (this.alerts.classify(a.seq).kind !== 'duplicate') this.#forward(a);
      this.#o.metrics.alertGapsFilled.inc(found.length);
      if (found.length < to - from + 1) {
        this.#o.metrics.alertGapsUnfilled.inc();
        this.#o.logger.warn({ from, to, found: found.length }, 'history no longer holds part of a gap');
      }
    } catch (error) {
      this.#o.metrics.alertGapsUnfilled.inc();
      this.#o.logger.warn({ from, to, err: (error as Error).message }, 'could not fill alert gap from redis; forwarding live alerts anyway');
    }
  }

  #forward(alert: SequencedAlert): void {
    const logged = this.alerts.append(alert);
    if (!logged) return;
    this.#alertSnapshotFrames.clear();
    this.#o.metrics.alertsForwarded.inc();
    for (const f of logged.frames) for (const conn of this.registry.subscribers(f.channel)) conn.deliver(f.channel, alert.seq, f.buf, false);
  }

  async #epochChanged(): Promise<void> {
    const old = this.alerts.epoch;
    await this.load();
    this.#o.logger.warn({ from: old, to: this.alerts.epoch }, 'history epoch changed; alert subscribers resync');
    for (const conn of this.#connections) {
      for (const [channel, sub] of conn.subs) {
        if (!isAlertChannel(channel)) continue;
        sub.pending = undefined;
        sub.minSeq = this.alerts.head;
        conn.send(this.#resyncFrame(channel, 'epoch_changed'));
      }
    }
  }

  // ---- connections --------------------------------------------------------------------

  attach(conn: Connection): void {
    this.#connections.add(conn);
    this.#o.metrics.connections.set(this.#connections.size);
    conn.send(frames.welcome({ heartbeatMs: this.#o.heartbeatMs, epoch: this.epoch, instance: this.#o.instance, now: new Date() }));
  }

  detach(conn: Connection): void {
    this.registry.removeAll(conn);
    conn.markClosed();
    this.#connections.delete(conn);
    this.#o.metrics.connections.set(this.#connections.size);
  }

  /** One inbound frame. Malformed input gets an error frame; sustained abuse closes. */
  onFrame(conn: Connection, data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    const verdict = conn.limiter.admit(now);
    if (verdict === 'abuse') return this.#abuse(conn);
    if (verdict === 'rate_limited') return this.#error(conn, { code: 'rate_limited', message: 'too many commands; slow down', retryable: true });
    const parsed = isBinary
      ? { ok: false as const, error: { code: 'bad_json' as const, message: 'binary frames are not accepted; send JSON text', retryable: false } }
      : parseCommand(data, this.#o.maxCommandBytes);
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
          conn.subs.delete(ch);
          conn.dropState(ch);
        }
        conn.send(frames.unsubscribed(cmd.id, cmd.channels));
        return;
      }
      case 'subscribe':
        this.#subscribe(conn, cmd);
        return;
    }
  }

  #subscribe(conn: Connection, cmd: Extract<ClientCommand, { op: 'subscribe' }>): void {
    const fresh = [...new Set(cmd.channels)].filter((ch) => !conn.subs.has(ch));
    const { added, refused } = this.registry.add(conn, cmd.channels, this.#o.maxSubscriptions);
    for (const ch of fresh) if (added.includes(ch)) conn.subs.set(ch, { minSeq: 0, pending: [] });
    conn.send(frames.subscribed(cmd.id, added));
    if (refused.length > 0) {
      this.#error(conn, {
        id: cmd.id,
        code: 'too_many_subscriptions',
        message: `at most ${this.#o.maxSubscriptions} channels per connection; refused: ${refused.join(', ')}`,
        retryable: false,
      });
    }
    for (const ch of fresh) {
      const sub = conn.subs.get(ch);
      if (!sub) continue;
      if (isStateChannel(ch)) {
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
      conn.send(this.#alertSnapshotFrame(channel));
      return;
    }
    const plan = planResume({ lastSeq, clientEpoch, epoch: this.epoch, head, memoryFirst: this.alerts.firstSeq, maxReplay: this.#o.maxReplay });
    this.#o.metrics.resumes.inc({ outcome: plan.kind });
    switch (plan.kind) {
      case 'live':
        sub.pending = undefined;
        sub.minSeq = plan.minSeq;
        return;
      case 'resync':
        sub.pending = undefined;
        sub.minSeq = head;
        conn.send(this.#resyncFrame(channel, plan.reason));
        return;
      case 'memory': {
        const replay = (this.alerts.since(plan.fromSeq) ?? []).filter((l) => alertMatches(channel, l.alert));
        conn.sendBacklog(replay.map((l) => l.frames.find((f) => f.channel === channel)!.buf));
        sub.pending = undefined;
        sub.minSeq = head;
        return;
      }
      case 'history':
        void this.#resumeFromHistory(conn, channel, lastSeq, id);
        return;
    }
  }

  async #resumeFromHistory(conn: Connection, channel: AlertChannel, lastSeq: number, id: string): Promise<void> {
    let verdict: ReturnType<typeof judgeHistory>;
    let alerts: SequencedAlert[];
    try {
      const read = await this.#o.store.rangeWithHead(lastSeq + 1, this.#o.maxReplay + 1);
      alerts = read.alerts;
      verdict = judgeHistory(lastSeq, alerts.map((a) => a.seq), read.head, this.#o.maxReplay);
    } catch (error) {
      if (conn.closed || !conn.subs.has(channel)) return;
      this.#o.logger.warn({ conn: conn.id, channel, err: (error as Error).message }, 'resume could not read history');
      this.registry.remove(conn, [channel]);
      conn.subs.delete(channel);
      this.#error(conn, { id, code: 'history_unavailable', message: `history is unavailable right now; subscribe to ${channel} again with the same resume position`, retryable: true });
      return;
    }
    const sub = conn.subs.get(channel);
    if (conn.closed || !sub) return;
    const pending = sub.pending ?? [];
    sub.pending = undefined;
    if (verdict.kind === 'resync') {
      this.#o.metrics.resumes.inc({ outcome: `resync_${verdict.reason}` });
      sub.minSeq = this.alerts.head;
      conn.send(this.#resyncFrame(channel, verdict.reason));
    } else if (verdict.kind === 'live') {
      sub.minSeq = verdict.minSeq;
    } else {
      // Replayed frames are encoded per resume: they come from Redis, not from this
      // instance's forwarded (shared) frames. prevSeq chains the replay for gap detection.
      let prev = lastSeq;
      const bufs: Buffer[] = [];
      for (const a of alerts) {
        if (!alertMatches(channel, a)) continue;
        bufs.push(frames.alertEvent(channel, this.epoch, a, prev));
        prev = a.seq;
      }
      conn.sendBacklog(bufs);
      sub.minSeq = Math.max(lastSeq, alerts.at(-1)?.seq ?? lastSeq);
    }
    for (const p of pending) conn.deliver(channel, p.seq, p.buf, false);
  }

  #alertSnapshotFrame(channel: AlertChannel): Buffer {
    let buf = this.#alertSnapshotFrames.get(channel);
    if (!buf) {
      buf = encode({ type: 'snapshot', channel, epoch: this.epoch, seq: this.alerts.head, data: this.alerts.recent(this.#o.recentAlerts, channel) });
      this.#alertSnapshotFrames.set(channel, buf);
    }
    return buf;
  }

  #resyncFrame(channel: AlertChannel, reason: ResyncReason): Buffer {
    return encode({ type: 'resync', channel, epoch: this.epoch, seq: this.alerts.head, reason, data: this.alerts.recent(this.#o.recentAlerts, channel) });
  }

  #error(conn: Connection, e: { id?: string | undefined; code: WsErrorCode; message: string; retryable: boolean }): void {
    this.#o.metrics.commandErrors.inc({ code: e.code });
    conn.send(frames.error(e));
  }

  #abuse(conn: Connection): void {
    this.#o.metrics.abuseDisconnects.inc();
    this.#o.logger.info({ conn: conn.id }, 'closing abusive connection');
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
