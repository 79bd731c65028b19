import type { Channel } from '@rotation/schemas';
import { AlertLog, type Arrival, type LoggedAlert, type SequencedAlert } from './alert-log.js';
import { alertMatches, type AlertChannel, type Viewer } from './channels.js';
import { frames } from './frames.js';
import type { HistoryPosition } from './history-reader.js';
import { pageSource, type Page } from './replay-plan.js';
import { planResume, type ResumePlan, type ResyncReason } from './resume.js';
import { scopeOf } from './subjects.js';

export interface AlertSequencerOptions {
  /** Alerts kept in memory (with their encoded frames) for resumes. */
  memoryAlerts: number;
  /** Most alerts one resume replays. */
  maxReplay: number;
  /** Alerts included in the `snapshot`/`resync` of an alert channel. */
  recentAlerts: number;
}

/** One encoded frame for the subscribers of `channel`. */
export interface ChannelFrame {
  channel: Channel;
  buf: Buffer;
}

/** What a probe of the history's position means here. */
export type ProbeFinding = { kind: 'epoch_changed' } | { kind: 'behind'; from: number; to: number } | { kind: 'current' };

/** One page of a replay chained by prevSeq, and the prevSeq the next page continues from. */
export interface ReplayPage {
  bufs: Buffer[];
  prev: number;
}

/**
 * The alert side of the hub without its I/O: which seq comes next (alerts arrive from Kafka
 * and from the history, and each seq is forwarded once, in order), the frames of a forwarded
 * alert on every channel it is on (subject-scoped channels included, each its own prevSeq
 * chain), what a resume needs, and the pages and snapshot/resync frames that answer it.
 * The hub reads Redis, runs timers and writes sockets around it.
 */
export class AlertSequencer {
  readonly log: AlertLog;
  readonly #options: AlertSequencerOptions;
  /** The highest head seen in the history (load, probe): resumes above it are answered without a read. */
  #knownHead = 0;
  /** The last seq sent on each subject-scoped alert channel (its prevSeq chain), while it has subscribers. */
  readonly #scopedLastOn = new Map<Channel, number>();
  /** Shared `snapshot` frames of the alert channels, until the next alert. */
  readonly #snapshotFrames = new Map<Channel, Buffer>();

  constructor(options: AlertSequencerOptions) {
    this.#options = options;
    this.log = new AlertLog(options.memoryAlerts, '0');
  }

  get epoch(): string {
    return this.log.epoch;
  }

  /** The last seq forwarded. */
  get head(): number {
    return this.log.head;
  }

  /**
   * Starts over from the history (start-up, epoch change). History may hold alerts not yet
   * published to Kafka: they count as forwarded (resumes serve them) and their Kafka records
   * are dropped as duplicates later.
   */
  reset(position: HistoryPosition, tail: readonly SequencedAlert[]): void {
    this.log.reset(position.epoch, tail, Math.max(position.head, tail.at(-1)?.seq ?? 0));
    this.#knownHead = this.log.head;
    this.#snapshotFrames.clear();
    this.#scopedLastOn.clear();
  }

  /** A probe saw `position`: remembered for resumes; says whether history is ahead of us or started over. */
  observe(position: HistoryPosition): ProbeFinding {
    if (position.epoch !== this.log.epoch) return { kind: 'epoch_changed' };
    this.#knownHead = Math.max(this.#knownHead, position.head);
    return position.head > this.log.head ? { kind: 'behind', from: this.log.head + 1, to: position.head } : { kind: 'current' };
  }

  /** How an alert at `seq` relates to what was forwarded: a duplicate, the next one, or after a gap to fill first. */
  arrival(seq: number): Arrival {
    return this.log.classify(seq);
  }

  /**
   * Takes `alert` as forwarded and returns its frames on the channels the log encodes
   * (`alerts`, `alerts:<kind>`, the rule channels); undefined when its seq was forwarded
   * already (it came by the other path too).
   */
  forward(alert: SequencedAlert): LoggedAlert | undefined {
    const logged = this.log.append(alert);
    if (logged) this.#snapshotFrames.clear();
    return logged;
  }

  /**
   * A forwarded alert's frames on the subject-scoped alert channels in `held` (the ones
   * somebody holds) that it is about: encoded once per channel, chained by the channel's own
   * prevSeq. Chains of channels nobody holds any more are forgotten (a fresh subscriber
   * starts a fresh chain).
   */
  scopedFrames(alert: SequencedAlert, held: readonly AlertChannel[]): ChannelFrame[] {
    const out: ChannelFrame[] = [];
    for (const channel of held) {
      if (!alertMatches(channel, alert)) continue;
      const prevSeq = this.#scopedLastOn.get(channel) ?? this.#lastInMemory(channel, alert.seq);
      this.#scopedLastOn.set(channel, alert.seq);
      out.push({ channel, buf: frames.alertEvent(channel, this.epoch, alert, prevSeq) });
    }
    if (this.#scopedLastOn.size > held.length + 64) {
      const keep = new Set<Channel>(held);
      for (const ch of [...this.#scopedLastOn.keys()]) if (!keep.has(ch)) this.#scopedLastOn.delete(ch);
    }
    return out;
  }

  /** The last alert before `seq` on a scoped channel, from memory (0 when memory holds none: never a false gap). */
  #lastInMemory(channel: AlertChannel, seq: number): number {
    return this.log.recentWhere(1, (a) => a.seq < seq && alertMatches(channel, a))[0]?.seq ?? 0;
  }

  /** What a subscriber resuming after `lastSeq` (seen in `clientEpoch`) gets. */
  planResume(lastSeq: number, clientEpoch: string | undefined): ResumePlan {
    return planResume({ lastSeq, clientEpoch, epoch: this.epoch, head: this.head, knownHead: this.#knownHead, memoryFirst: this.log.firstSeq, maxReplay: this.#options.maxReplay });
  }

  /** This instance, or the history as last probed, has got to `seq` (a client that resumed ahead can go live). */
  reached(seq: number): boolean {
    return Math.max(this.head, this.#knownHead) >= seq;
  }

  /** Whether a replay page can come from memory (shared frames, no read) or needs the history. */
  pageSource(page: Page): 'memory' | 'history' {
    return pageSource(page, this.log.firstSeq, this.head) === 'memory' ? 'memory' : 'history';
  }

  /** A page from memory (`pageSource` said so) of `channel` as `viewer` sees it, chained from `prev`. */
  memoryPage(channel: AlertChannel, page: Page, prev: number, viewer: Viewer): ReplayPage {
    const bufs: Buffer[] = [];
    const scoped = scopeOf(channel) !== undefined;
    for (const l of (this.log.since(page.from) ?? []).slice(0, page.to - page.from + 1)) {
      if (!alertMatches(channel, l.alert, viewer)) continue;
      // A scoped channel's frames are not in the log (they exist only while someone holds it).
      const buf = scoped ? frames.alertEvent(channel, this.epoch, l.alert, prev) : l.frames.find((x) => x.channel === channel)?.buf;
      if (!buf) continue;
      bufs.push(buf);
      prev = l.alert.seq;
    }
    return { bufs, prev };
  }

  /**
   * A page read from the history, chained from `prev`; 'trimmed' when the history no longer
   * holds its first seq (an alert would silently be missing). Encoded per replay: these are
   * not this instance's shared frames.
   */
  historyPage(channel: AlertChannel, page: Page, alerts: readonly SequencedAlert[], prev: number, viewer: Viewer): ReplayPage | 'trimmed' {
    if (alerts.length === 0 || alerts[0]!.seq !== page.from) return 'trimmed';
    const bufs: Buffer[] = [];
    for (const a of alerts) {
      if (!alertMatches(channel, a, viewer)) continue;
      bufs.push(frames.alertEvent(channel, this.epoch, a, prev));
      prev = a.seq;
    }
    return { bufs, prev };
  }

  /** The `snapshot` of an alert channel for a new subscriber: shared until the next alert, except `alerts:mine` (per owner). */
  snapshotFrame(channel: AlertChannel, viewer: Viewer): Buffer {
    if (channel === 'alerts:mine') return frames.alertSnapshot(channel, this.epoch, this.head, this.log.recent(this.#options.recentAlerts, channel, viewer));
    let buf = this.#snapshotFrames.get(channel);
    if (!buf) {
      buf = frames.alertSnapshot(channel, this.epoch, this.head, this.log.recent(this.#options.recentAlerts, channel));
      this.#snapshotFrames.set(channel, buf);
    }
    return buf;
  }

  resyncFrame(channel: AlertChannel, reason: ResyncReason, viewer: Viewer): Buffer {
    return frames.alertResync(channel, this.epoch, this.head, reason, this.log.recent(this.#options.recentAlerts, channel, viewer));
  }
}
