/**
 * Resume planning for alert channels. A client reconnects with the last seq it saw (and,
 * ideally, the epoch it saw it in); the gateway answers with exactly the alerts it missed, in
 * order, or with a `resync` when that is impossible. Pure: the adapter supplies the bounds.
 */
/** How long a resume ahead of every head seen waits for the head to get there (two probe intervals). */
export const AHEAD_WAIT_MS = 2_000;

export type ResyncReason = 'epoch_changed' | 'history_trimmed' | 'too_far_behind' | 'ahead_of_history';

export type ResumePlan =
  /** Nothing missed; live frames at or below `minSeq` are skipped for this subscriber. */
  | { kind: 'live'; minSeq: number }
  /** Replay from the in-memory ring, starting at `fromSeq`. */
  | { kind: 'memory'; fromSeq: number }
  /** Memory does not reach back: read Redis history (paged). */
  | { kind: 'history'; fromSeq: number }
  /**
   * Ahead of every head this instance has seen, Redis included: wait (no Redis read) for
   * this instance's head or its next probe to reach `lastSeq`, and resync if neither does.
   */
  | { kind: 'ahead'; lastSeq: number }
  | { kind: 'resync'; reason: ResyncReason };

export interface ResumeInput {
  lastSeq: number;
  clientEpoch: string | undefined;
  epoch: string;
  /** The last seq this instance forwarded. */
  head: number;
  /** The highest head this instance has seen in Redis (start-up, last probe): at least `head`. */
  knownHead: number;
  /** The oldest seq in memory (undefined when empty). */
  memoryFirst: number | undefined;
  maxReplay: number;
}

export function planResume(i: ResumeInput): ResumePlan {
  if (i.clientEpoch !== undefined && i.clientEpoch !== i.epoch) return { kind: 'resync', reason: 'epoch_changed' };
  if (i.lastSeq === i.head) return { kind: 'live', minSeq: i.lastSeq };
  // Ahead of this instance: another instance forwarded more already. Answered from what the
  // probe saw, never a Redis read per client (a bogus seq cost one each time): a seq the
  // probe saw is skipped when it arrives here; one beyond it waits for the next probe.
  if (i.lastSeq > i.head) return i.lastSeq <= Math.max(i.head, i.knownHead) ? { kind: 'live', minSeq: i.lastSeq } : { kind: 'ahead', lastSeq: i.lastSeq };
  if (i.head - i.lastSeq > i.maxReplay) return { kind: 'resync', reason: 'too_far_behind' };
  if (i.memoryFirst !== undefined && i.lastSeq + 1 >= i.memoryFirst) return { kind: 'memory', fromSeq: i.lastSeq + 1 };
  return { kind: 'history', fromSeq: i.lastSeq + 1 };
}
