import type { Alert, Channel } from '@rotation/schemas';
import { alertMatches, channelsOfAlert, type AlertChannel, type Viewer } from './channels.js';
import { frames } from './frames.js';

export type SequencedAlert = Alert & { seq: number };

/** One forwarded alert with its two encoded event frames (`alerts` and `alerts:<kind>`). */
export interface LoggedAlert {
  alert: SequencedAlert;
  frames: ReadonlyArray<{ channel: Channel; prevSeq: number; buf: Buffer }>;
}

export type Arrival = { kind: 'duplicate' } | { kind: 'next' } | { kind: 'gap'; from: number; to: number };

/**
 * The gateway's view of the alert stream: the last forwarded seq, the previous seq per kind
 * (each `alerts:<kind>` channel's prevSeq), and a ring of the most recent alerts with their
 * encoded frames so resumes and reconnect storms are served from memory with no JSON work.
 * The ring is always contiguous in seq; a forced jump (history unreachable) restarts it.
 */
export class AlertLog {
  #epoch: string;
  #head = 0;
  readonly #capacity: number;
  #ring: LoggedAlert[] = [];
  /**
   * The previous seq on each channel an alert goes to: `alerts` (built-in alerts only: rule
   * alerts take seqs too but are not on it), `alerts:<kind>`, `alerts:rules`, and
   * `alerts:mine` per owner (keyed `mine:<owner>`).
   */
  readonly #lastOn = new Map<string, number>();

  constructor(capacity: number, epoch: string) {
    this.#capacity = Math.max(1, capacity);
    this.#epoch = epoch;
  }

  get epoch(): string {
    return this.#epoch;
  }
  /** The last seq forwarded (0 before any). */
  get head(): number {
    return this.#head;
  }
  /** The oldest seq in memory, if any. */
  get firstSeq(): number | undefined {
    return this.#ring[0]?.alert.seq;
  }

  /**
   * Starts (or restarts, after an epoch change) from the history tail read from Redis:
   * `tail` ascending, `head` the highest seq Redis has assigned.
   */
  reset(epoch: string, tail: readonly SequencedAlert[], head: number): void {
    this.#epoch = epoch;
    this.#ring = [];
    this.#lastOn.clear();
    this.#head = 0;
    for (const a of tail) this.append(a);
    this.#head = Math.max(this.#head, head);
    // A head beyond the tail means the tail is not contiguous with what comes next.
    if (this.#ring.length > 0 && this.#ring.at(-1)!.alert.seq !== this.#head) this.#ring = [];
  }

  classify(seq: number): Arrival {
    if (seq <= this.#head) return { kind: 'duplicate' };
    if (seq === this.#head + 1) return { kind: 'next' };
    return { kind: 'gap', from: this.#head + 1, to: seq - 1 };
  }

  /** Records a forwarded alert and returns its frames. Seqs at or below the head are refused. */
  append(alert: SequencedAlert): LoggedAlert | undefined {
    if (alert.seq <= this.#head) return undefined;
    if (alert.seq !== this.#head + 1) this.#ring = [];
    const keys = channelsOfAlert(alert).map((ch): [AlertChannel, string] => [ch, ch === 'alerts:mine' ? `mine:${alert.owner ?? ''}` : ch]);
    const logged: LoggedAlert = {
      alert,
      frames: keys.map(([channel, key]) => {
        const prevSeq = this.#lastOn.get(key) ?? 0;
        return { channel, prevSeq, buf: frames.alertEvent(channel, this.#epoch, alert, prevSeq) };
      }),
    };
    this.#head = alert.seq;
    for (const [, key] of keys) this.#lastOn.set(key, alert.seq);
    this.#ring.push(logged);
    if (this.#ring.length > this.#capacity * 1.25) this.#ring = this.#ring.slice(this.#ring.length - this.#capacity);
    return logged;
  }

  /** Alerts in memory with seq >= fromSeq, oldest first; undefined when memory does not reach back. */
  since(fromSeq: number): LoggedAlert[] | undefined {
    const first = this.firstSeq;
    if (first === undefined) return fromSeq > this.#head ? [] : undefined;
    if (fromSeq < first) return undefined;
    return this.#ring.slice(fromSeq - first);
  }

  /** The last `n` alerts in memory on `channel` (an alert channel) as `viewer` sees it, oldest first. */
  recent(n: number, channel: AlertChannel = 'alerts', viewer?: Viewer): SequencedAlert[] {
    return this.recentWhere(n, (a) => alertMatches(channel, a, viewer));
  }

  /** The last `n` alerts in memory that `keep` accepts, oldest first. */
  recentWhere(n: number, keep: (alert: SequencedAlert) => boolean): SequencedAlert[] {
    const out: SequencedAlert[] = [];
    for (let i = this.#ring.length - 1; i >= 0 && out.length < n; i--) {
      const entry = this.#ring[i]!;
      if (keep(entry.alert)) out.push(entry.alert);
    }
    return out.reverse();
  }
}
