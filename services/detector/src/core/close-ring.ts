/**
 * Finalized step closes of one symbol: the last price at or before each evaluation step
 * boundary, for the last `length` steps. A value never changes once written (steps are
 * finalized only after every input's watermark passed them), so a lookup is one array read
 * and memory is fixed by the longest window: O(1) per step, bounded per symbol.
 * NaN means "no price yet at that step".
 */
export class CloseRing {
  readonly #buf: Float64Array;
  /** Step index of the newest value, or null before the first. */
  #last: number | null = null;
  #count = 0;

  constructor(readonly length: number) {
    this.#buf = new Float64Array(length).fill(NaN);
  }

  get lastStep(): number | null {
    return this.#last;
  }

  get count(): number {
    return this.#count;
  }

  /** Appends the close of `step`, which must directly follow the previous one. */
  push(step: number, price: number): void {
    if (this.#last !== null && step !== this.#last + 1) throw new Error(`close ring: step ${step} does not follow ${this.#last}`);
    this.#buf[mod(step, this.length)] = price;
    this.#last = step;
    this.#count = Math.min(this.#count + 1, this.length);
  }

  /** The close at `step`, NaN when unknown (before the first price or older than the ring). */
  at(step: number): number {
    if (this.#last === null || step > this.#last || this.#last - step >= this.#count) return NaN;
    return this.#buf[mod(step, this.length)]!;
  }

  /** The newest close, NaN if none. */
  latest(): number {
    return this.#last === null ? NaN : this.at(this.#last);
  }

  /**
   * Multiplies every kept close of a step before `step` by `factor`: the history of a split
   * or a dividend is restated on the basis the prices have from then on.
   */
  scaleBefore(step: number, factor: number): void {
    if (this.#last === null) return;
    for (let s = this.#last - this.#count + 1; s <= this.#last && s < step; s++) this.#buf[mod(s, this.length)] = this.#buf[mod(s, this.length)]! * factor;
  }

  /** Oldest first, for persistence. */
  values(): number[] {
    if (this.#last === null) return [];
    const out: number[] = [];
    for (let s = this.#last - this.#count + 1; s <= this.#last; s++) out.push(this.at(s));
    return out;
  }

  /** Rebuilds from persisted values (oldest first) ending at `lastStep`. */
  static restore(length: number, lastStep: number | null, values: readonly number[]): CloseRing {
    const ring = new CloseRing(length);
    if (lastStep === null) return ring;
    const kept = values.slice(-length);
    let step = lastStep - kept.length + 1;
    ring.#last = step - 1;
    for (const v of kept) ring.push(step++, v);
    ring.#last = lastStep;
    return ring;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
