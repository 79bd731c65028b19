/**
 * Resume planning for alert channels. A client reconnects with the last seq it saw (and,
 * ideally, the epoch it saw it in); the gateway answers with exactly the alerts it missed, in
 * order, or with a `resync` when that is impossible. Pure: the adapter supplies the bounds.
 */
export type ResyncReason = 'epoch_changed' | 'history_trimmed' | 'too_far_behind' | 'ahead_of_history';

export type ResumePlan =
  /** Nothing missed; live frames at or below `minSeq` are skipped for this subscriber. */
  | { kind: 'live'; minSeq: number }
  /** Replay from the in-memory ring, starting at `fromSeq`. */
  | { kind: 'memory'; fromSeq: number }
  /** Memory does not reach back (or the client is ahead of this instance): read Redis history. */
  | { kind: 'history'; fromSeq: number }
  | { kind: 'resync'; reason: ResyncReason };

export interface ResumeInput {
  lastSeq: number;
  clientEpoch: string | undefined;
  epoch: string;
  /** The last seq this instance forwarded. */
  head: number;
  /** The oldest seq in memory (undefined when empty). */
  memoryFirst: number | undefined;
  maxReplay: number;
}

export function planResume(i: ResumeInput): ResumePlan {
  if (i.clientEpoch !== undefined && i.clientEpoch !== i.epoch) return { kind: 'resync', reason: 'epoch_changed' };
  if (i.lastSeq === i.head) return { kind: 'live', minSeq: i.lastSeq };
  // Ahead of this instance: another instance forwarded more already; Redis decides if it is real.
  if (i.lastSeq > i.head) return { kind: 'history', fromSeq: i.lastSeq + 1 };
  if (i.head - i.lastSeq > i.maxReplay) return { kind: 'resync', reason: 'too_far_behind' };
  if (i.memoryFirst !== undefined && i.lastSeq + 1 >= i.memoryFirst) return { kind: 'memory', fromSeq: i.lastSeq + 1 };
  return { kind: 'history', fromSeq: i.lastSeq + 1 };
}

export type HistoryVerdict = { kind: 'replay' } | { kind: 'live'; minSeq: number } | { kind: 'resync'; reason: ResyncReason };

/**
 * Judges what Redis returned for a `history` plan: `seqs` are the entries read from
 * `lastSeq + 1` on (ascending, at most maxReplay + 1 of them), `redisHead` the last seq
 * assigned. The replay must start exactly at lastSeq + 1, or alerts would silently be missing.
 */
export function judgeHistory(lastSeq: number, seqs: readonly number[], redisHead: number, maxReplay: number): HistoryVerdict {
  if (seqs.length === 0) {
    if (lastSeq === redisHead) return { kind: 'live', minSeq: lastSeq };
    return { kind: 'resync', reason: lastSeq > redisHead ? 'ahead_of_history' : 'history_trimmed' };
  }
  if (seqs[0] !== lastSeq + 1) return { kind: 'resync', reason: 'history_trimmed' };
  if (seqs.length > maxReplay) return { kind: 'resync', reason: 'too_far_behind' };
  return { kind: 'replay' };
}
