import type { Channel } from '@rotation/schemas';
import { isAlertChannel } from './channels.js';

/** Where the client stands on one channel: the epoch and seq of the last message it applied. */
export interface Cursor {
  epoch: string;
  seq: number;
}

export type EventVerdict =
  /** Next in line (or the first event seen on the channel): apply it. */
  | { kind: 'apply' }
  /** At or below the cursor: already applied (a replay overlapping live delivery). */
  | { kind: 'duplicate' }
  /** The event's prevSeq is past the cursor: messages between are missing. */
  | { kind: 'gap'; expectedPrevSeq: number }
  /** The gateway lost its history and numbers the channel afresh: seqs are not comparable. */
  | { kind: 'epoch_changed'; previous: string };

/**
 * Judges an event against the channel's cursor using prevSeq, so the client needs no
 * knowledge of a channel's step (`alerts:<kind>` skips the seqs of other kinds).
 */
export function judgeEvent(cursor: Cursor | undefined, event: { epoch: string; seq: number; prevSeq: number }): EventVerdict {
  if (cursor === undefined) return { kind: 'apply' };
  if (event.epoch !== cursor.epoch) return { kind: 'epoch_changed', previous: cursor.epoch };
  if (event.seq <= cursor.seq) return { kind: 'duplicate' };
  if (event.prevSeq > cursor.seq) return { kind: 'gap', expectedPrevSeq: cursor.seq };
  return { kind: 'apply' };
}

export interface SubscribePlan {
  channels: Channel[];
  resume?: Record<string, number>;
  epoch?: string;
}

/** The protocol's cap on channels per command. */
export const MAX_CHANNELS_PER_COMMAND = 32;

/**
 * The subscribe commands that restore `channels` after a (re)connect. Alert channels with a
 * cursor resume from it; channels whose cursors sit in different epochs go in separate
 * commands because a command carries one epoch. State channels never resume: every state
 * message is the channel's full value, so the fresh snapshot is the resume.
 */
export function planSubscribe(channels: Iterable<Channel>, cursors: ReadonlyMap<Channel, Cursor>): SubscribePlan[] {
  const byEpoch = new Map<string, Channel[]>();
  const fresh: Channel[] = [];
  for (const ch of new Set(channels)) {
    const cursor = isAlertChannel(ch) ? cursors.get(ch) : undefined;
    if (!cursor) {
      fresh.push(ch);
      continue;
    }
    let group = byEpoch.get(cursor.epoch);
    if (!group) byEpoch.set(cursor.epoch, (group = []));
    group.push(ch);
  }
  const plans: SubscribePlan[] = [];
  for (const [epoch, group] of byEpoch) {
    for (const part of chunks(group)) {
      const resume: Record<string, number> = {};
      for (const ch of part) resume[ch] = cursors.get(ch)!.seq;
      plans.push({ channels: part, resume, epoch });
    }
  }
  for (const part of chunks(fresh)) plans.push({ channels: part });
  return plans;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_CHANNELS_PER_COMMAND) out.push(items.slice(i, i + MAX_CHANNELS_PER_COMMAND));
  return out;
}
