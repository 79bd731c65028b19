/**
 * Which Kafka offset is safe to commit when records are handed to asynchronous work that
 * finishes out of order (webhook sinks deliver independently). Per partition, records are
 * added in offset order with the number of pieces of work still owed on each; the committable
 * offset is the one after the longest prefix whose work is all done. A record nobody owes work
 * on (filtered by every sink, or invalid) is done on arrival but still waits behind the head.
 *
 * `reset()` starts a new generation (after a rebalance the consumer re-reads from the committed
 * offset); settling a token from an older generation changes nothing.
 */
export interface SettleToken {
  readonly partition: number;
  readonly generation: number;
  /** Mutable on purpose: settle() counts it down. */
  pending: number;
  readonly offset: bigint;
}

interface PartitionLog {
  entries: SettleToken[];
  head: number;
  /** Next offset to commit (last settled prefix + 1), once it moved. */
  committable: bigint | undefined;
  committed: bigint | undefined;
}

export class CommitTracker {
  #generation = 0;
  #partitions = new Map<number, PartitionLog>();
  #outstanding = 0;

  /** Records added and not yet behind the committable offset. */
  get outstanding(): number {
    return this.#outstanding;
  }

  add(partition: number, offset: string, pending: number): SettleToken {
    let log = this.#partitions.get(partition);
    if (!log) this.#partitions.set(partition, (log = { entries: [], head: 0, committable: undefined, committed: undefined }));
    const token: SettleToken = { partition, generation: this.#generation, pending: Math.max(0, pending), offset: BigInt(offset) };
    log.entries.push(token);
    this.#outstanding += 1;
    this.#advance(log);
    return token;
  }

  /** One piece of work owed on the token's record is done. */
  settle(token: SettleToken): void {
    if (token.generation !== this.#generation || token.pending === 0) return;
    token.pending -= 1;
    const log = this.#partitions.get(token.partition);
    if (log) this.#advance(log);
  }

  /** Offsets that moved since the last call, as Kafka wants them (the next offset to read). */
  takeCommits(): Array<{ partition: number; offset: string }> {
    const out: Array<{ partition: number; offset: string }> = [];
    for (const [partition, log] of this.#partitions) {
      if (log.committable !== undefined && log.committable !== log.committed) {
        log.committed = log.committable;
        out.push({ partition, offset: log.committable.toString() });
      }
    }
    return out;
  }

  /** Forgets everything in flight (partitions were reassigned); commits already taken stay. */
  reset(): void {
    this.#generation += 1;
    this.#partitions.clear();
    this.#outstanding = 0;
  }

  #advance(log: PartitionLog): void {
    while (log.head < log.entries.length && log.entries[log.head]!.pending === 0) {
      log.committable = log.entries[log.head]!.offset + 1n;
      log.head += 1;
      this.#outstanding -= 1;
    }
    // Drop the settled prefix now and then rather than shifting on every record.
    if (log.head > 1024 && log.head * 2 > log.entries.length) {
      log.entries = log.entries.slice(log.head);
      log.head = 0;
    }
  }
}
