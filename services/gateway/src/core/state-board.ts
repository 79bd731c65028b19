import { stateValueOf, type Channel, type SnapshotRecord, type StateChannel } from '@rotation/schemas';
import { STATE_CHANNELS } from './channels.js';
import { encodeState } from './frames.js';
import { rrgAbout, scopeOf, sectorsAbout, spreadsAbout } from './subjects.js';

export interface StateFrame {
  channel: StateChannel;
  seq: number;
  buf: Buffer;
}

/** What a state channel last published: its value as JSON and the version it came with. */
interface Published {
  json: string;
  seq: number;
}

/**
 * The latest snapshot split into the state channels. A channel's seq is the snapshot `version`
 * its value last changed at, and an event goes out only when it changed (a channel that did not
 * move in a step costs its subscribers nothing: re-sending all four every version did);
 * `prevSeq` is the channel's previous published version. Every state message carries the
 * channel's full value, so a client that missed versions (coalescing, reconnect) only needs
 * the newest one.
 */
export class StateBoard {
  #record: SnapshotRecord | undefined;
  #epoch: string;
  readonly #snapshotFrames = new Map<Channel, Buffer>();
  /** This version's event frame of each subject-scoped state channel someone holds, encoded on first use; null when unchanged. */
  readonly #scopedEvents = new Map<Channel, Buffer | null>();
  /** The last published value of each channel, plain and subject-scoped (those only while someone held them). */
  readonly #published = new Map<Channel, Published>();

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
    this.#published.clear();
    if (record) for (const channel of STATE_CHANNELS) this.#published.set(channel, { json: JSON.stringify(dataOf(record, channel)), seq: record.version });
  }

  /**
   * Applies a newer snapshot and returns an event frame (encoded once) for each state channel
   * whose value changed; an older or equal version is a duplicate and returns undefined.
   */
  update(record: SnapshotRecord): StateFrame[] | undefined {
    if (record.version <= this.version) return undefined;
    this.#record = record;
    this.#snapshotFrames.clear();
    this.#scopedEvents.clear();
    const out: StateFrame[] = [];
    for (const channel of STATE_CHANNELS) {
      const buf = this.#eventIfChanged(channel);
      if (buf) out.push({ channel, seq: record.version, buf });
    }
    return out;
  }

  /** The `snapshot` message for a new subscriber (of a state channel or a scoped one), encoded once per version and channel. */
  snapshotFrame(channel: Channel): Buffer {
    let buf = this.#snapshotFrames.get(channel);
    if (!buf) {
      const json = JSON.stringify(dataOf(this.#record, channel));
      // A scoped channel nobody held until now: its chain starts at this snapshot. (A channel
      // someone holds is current already: every version asks for its event.)
      if (this.#published.get(channel)?.json !== json) this.#published.set(channel, { json, seq: this.version });
      buf = encodeState({ type: 'snapshot', channel, epoch: this.#epoch, seq: this.version, asOf: this.#record?.snapshot.asOf ?? null }, json);
      this.#snapshotFrames.set(channel, buf);
    }
    return buf;
  }

  /**
   * The current version's `event` of a subject-scoped state channel (`spreads@IWM/SPY`), or
   * undefined when its value did not change; encoded once per version however many hold it. The
   * hub asks only for channels with subscribers, so a subject nobody watches costs nothing.
   */
  scopedEventFrame(channel: Channel): Buffer | undefined {
    let buf = this.#scopedEvents.get(channel);
    if (buf === undefined) {
      buf = this.#eventIfChanged(channel) ?? null;
      this.#scopedEvents.set(channel, buf);
    }
    return buf ?? undefined;
  }

  #eventIfChanged(channel: Channel): Buffer | undefined {
    const record = this.#record;
    if (!record) return undefined;
    const json = JSON.stringify(dataOf(record, channel));
    const last = this.#published.get(channel);
    if (last?.json === json) return undefined;
    this.#published.set(channel, { json, seq: record.version });
    return encodeState({ type: 'event', channel, epoch: this.#epoch, seq: record.version, prevSeq: last?.seq ?? 0, asOf: record.snapshot.asOf }, json);
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
  return stateValueOf(s, channel as StateChannel);
}
