import type { Breadth, SnapshotRecord, StateChannel } from '@rotation/schemas';
import { STATE_CHANNELS } from './channels.js';
import { encode } from './frames.js';

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
  readonly #snapshotFrames = new Map<StateChannel, Buffer>();

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
    return STATE_CHANNELS.map((channel) => ({
      channel,
      seq: record.version,
      buf: encode({ type: 'event', channel, epoch: this.#epoch, seq: record.version, prevSeq, asOf: record.snapshot.asOf, data: dataOf(record, channel) }),
    }));
  }

  /** The `snapshot` message for a new subscriber, encoded once per version and channel. */
  snapshotFrame(channel: StateChannel): Buffer {
    let buf = this.#snapshotFrames.get(channel);
    if (!buf) {
      buf = encode({ type: 'snapshot', channel, epoch: this.#epoch, seq: this.version, asOf: this.#record?.snapshot.asOf ?? null, data: dataOf(this.#record, channel) });
      this.#snapshotFrames.set(channel, buf);
    }
    return buf;
  }
}

function dataOf(record: SnapshotRecord | undefined, channel: StateChannel) {
  const s = record?.snapshot;
  switch (channel) {
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
