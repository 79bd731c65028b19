/**
 * One subscriber's position on one channel. Live frames at or below `minSeq` were already sent
 * (by a snapshot or a replay) and are skipped. A fresh subscription holds live frames until its
 * snapshot, replay or resync decides where it starts; going live then releases what was held
 * past that point, in order and each seq once, so a replay and the live stream meet with no
 * gap and no duplicate.
 */
export class ChannelCursor {
  #minSeq: number;
  #held: Array<{ seq: number; buf: Buffer }> | undefined;

  private constructor(minSeq: number, held: boolean) {
    this.#minSeq = minSeq;
    this.#held = held ? [] : undefined;
  }

  /** A new subscription: live frames wait until `goLive`. */
  static holding(): ChannelCursor {
    return new ChannelCursor(0, true);
  }

  /** Live after `minSeq` from the start (a channel restarted by an epoch change). */
  static liveAfter(minSeq: number): ChannelCursor {
    return new ChannelCursor(minSeq, false);
  }

  get minSeq(): number {
    return this.#minSeq;
  }

  /** Still waiting for its replay (or for the head it resumed ahead of). */
  get holding(): boolean {
    return this.#held !== undefined;
  }

  /** A live frame at `seq`: true when it goes out now; false when held, or already sent. */
  admit(seq: number, buf: Buffer): boolean {
    if (this.#held) {
      this.#held.push({ seq, buf });
      return false;
    }
    if (seq <= this.#minSeq) return false;
    this.#minSeq = seq;
    return true;
  }

  /** Everything up to `minSeq` has been sent: the held frames past it, to send now in order. */
  goLive(minSeq: number): Buffer[] {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.#minSeq = minSeq;
    const out: Buffer[] = [];
    for (const f of held) if (this.admit(f.seq, f.buf)) out.push(f.buf);
    return out;
  }
}
