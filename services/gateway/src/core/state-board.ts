import type { Breadth, Channel, SnapshotRecord, StateChannel } from '@rotation/schemas';
import { STATE_CHANNELS } from './channels.js';
import { encode } from './frames.js';
import { rrgAbout, scopeOf, sectorsAbout, spreadsAbout } from './subjects.js';

const EMPTY_BREADTH: Breadth = { sectorsBeatingBenchmarkPct: null, sectorsLeadingOrImprovingPct: null, constituents: null };

export interface StateFrame {
  channel: StateChannel;
  seq: number;
  buf: Buffer;
}

/**
 * The latest snapshot split into the state channels. The channel's seq is the snapshot's
 * `version`; every state message carries the channel's full value, so a client that missed
 * versions (coalescing, reconnect) only needs the newest one.
 */
export class StateBoard {
  #record: SnapshotRecord | undefined;
  #epoch: string;
  readonly #snapshotFrames = new Map<Channel, Buffer>();
  /** This version's event frame of each subject-scoped state channel someone holds, encoded on first use. */
  readonly #scopedEvents = new Map<Channel, Buffer>();
  #prevVersion = 0;

  constructor(epoch: string) {
    this.#epoch = epoch;
  }

  get record(): SnapshotRecord | undefined {
    return this.#record;
  }
  get version(): number {
    return this.#record?.version ?? 0;
  }

  /** Replaces the state unconditionally (start-up, epoch change). */
  reset(epoch: string, record: SnapshotRecord | undefined): void {
    this.#epoch = epoch;
    this.#record = record;
    this.#snapshotFrames.clear();
    this.#scopedEvents.clear();
    this.#prevVersion = 0;
  }

  /**
   * Applies a newer snapshot and returns one event frame per state channel (encoded once);
   * an older or equal version is a duplicate and returns undefined.
   */
  update(record: SnapshotRecord): StateFrame[] | undefined {
    const prevSeq = this.version;
    if (record.version <= prevSeq) return undefined;
    this.#record = record;
    this.#snapshotFrames.clear();
    this.#scopedEvents.clear();
    this.#prevVersion = prevSeq;
    return STATE_CHANNELS.map((channel) => ({
      channel,
      seq: record.version,
      buf: encode({ type: 'event', channel, epoch: this.#epoch, seq: record.version, prevSeq, asOf: record.snapshot.asOf, data: dataOf(record, channel) }),
    }));
  }

  /** The `snapshot` message for a new subscriber (of a state channel or a scoped one), encoded once per version and channel. */
  snapshotFrame(channel: Channel): Buffer {
    let buf = this.#snapshotFrames.get(channel);
    if (!buf) {
      buf = encode({ type: 'snapshot', channel, epoch: this.#epoch, seq: this.version, asOf: this.#record?.snapshot.asOf ?? null, data: dataOf(this.#record, channel) });
      this.#snapshotFrames.set(channel, buf);
    }
    return buf;
  }

  /**
   * The current version's `event` of a subject-scoped state channel (`spreads@IWM/SPY`),
   * encoded once per version however many hold it; the hub asks only for channels with
   * subscribers, so a subject nobody watches costs nothing.
   */
  scopedEventFrame(channel: Channel): Buffer {
    let buf = this.#scopedEvents.get(channel);
    if (!buf) {
      buf = encode({ type: 'event', channel, epoch: this.#epoch, seq: this.version, prevSeq: this.#prevVersion, data: dataOf(this.#record, channel) });
      this.#scopedEvents.set(channel, buf);
    }
    return buf;
  }
}

function dataOf(record: SnapshotRecord | undefined, channel: Channel) {
  const scope = scopeOf(channel);
  const s = record?.snapshot;
  if (scope) {
    switch (scope.base) {
      case 'spreads':
        return spreadsAbout(scope.subject, s?.spreads ?? []);
      case 'sectors':
        return sectorsAbout(scope.subject, s?.sectors ?? []);
      case 'rrg':
        return rrgAbout(scope.subject, s?.rrg ?? []);
      default:
        throw new Error(`${channel} is not a state channel`);
    }
  }
  switch (channel as StateChannel) {
    case 'spreads':
      return s?.spreads ?? [];
    case 'sectors':
      return s?.sectors ?? [];
    case 'rrg':
      return s?.rrg ?? [];
    case 'breadth':
      return s?.breadth ?? EMPTY_BREADTH;
  }
}
